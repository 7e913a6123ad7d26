/**
 * One service's life inside the supervisor: wait for its dependencies, spawn it (through
 * ManagedProcess), wait until ready, keep checking health, restart by policy, stop.
 * The lifecycle diagram is on `ServiceState` in ./state.ts.
 */
import { HealthMonitor, Readiness } from './checks/readiness.js';
import { describeCheck, type ProbeResult } from './checks/types.js';
import type { LogWriter } from './log-writer.js';
import { ManagedProcess, type Exit } from './process.js';
import type { ServicePlan } from './plan.js';
import { describeTaken, takenPorts } from './port-thief.js';
import type { Health, ServiceState, ServiceStatus } from './state.js';

/** How long a compose service's published ports may take to accept on the host after `up -d` (and its check). */
export const COMPOSE_PORT_WAIT = {
  intervalMs: 20,
  maxIntervalMs: 500,
  timeoutMs: 2_000,
  startPeriodMs: 0,
  retries: 1,
  startupTimeoutMs: 60_000,
};

/** Restart delays double from the policy's backoff, capped here. */
export const MAX_RESTART_BACKOFF_MS = 30_000;

class Milestone {
  readonly promise: Promise<boolean>;
  private settle!: (v: boolean) => void;
  settled = false;
  constructor() {
    this.promise = new Promise((r) => (this.settle = r));
  }
  set(v: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(v);
  }
}

export interface RunnerContext {
  instanceKey: string;
  log: LogWriter;
  /** Called after every change of `status`. */
  changed: (detail: string | null) => void;
  checkResult: (r: ProbeResult) => void;
  /** A child process appeared or was reaped (recorded in state.json for crash recovery). */
  child: (pid: number, startTime: number, alive: boolean) => void;
  milestoneOf: (service: string) => ServiceRunner | undefined;
}

export class ServiceRunner {
  readonly started = new Milestone();
  readonly healthy = new Milestone();
  readonly completed = new Milestone();
  /** Startup ended (ready, completed or failed) — for `start` to know when to return. */
  readonly settled = new Milestone();
  readonly status: ServiceStatus;
  private proc: ManagedProcess | undefined;
  /** compose services: `compose logs -f`, feeding the container's output into the service's log. */
  private logs: ManagedProcess | undefined;
  private readonly abort = new AbortController();
  private monitor: HealthMonitor | undefined;
  private stopRequested = false;
  private restartTimer: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  constructor(
    readonly plan: ServicePlan,
    private readonly ctx: RunnerContext,
  ) {
    this.status = {
      name: plan.name,
      kind: plan.kind,
      state: 'pending',
      health: plan.check ? 'starting' : 'none',
      pid: null,
      pidStartTime: null,
      ports: plan.ports,
      url: plan.url,
      check: plan.check ? describeCheck(plan.check) : null,
      lastCheck: null,
      restarts: 0,
      exitCode: null,
      signal: null,
      logPath: plan.logPath,
      startedAt: null,
      readyAt: null,
      error: null,
    };
  }

  private set(state: ServiceState, detail: string | null = null, health?: Health): void {
    this.status.state = state;
    if (health) this.status.health = health;
    this.ctx.changed(detail);
  }

  private fail(message: string): void {
    this.status.error = message;
    this.set('failed', message, this.plan.check ? 'unhealthy' : 'none');
    this.ctx.log.write('factory', `failed: ${message}`);
    this.started.set(false);
    this.healthy.set(false);
    this.completed.set(false);
    this.settled.set(false);
  }

  /** Wait for dependencies, then run until stopped or failed for good. */
  async run(): Promise<void> {
    for (const dep of this.plan.dependsOn) {
      const other = this.ctx.milestoneOf(dep.service);
      if (!other) continue;
      const m =
        dep.condition === 'started' ? other.started : dep.condition === 'healthy' ? other.healthy : other.completed;
      const ok = await m.promise;
      if (this.stopRequested) return;
      if (!ok) {
        this.status.error = `dependency "${dep.service}" did not become ${dep.condition}`;
        this.set('blocked', this.status.error);
        this.started.set(false);
        this.healthy.set(false);
        this.completed.set(false);
        this.settled.set(false);
        return;
      }
    }
    for (;;) {
      if (this.stopRequested) return;
      const exit = await this.once();
      if (this.stopRequested || exit === 'stopped') return;
      if (exit === 'timeout' || exit === 'up') return;
      if (exit.code === 0 && this.plan.oneShot) {
        this.set('completed', 'exit 0');
        this.completed.set(true);
        this.healthy.set(true);
        this.settled.set(true);
        return;
      }
      const failedRun = exit.code !== 0;
      const policy = this.plan.restart.policy;
      const again =
        (policy === 'always' || (policy === 'on-failure' && failedRun)) &&
        this.status.restarts < this.plan.restart.maxRestarts;
      const why = exit.error ?? (exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`);
      // A failed process whose own port someone else holds now could not bind it: say who, and
      // do not restart into the same wall.
      const taken = failedRun && this.plan.kind === 'process' ? await takenPorts(this.plan.ports) : [];
      if (this.stopRequested) return;
      if (taken.length > 0) {
        this.fail(`${describeTaken(taken)}; the service ${why}`);
        return;
      }
      if (!again) {
        this.fail(`${why}${this.status.restarts > 0 ? ` after ${this.status.restarts} restart(s)` : ''}`);
        return;
      }
      const delay = Math.min(MAX_RESTART_BACKOFF_MS, this.plan.restart.backoffMs * 2 ** this.status.restarts);
      this.status.restarts += 1;
      this.set(
        'restarting',
        `${why}; restart ${this.status.restarts}/${this.plan.restart.maxRestarts} in ${delay} ms`,
        this.plan.check ? 'starting' : 'none',
      );
      this.ctx.log.write('factory', `${why}; restarting in ${delay} ms`);
      await new Promise<void>((resolve) => {
        this.restartTimer = { timer: setTimeout(resolve, delay), resolve };
      });
      this.restartTimer = undefined;
    }
  }

  /** One process run: spawn, readiness, then wait for its exit. */
  private async once(): Promise<Exit | 'stopped' | 'timeout' | 'up'> {
    const p = this.plan;
    this.ctx.log.resetRun();
    let readiness: Readiness | undefined;
    const proc = new ManagedProcess(
      { file: p.file, args: p.args, cwd: p.cwd, env: p.env, instanceKey: this.ctx.instanceKey, service: p.name },
      {
        onSpawn: (self) => {
          this.status.pid = self.pid;
          this.status.pidStartTime = self.startTime;
          this.ctx.child(self.pid, self.startTime, true);
        },
        onLine: (stream, line) => {
          this.ctx.log.write(stream, line);
          readiness?.poke();
        },
      },
    );
    this.proc = proc;
    this.status.exitCode = null;
    this.status.signal = null;
    this.status.startedAt = new Date().toISOString();
    this.set('starting', null, p.check ? 'starting' : 'none');
    proc.start();
    const exitP = proc.wait();
    if (await proc.spawned) this.started.set(true);

    if (p.kind === 'compose') return this.composeUp(exitP);

    if (!p.oneShot && proc.kind !== 'exited') {
      if (p.check) {
        const startedAt = Date.now();
        readiness = new Readiness(p.check, {
          onResult: (r) => this.ctx.checkResult(r),
          subscribeLines: (fn) => this.ctx.log.subscribe(fn),
          signal: this.abort.signal,
          ports: Object.values(p.ports),
        });
        const outcome = await Promise.race([readiness.outcome, exitP.then(() => 'exited' as const)]);
        if (outcome === 'timeout') {
          const last = this.status.lastCheck?.detail;
          this.fail(
            `check ${this.status.check} did not pass within ${p.check.startupTimeoutMs} ms${last ? ` (last: ${last})` : ''}`,
          );
          await proc.stop(p.stop.signal, p.stop.graceMs);
          this.reaped(proc);
          return 'timeout';
        }
        if (outcome === 'ready') {
          this.markReady();
          this.monitor = new HealthMonitor(p.check, startedAt, (r, healthy) => {
            this.ctx.checkResult(r);
            if (healthy === true && this.status.health !== 'healthy')
              this.set(this.status.state, 'healthy again', 'healthy');
            if (healthy === false && this.status.health !== 'unhealthy')
              this.set(this.status.state, `unhealthy: ${r.detail}`, 'unhealthy');
          });
          this.monitor.start();
        }
      } else {
        this.markReady();
      }
    }
    const exit = await exitP;
    this.monitor?.stop();
    this.monitor = undefined;
    this.status.exitCode = exit.code;
    this.status.signal = exit.signal;
    // Whatever the leader left behind (group members, setsid'd strays) goes before any restart.
    if (!this.stopRequested) await proc.sweep(p.stop.signal, p.stop.graceMs);
    this.reaped(proc);
    if (this.stopRequested) return 'stopped';
    return exit;
  }

  /**
   * A compose service's launcher (`<compose> … up -d`) exits once the container runs: exit 0
   * means started; its check (if any) then decides readiness. What is left to watch is the
   * container's output, followed with `<compose> logs -f` into the service's log.
   */
  private async composeUp(exitP: Promise<Exit>): Promise<Exit | 'timeout' | 'up'> {
    const exit = await exitP;
    this.status.exitCode = exit.code;
    if (this.proc) this.reaped(this.proc);
    if (exit.code !== 0) return exit;
    this.status.pid = null;
    this.status.pidStartTime = null;
    if (!this.stopRequested) this.followLogs();
    const check = this.plan.check;
    if (check) {
      const r = new Readiness(check, {
        onResult: (x) => this.ctx.checkResult(x),
        subscribeLines: (fn) => this.ctx.log.subscribe(fn),
        signal: this.abort.signal,
      });
      const outcome = await r.outcome;
      if (outcome === 'aborted') return 'up';
      if (outcome === 'timeout') {
        this.fail(`check ${this.status.check} did not pass within ${check.startupTimeoutMs} ms`);
        return 'timeout';
      }
    }
    // What dependents use is the leased port on the host: the engine's port forwarding must answer
    // too, not only the container's own check.
    for (const port of Object.values(this.plan.ports)) {
      const r = new Readiness(
        { kind: 'tcp', port, hosts: ['127.0.0.1'], ...COMPOSE_PORT_WAIT },
        { onResult: () => {}, subscribeLines: (fn) => this.ctx.log.subscribe(fn), signal: this.abort.signal },
      );
      const outcome = await r.outcome;
      if (outcome === 'aborted') return 'up';
      if (outcome === 'timeout') {
        this.fail(
          `its container runs, but 127.0.0.1:${port} (published for it) did not accept connections within ${COMPOSE_PORT_WAIT.startupTimeoutMs} ms`,
        );
        return 'timeout';
      }
    }
    this.markReady();
    return 'up';
  }

  private followLogs(): void {
    const [file, ...args] = this.plan.compose?.logsArgv ?? [];
    if (!file) return;
    const p = this.plan;
    let startTime = -1;
    const logs = new ManagedProcess(
      { file, args, cwd: p.cwd, env: p.env, instanceKey: this.ctx.instanceKey, service: p.name },
      {
        onSpawn: (self) => {
          startTime = self.startTime;
          this.ctx.child(self.pid, self.startTime, true);
        },
        onLine: (stream, line) => this.ctx.log.write(stream, line),
        onExit: () => {
          if (logs.pid !== undefined) this.ctx.child(logs.pid, startTime, false);
        },
      },
    );
    this.logs = logs;
    logs.start();
  }

  private reaped(proc: ManagedProcess): void {
    if (proc.pid !== undefined && this.status.pidStartTime !== null)
      this.ctx.child(proc.pid, this.status.pidStartTime, false);
  }

  private markReady(): void {
    this.status.readyAt = new Date().toISOString();
    this.set('ready', null, this.plan.check ? 'healthy' : 'none');
    this.started.set(true);
    this.healthy.set(true);
    this.settled.set(true);
  }

  /** Stop for good: cancel readiness/backoff, stop the process in stages. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.abort.abort();
    this.monitor?.stop();
    if (this.restartTimer) {
      clearTimeout(this.restartTimer.timer);
      this.restartTimer.resolve();
    }
    const wasActive = this.proc && this.proc.kind !== 'exited';
    if (wasActive) this.set('stopping');
    if (this.proc) {
      await this.proc.stop(this.plan.stop.signal, this.plan.stop.graceMs);
      this.reaped(this.proc);
    }
    await this.logs?.stop('SIGTERM', this.plan.stop.graceMs);
    this.started.set(false);
    this.healthy.set(false);
    this.completed.set(false);
    this.settled.set(false);
    if (this.status.state !== 'failed' && this.status.state !== 'completed' && this.status.state !== 'blocked') {
      this.status.state = 'stopped';
    }
    this.status.pid = null;
    this.status.pidStartTime = null;
    this.ctx.changed('stopped');
  }
}
