/**
 * The supervisor of one instance: runs the plan's services (each through a ServiceRunner), keeps
 * `state.json` current (atomic writes), emits events, and stops everything in reverse start order.
 * Runs detached (./supervisor-main.ts) or in-process for `start --foreground`.
 */
import { writeJsonAtomic } from './atomic.js';
import type { SupervisorEvent } from './events.js';
import { LogWriter } from './log-writer.js';
import { instanceFiles } from './paths.js';
import type { InstancePlan } from './plan.js';
import { waitPortsFree } from './ports.js';
import { currentPidNamespace, identityOf } from './proc.js';
import { startHeartbeat } from './heartbeat.js';
import { ServiceRunner } from './service-runner.js';
import type { InstancePhase, InstanceStateFile, ServiceStatus } from './state.js';
import { runQuiet } from './run-quiet.js';

/** After stopping, how long the leased ports may take to become free before that is reported. */
export const PORT_RELEASE_WAIT_MS = 5_000;
const CHECK_PERSIST_MS = 100;

export interface SupervisorOptions {
  foreground: boolean;
  /** Whole-startup limit (`start --timeout`). */
  timeoutMs?: number;
}

function pidNs(): { pidNamespace?: string } {
  const ns = currentPidNamespace();
  return ns ? { pidNamespace: ns } : {};
}

export class Supervisor {
  readonly state: InstanceStateFile;
  private readonly runners = new Map<string, ServiceRunner>();
  private readonly logs = new Map<string, LogWriter>();
  private readonly listeners = new Set<(e: SupervisorEvent) => void>();
  private readonly t0 = Date.now();
  private stopping: Promise<void> | undefined;
  /** The last restart asked for per service (restarts of one service run one after another). */
  private readonly restarts = new Map<string, Promise<ServiceStatus>>();
  private persistQueued = false;
  /** Resolves when startup is over: true = every service ready/completed. */
  readonly startup: Promise<boolean>;

  constructor(
    readonly plan: InstancePlan,
    private readonly opts: SupervisorOptions,
  ) {
    const self = identityOf(process.pid) ?? { pid: process.pid, startTime: -1 };
    const now = new Date().toISOString();
    this.state = {
      project: plan.project,
      worktreeId: plan.worktreeId,
      root: plan.root,
      contractFile: plan.contractFile,
      stateDir: plan.stateDir,
      instanceKey: plan.instanceKey,
      phase: 'starting',
      supervisor: { ...self, socket: plan.socket, foreground: opts.foreground, ...pidNs() },
      portBase: plan.portBase,
      ports: plan.ports,
      urls: plan.urls,
      services: {},
      order: plan.order,
      startedAt: now,
      updatedAt: now,
      children: [],
      compose: plan.compose,
      composeDown: [
        ...new Set(
          Object.values(plan.services).flatMap((s) => s.compose?.downArgvs.map((a) => JSON.stringify(a)) ?? []),
        ),
      ].map((a) => JSON.parse(a) as string[]),
      error: null,
    };
    for (const name of plan.order) {
      const sp = plan.services[name];
      if (!sp) continue;
      const log = new LogWriter(sp.logPath);
      this.logs.set(name, log);
      log.onAny((line, stream) => this.emit({ type: 'line', service: name, stream, line }));
      this.runners.set(name, this.makeRunner(name));
    }
    this.startup = this.watchStartup();
    startHeartbeat(instanceFiles(plan.stateDir).heartbeat);
  }

  /** A runner for one service of the plan, wired to this supervisor's state, log and events. */
  private makeRunner(name: string): ServiceRunner {
    const sp = this.plan.services[name];
    const log = this.logs.get(name);
    if (!sp || !log) throw new Error(`no service "${name}" in the plan`);
    const runner = new ServiceRunner(sp, {
      instanceKey: this.plan.instanceKey,
      log,
      changed: (detail) => {
        this.emit({
          type: 'service',
          service: name,
          state: runner.status.state,
          health: runner.status.health,
          detail,
          elapsedMs: this.elapsed(),
        });
        this.recomputePhase();
        this.persist();
      },
      checkResult: (r) => {
        const result = { ok: r.ok, at: new Date().toISOString(), durationMs: 0, detail: r.detail };
        runner.status.lastCheck = result;
        this.emit({
          type: 'check',
          service: name,
          check: runner.status.check ?? '',
          result,
          elapsedMs: this.elapsed(),
        });
        this.persistLater();
      },
      child: (pid, startTime, alive) => {
        this.state.children = this.state.children.filter((c) => !(c.pid === pid && c.startTime === startTime));
        if (alive) this.state.children.push({ pid, startTime, service: name, pgid: pid });
        this.persist();
      },
      milestoneOf: (s) => this.runners.get(s),
    });
    this.state.services[name] = runner.status;
    return runner;
  }

  /**
   * `restart_service`: stop one service in stages (its compose project too), then run it again
   * with a fresh runner (its dependencies are up already) and resolve once it is ready, completed
   * or failed. Services depending on it are not restarted. Its count of restarts by policy carries
   * over unchanged (a restart asked for is not a crash; it does not use up `max_restarts`).
   */
  restartService(name: string): Promise<ServiceStatus> {
    const prev = this.runners.get(name);
    if (!prev) return Promise.reject(new Error(`no service "${name}" in this instance`));
    if (this.stopping) return Promise.reject(new Error('the instance is stopping'));
    if (this.state.phase === 'starting') return Promise.reject(new Error('the instance is still starting'));
    const queued = (this.restarts.get(name) ?? Promise.resolve(prev.status)).then(async () => {
      const old = this.runners.get(name) ?? prev;
      await old.stop();
      const compose = old.plan.compose;
      if (compose && old.status.state !== 'pending' && old.status.state !== 'blocked')
        await runQuiet(compose.stopArgv, old.plan.env);
      if (this.stopping) return old.status;
      const next = this.makeRunner(name);
      next.status.restarts = old.status.restarts;
      this.runners.set(name, next);
      void next.run();
      await next.settled.promise;
      this.recomputePhase();
      this.writeNow();
      return next.status;
    });
    this.restarts.set(name, queued);
    return queued;
  }

  private elapsed(): number {
    return Date.now() - this.t0;
  }

  on(fn: (e: SupervisorEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: SupervisorEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** Coalesce the writes of one tick into one atomic rename. */
  persist(): void {
    if (this.persistQueued) return;
    this.persistQueued = true;
    queueMicrotask(() => {
      this.persistQueued = false;
      this.writeNow();
    });
  }

  private lateTimer: NodeJS.Timeout | undefined;

  /** Check results arrive every few ms while starting: write them at most every CHECK_PERSIST_MS. */
  persistLater(): void {
    this.lateTimer ??= setTimeout(() => {
      this.lateTimer = undefined;
      this.persist();
    }, CHECK_PERSIST_MS);
  }

  writeNow(): void {
    this.state.updatedAt = new Date().toISOString();
    writeJsonAtomic(instanceFiles(this.plan.stateDir).state, this.state);
  }

  private recomputePhase(): void {
    const p = this.state.phase;
    if (p === 'starting' || p === 'stopping' || p === 'stopped' || p === 'failed') return;
    const bad = Object.values(this.state.services).some(
      (s) =>
        s.state === 'failed' ||
        s.state === 'restarting' ||
        s.state === 'starting' ||
        s.state === 'stopping' ||
        s.state === 'stopped' ||
        s.state === 'pending' ||
        s.health === 'unhealthy',
    );
    this.setPhase(bad ? 'degraded' : 'running');
  }

  private setPhase(phase: InstancePhase): void {
    this.state.phase = phase;
    this.persist();
  }

  /** Start every service (each waits for its dependencies). */
  start(): void {
    this.writeNow();
    for (const r of this.runners.values()) void r.run();
  }

  private async watchStartup(): Promise<boolean> {
    const all = Promise.all([...this.runners.values()].map((r) => r.settled.promise));
    const firstFailure = new Promise<string>((resolve) => {
      for (const [name, r] of this.runners) void r.settled.promise.then((ok) => !ok && resolve(name));
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      if (this.opts.timeoutMs !== undefined) timer = setTimeout(() => resolve('timeout'), this.opts.timeoutMs);
    });
    const outcome = await Promise.race([all.then(() => 'done' as const), firstFailure, timeout]);
    clearTimeout(timer);
    if (this.state.phase !== 'starting') return false; // stopped meanwhile
    if (
      outcome === 'done' &&
      [...this.runners.values()].every((r) => r.status.state === 'ready' || r.status.state === 'completed')
    ) {
      this.setPhase('running');
      this.recomputePhase();
      this.writeNow();
      this.emit({ type: 'ready', elapsedMs: this.elapsed() });
      return true;
    }
    const name =
      outcome === 'timeout'
        ? ([...this.runners.values()].find((r) => !r.settled.settled)?.plan.name ?? this.plan.order[0] ?? '')
        : outcome === 'done'
          ? ([...this.runners.values()].find((r) => r.status.state !== 'ready' && r.status.state !== 'completed')?.plan
              .name ?? '')
          : outcome;
    // A blocked service names the dependency; report the root cause instead.
    const culprit = this.rootCause(name);
    const s = this.state.services[culprit];
    const message =
      outcome === 'timeout'
        ? `service "${culprit}" was not ready after ${this.opts.timeoutMs} ms (--timeout)`
        : `service "${culprit}" failed: ${s?.error ?? 'unknown'}`;
    this.state.error = {
      service: culprit,
      message,
      check: s?.check ?? null,
      exitCode: s?.exitCode ?? null,
      logTail:
        this.logs
          .get(culprit)
          ?.lastLines()
          .filter((l) => !l.startsWith('failed: ')) ?? [],
    };
    this.setPhase('failed');
    this.writeNow();
    this.emit({ type: 'failed', error: this.state.error, elapsedMs: this.elapsed() });
    return false;
  }

  private rootCause(name: string): string {
    const s = this.state.services[name];
    if (s?.state !== 'blocked') return name;
    const dep = this.plan.services[name]?.dependsOn.find((d) => {
      const o = this.state.services[d.service];
      return o && (o.state === 'failed' || o.state === 'blocked');
    });
    return dep ? this.rootCause(dep.service) : name;
  }

  /** Stop every service in reverse start order, confirm the ports are free, write the final state. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const failed = this.state.phase === 'failed';
      this.setPhase('stopping');
      for (const name of [...this.plan.order].reverse()) {
        const r = this.runners.get(name);
        if (!r) continue;
        await r.stop();
        const compose = r.plan.compose;
        if (compose && r.status.state !== 'pending' && r.status.state !== 'blocked')
          await runQuiet(compose.stopArgv, r.plan.env);
      }
      const busy = await waitPortsFree(Object.values(this.plan.ports), PORT_RELEASE_WAIT_MS);
      this.state.phase = failed ? 'failed' : 'stopped';
      clearTimeout(this.lateTimer);
      this.writeNow();
      this.emit({ type: 'stopped', busyPorts: busy, elapsedMs: this.elapsed() });
      await Promise.all([...this.logs.values()].map((l) => l.close()));
    })();
    return this.stopping;
  }
}
