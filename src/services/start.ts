/**
 * `startInstance`: make the instance run and return once every service is ready.
 *
 *   lock(instance) ─▶ supervisor alive? ── yes ─▶ attach (no second supervisor)
 *        │ no
 *        ▼
 *   reap leftovers of a crashed run ─▶ lease ports ─▶ plan ─▶ spawn detached supervisor
 *        ─▶ wait for its socket + first snapshot ─▶ unlock ─▶ follow events until ready / failed
 *
 * Holding the per-instance lock until the new supervisor answers is what makes two racing
 * `start`s end with exactly one supervisor: the second one finds it alive and attaches.
 * A failure is reported only after the supervisor stopped everything and exited.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { writeJsonAtomic } from './atomic.js';
import type { SupervisorEvent } from './events.js';
import { Follower } from './follower.js';
import { resolveInstance, type InstanceOptions, type ResolvedInstance } from './instance.js';
import { acquireLease, readLeases, releaseLease, type LeaseResult } from './leases.js';
import { withLock } from './lock.js';
import { MARKER_INSTANCE, MARKER_REGISTRY, MARKER_SERVICE } from './markers.js';
import { socketPathFor } from './instance-key.js';
import { instanceFiles } from './paths.js';
import { composePreflight, type ComposeTool } from './compose/index.js';
import { buildPlan, selectServices, type InstancePlan } from './plan.js';
import { identityOf, processAlive, type ProcessIdentity } from './proc.js';
import { reapInstance } from './reap.js';
import { request, type StreamItem } from './socket.js';
import { readStateFile, statusFromState, type InstanceStatus } from './status-read.js';

export type StartEvent =
  | SupervisorEvent
  | {
      type: 'lease';
      base: number;
      ports: Record<string, number>;
      moved: LeaseResult['moved'] | null;
      reclaimed: string[];
      /** The block lies inside the kernel's ephemeral port range (see ./port-pool.ts). */
      warnings: string[];
    }
  | { type: 'attached'; pid: number; phase: string };

export interface StartOptions extends InstanceOptions {
  /** `--port-range BASE` */
  portRange?: number;
  /** `--move-ports`: leave a block a foreign process holds. */
  movePorts?: boolean;
  /** `--only svc…`: these and their dependencies. */
  only?: string[];
  /** Whole startup limit. */
  timeoutMs?: number;
  onEvent?: (e: StartEvent) => void;
  /** Abort = stop what this call started (SIGINT during `start`). */
  signal?: AbortSignal;
}

/** How long a fresh supervisor may take to open its socket. */
const SUPERVISOR_BOOT_MS = 15_000;
const SUPERVISOR_EXIT_WAIT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The compiled supervisor entry, or the TypeScript one when running from sources (tsx). */
function supervisorEntry(): { args: string[] } {
  const js = fileURLToPath(new URL('./supervisor-main.js', import.meta.url));
  if (existsSync(js)) return { args: [js] };
  const ts = fileURLToPath(new URL('./supervisor-main.ts', import.meta.url));
  return { args: ['--import', 'tsx', ts] };
}

function cleanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out[MARKER_INSTANCE];
  delete out[MARKER_SERVICE];
  delete out[MARKER_REGISTRY];
  return out;
}

export function interrupted(): FactoryFailure {
  return new FactoryFailure('interrupted', 'interrupted; everything this start launched was stopped', {
    exitCode: ExitCode.interrupted,
  });
}

/** The highest port number there is. */
const MAX_PORT = 65_535;

/**
 * Refuse options that cannot work before anything is created (no instance folder, no lease): an
 * unknown service, a port block that would end past 65535 for this contract's block size, a
 * startup limit that is not a positive number. Shared with --foreground; library callers get it too.
 */
export function checkStartOptions(inst: ResolvedInstance, opts: StartOptions): void {
  for (const name of opts.only ?? []) {
    if (!inst.contract.services[name]) {
      throw new FactoryFailure('unknown-service', `no service "${name}" in ${inst.contract.file}`, {
        exitCode: ExitCode.invalid,
        hint: `services: ${Object.keys(inst.contract.services).join(', ')}`,
      });
    }
  }
  const size = inst.contract.isolation.portBlockSize;
  const base = opts.portRange;
  if (base !== undefined && (!Number.isInteger(base) || base < 1 || base + size - 1 > MAX_PORT)) {
    const last = MAX_PORT - size + 1;
    throw new FactoryFailure(
      'invalid-port-range',
      Number.isInteger(base) && base >= 1
        ? `--port-range ${base} does not leave room for this contract's block of ${size} ports: it would end at ${base + size - 1}, past ${MAX_PORT}`
        : `--port-range must be a whole port number from 1 to ${last}, got ${base}`,
      { exitCode: ExitCode.invalid, hint: `use a base from 1 to ${last} (isolation.port_range_size is ${size})` },
    );
  }
  const t = opts.timeoutMs;
  if (t !== undefined && (!Number.isFinite(t) || t <= 0 || t > 2 ** 31 - 1)) {
    throw new FactoryFailure(
      'invalid-timeout',
      `the startup limit must be a positive number of milliseconds, got ${t}`,
      {
        exitCode: ExitCode.invalid,
      },
    );
  }
}

/**
 * Before the lock, a lease or any file: the compose preflight, when a service to start is a compose
 * service and no supervisor runs already (attaching needs no tool). Its failure is final (exit 3).
 */
export async function preflightInstance(inst: ResolvedInstance, opts: StartOptions): Promise<ComposeTool | null> {
  checkStartOptions(inst, opts);
  const prev = readStateFile(inst.stateDir);
  if (prev && processAlive(prev.supervisor)) return null;
  const compose = selectServices(inst.contract, opts.only).filter((n) => inst.contract.services[n]?.kind === 'compose');
  return compose.length ? composePreflight(compose, opts.env ?? process.env) : null;
}

/** Lease ports and build the plan (shared with --foreground). Caller holds the instance lock. */
export async function prepareInstance(
  inst: ResolvedInstance,
  opts: StartOptions,
  owner: ProcessIdentity,
  compose: ComposeTool | null,
): Promise<InstancePlan> {
  const env = opts.env ?? process.env;
  checkStartOptions(inst, opts);
  const prev = readStateFile(inst.stateDir);
  if (prev) await reapInstance(prev);
  const hadLease = readLeases(env).some((l) => l.root === inst.root && l.worktreeId === inst.worktreeId);
  const leased = await acquireLease({
    root: inst.root,
    worktreeId: inst.worktreeId,
    stateDir: inst.stateDir,
    size: inst.contract.isolation.portBlockSize,
    offsets: inst.contract.ports.map((p) => p.offset),
    owner,
    ...(opts.portRange !== undefined ? { base: opts.portRange } : {}),
    ...(opts.movePorts ? { moveAllowed: true } : {}),
    env,
  });
  let plan: InstancePlan;
  try {
    plan = buildPlan({
      contract: inst.contract,
      worktreeId: inst.worktreeId,
      stateDir: inst.stateDir,
      socket: socketPathFor(inst.stateDir, env),
      portBase: leased.lease.base,
      processEnv: cleanEnv(env),
      ...(opts.only ? { only: opts.only } : {}),
      compose,
    });
  } catch (error) {
    // A plan that cannot be built (a compose file that does not fit the contract) starts nothing: a
    // lease taken just now would be a leak.
    if (!hadLease) await releaseLease({ root: inst.root, worktreeId: inst.worktreeId }, env);
    throw error;
  }
  opts.onEvent?.({
    type: 'lease',
    base: leased.lease.base,
    ports: plan.ports,
    moved: leased.moved ?? null,
    reclaimed: leased.reclaimed.map((l) => l.worktreeId),
    warnings: leased.warnings,
  });
  return plan;
}

async function spawnSupervisor(
  plan: InstancePlan,
  opts: StartOptions,
): Promise<{ follower: Follower; pid: number; first: StreamItem }> {
  const files = instanceFiles(plan.stateDir);
  mkdirSync(files.logs, { recursive: true });
  writeJsonAtomic(files.plan, { plan, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) }, 0o600);
  const out = openSync(files.supervisorLog, 'a');
  const child = spawn(process.execPath, [...supervisorEntry().args, files.plan], {
    cwd: plan.root,
    detached: true,
    stdio: ['ignore', out, out],
    env: cleanEnv(opts.env ?? process.env),
  });
  closeSync(out);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  child.unref();
  const deadline = Date.now() + SUPERVISOR_BOOT_MS;
  let delay = 2;
  for (;;) {
    try {
      const follower = await Follower.open(plan.socket);
      const first = await follower.next();
      if (first?.type === 'snapshot' && first.state.supervisor.pid === child.pid)
        return { follower, pid: child.pid, first };
      follower.close();
    } catch {
      // not listening yet
    }
    if (exited || Date.now() > deadline) {
      throw new FactoryFailure('supervisor-failed', `the supervisor did not start (see ${files.supervisorLog})`, {
        exitCode: ExitCode.internal,
      });
    }
    await sleep(delay);
    delay = Math.min(10, delay * 2); // a connect to a socket not there yet fails at once: cheap to retry
  }
}

async function waitGone(p: ProcessIdentity, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(p) && Date.now() < deadline) await sleep(10);
}

function failureMessage(
  e: NonNullable<ReturnType<typeof readStateFile>>['error'],
  logPath: string | undefined,
): string {
  if (!e) return 'startup failed';
  const lines = [e.message];
  if (e.check) lines.push(`  check: ${e.check}`);
  if (e.exitCode !== null) lines.push(`  exit code: ${e.exitCode}`);
  if (e.logTail.length) {
    lines.push(`  last ${e.logTail.length} line(s) of ${logPath ?? 'its log'}:`);
    for (const l of e.logTail) lines.push(`    ${l}`);
  }
  return lines.join('\n');
}

export async function startInstance(opts: StartOptions = {}): Promise<InstanceStatus> {
  const inst = await resolveInstance(opts);
  const files = instanceFiles(inst.stateDir);
  const self = identityOf(process.pid) ?? { pid: process.pid, startTime: -1 };
  if (opts.signal?.aborted) throw interrupted();
  const compose = await preflightInstance(inst, opts);

  let attached = false;
  const { follower, pid, socket, first } = await withLock(files.startLock, 'instance start', async () => {
    const prev = readStateFile(inst.stateDir);
    if (prev && processAlive(prev.supervisor)) {
      attached = true;
      opts.onEvent?.({ type: 'attached', pid: prev.supervisor.pid, phase: prev.phase });
      return {
        follower: await Follower.open(prev.supervisor.socket),
        pid: prev.supervisor.pid,
        socket: prev.supervisor.socket,
        first: undefined,
      };
    }
    const plan = await prepareInstance(inst, opts, self, compose ?? (await preflightInstance(inst, opts)));
    if (opts.signal?.aborted) throw interrupted();
    const s = await spawnSupervisor(plan, opts);
    return { ...s, socket: plan.socket };
  });
  const supervisor = identityOf(pid);

  let abortRequested = false;
  // Interrupting a start that attached to someone else's instance only detaches: it stops what it started.
  const onAbort = () => {
    abortRequested = true;
    if (attached) follower.close();
    else void request(socket, { cmd: 'stop' }).catch(() => undefined);
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let failure: NonNullable<ReturnType<typeof readStateFile>>['error'] = null;
  try {
    // The snapshot spawnSupervisor already read is the first item: an instance can be ready by then.
    let pending: StreamItem | undefined = first;
    for (;;) {
      const item = pending ?? (await follower.next());
      pending = undefined;
      if (item === null) break;
      if (item.type === 'snapshot') {
        const ph = item.state.phase;
        if (ph === 'running' || ph === 'degraded') break;
        if (ph === 'failed' || ph === 'stopped') {
          failure = item.state.error;
          break;
        }
        continue;
      }
      opts.onEvent?.(item);
      if (item.type === 'ready') break;
      if (item.type === 'failed') failure = item.error;
      if (item.type === 'stopped') break;
    }
  } finally {
    follower.close();
    opts.signal?.removeEventListener('abort', onAbort);
  }
  const state = readStateFile(inst.stateDir);
  const loc = { worktreeId: inst.worktreeId, root: inst.root, stateDir: inst.stateDir, file: inst.contract.file };
  if (abortRequested && attached) {
    throw new FactoryFailure('interrupted', 'interrupted; the instance this start attached to keeps running', {
      exitCode: ExitCode.interrupted,
    });
  }
  if (abortRequested || failure || !state || !processAlive(state.supervisor)) {
    if (supervisor) await waitGone(supervisor, SUPERVISOR_EXIT_WAIT_MS);
    if (abortRequested) throw interrupted();
    const err = failure ?? readStateFile(inst.stateDir)?.error ?? null;
    if (err) {
      const logPath = state?.services[err.service]?.logPath;
      throw new FactoryFailure('service-failed', failureMessage(err, logPath), {
        exitCode: ExitCode.failed,
        hint: `logs: factory logs ${err.service}${inst.worktreeId ? ` --worktree-id ${inst.worktreeId}` : ''}`,
        details: {
          service: err.service,
          check: err.check,
          exitCode: err.exitCode,
          logTail: err.logTail,
          logPath: logPath ?? null,
        },
      });
    }
    if (readStateFile(inst.stateDir)?.phase === 'stopped') {
      throw new FactoryFailure(
        'stopped-while-starting',
        `instance "${inst.worktreeId}" was stopped before it was ready`,
        { exitCode: ExitCode.failed },
      );
    }
    throw new FactoryFailure(
      'supervisor-died',
      `the supervisor exited before the instance was ready (see ${files.supervisorLog})`,
      { exitCode: ExitCode.failed },
    );
  }
  return statusFromState(loc, state);
}
