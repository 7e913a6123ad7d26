/**
 * Spawning the detached supervisor, early (ADR 0162).
 *
 *   start ─┬─ prespawn: node supervisor-main.js (boots Node and its modules, then waits on stdin)
 *          ├─ compile (cached) ─▶ preflight ─▶ lock ─▶ lease ─▶ plan
 *          └─ hand over: the plan as JSON on its stdin, EOF ─▶ it serves its socket, starts services
 *
 * Booting Node and the supervisor's modules (~100 ms) overlaps with the CLI's own work instead of
 * following it. The plan travels over the pipe, never through a file (it holds the caller's
 * environment). An early supervisor that is not needed (another start attached, a failure before
 * the plan) gets EOF with no plan and exits; `cancel` waits until it has. It is spawned before
 * anything of the instance exists on disk (a bad contract or flag creates no `.factory/`), so
 * its stdout/stderr go nowhere until the plan arrives: then it opens logs/supervisor.log itself.
 * If it died before the hand-over, a fresh one is spawned the classic way (stdio to the log).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { Follower } from './follower.js';
import { MARKER_INSTANCE, MARKER_REGISTRY, MARKER_SERVICE } from './markers.js';
import { instanceFiles } from './paths.js';
import type { InstancePlan } from './plan.js';
import type { StreamItem } from './socket.js';

/** How long a fresh supervisor may take to open its socket. */
const SUPERVISOR_BOOT_MS = 15_000;
/** How long an unneeded early supervisor may take to see EOF and exit before it is killed. */
const CANCEL_WAIT_MS = 5_000;

/** What the supervisor reads on stdin (./supervisor-main.ts). */
export interface Handover {
  plan: InstancePlan;
  timeoutMs?: number;
  /** Its stdio goes nowhere (an early spawn): it opens logs/supervisor.log itself. */
  openLog: boolean;
}

/**
 * The compiled supervisor entry (or the TypeScript one when running from sources, with tsx), and
 * the instance folder it is for: in its argv so that `ps` shows which instance a supervisor runs.
 */
function supervisorArgv(stateDir: string): string[] {
  const js = fileURLToPath(new URL('./supervisor-main.js', import.meta.url));
  if (existsSync(js)) return [js, stateDir];
  const ts = fileURLToPath(new URL('./supervisor-main.ts', import.meta.url));
  return ['--import', 'tsx', ts, stateDir];
}

export function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out[MARKER_INSTANCE];
  delete out[MARKER_SERVICE];
  delete out[MARKER_REGISTRY];
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A supervisor process waiting for its plan on stdin. */
export class PendingSupervisor {
  private exited = false;
  private readonly gone: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly openLog: boolean,
    /** The instance folder it was spawned for (its argv names it). */
    readonly stateDir: string,
  ) {
    this.gone = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    void this.gone.then(() => (this.exited = true));
    // A supervisor that died reads nothing: the hand-over finds out by its exit, not by EPIPE.
    child.stdin?.on('error', () => undefined);
  }

  /** Spawn with stdio nowhere, before the instance's folder exists (`cwd`: the contract's root). */
  static early(cwd: string, stateDir: string, env: NodeJS.ProcessEnv): PendingSupervisor | undefined {
    try {
      const child = spawn(process.execPath, supervisorArgv(stateDir), {
        cwd,
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
        env: cleanEnv(env),
      });
      return new PendingSupervisor(child, true, stateDir);
    } catch {
      return undefined; // the classic spawn at hand-over time reports what is wrong
    }
  }

  /** Spawn with stdio to logs/supervisor.log (the instance's folder exists now). */
  static classic(plan: InstancePlan, env: NodeJS.ProcessEnv): PendingSupervisor {
    const files = instanceFiles(plan.stateDir);
    mkdirSync(files.logs, { recursive: true });
    const out = openSync(files.supervisorLog, 'a');
    try {
      const child = spawn(process.execPath, supervisorArgv(plan.stateDir), {
        cwd: plan.root,
        detached: true,
        stdio: ['pipe', out, out],
        env: cleanEnv(env),
      });
      return new PendingSupervisor(child, false, plan.stateDir);
    } finally {
      closeSync(out);
    }
  }

  get alive(): boolean {
    return !this.exited && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Not needed after all: EOF without a plan, and wait until it has exited. */
  async cancel(): Promise<void> {
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), CANCEL_WAIT_MS);
    await this.gone;
    clearTimeout(timer);
  }

  /**
   * Give it the plan, then wait for its socket and its first snapshot. The instance's folder must
   * exist (the caller leased): this opens nothing but the pipe.
   */
  async handOver(
    plan: InstancePlan,
    timeoutMs: number | undefined,
  ): Promise<{ follower: Follower; pid: number; first: StreamItem }> {
    const files = instanceFiles(plan.stateDir);
    const handover: Handover = { plan, ...(timeoutMs !== undefined ? { timeoutMs } : {}), openLog: this.openLog };
    this.child.stdin?.end(JSON.stringify(handover));
    this.child.unref();
    const pid = this.child.pid as number;
    const deadline = Date.now() + SUPERVISOR_BOOT_MS;
    let delay = 1;
    for (;;) {
      try {
        const follower = await Follower.open(plan.socket);
        const first = await follower.next();
        if (first?.type === 'snapshot' && first.state.supervisor.pid === pid) return { follower, pid, first };
        follower.close();
      } catch {
        // not listening yet
      }
      if (!this.alive || Date.now() > deadline) {
        throw new FactoryFailure('supervisor-failed', `the supervisor did not start (see ${files.supervisorLog})`, {
          exitCode: ExitCode.internal,
        });
      }
      await sleep(delay);
      delay = Math.min(5, delay * 2); // a connect to a socket not there yet fails at once: cheap to retry
    }
  }
}
