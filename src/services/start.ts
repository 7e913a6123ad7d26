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
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import type { SupervisorEvent } from './events.js';
import { Follower } from './follower.js';
import { locate, resolveInstance, type InstanceOptions, type ResolvedInstance } from './instance.js';
import { acquireLease, readLeases, releaseLease, type LeaseResult } from './leases.js';
import { withLock } from './lock.js';
import { socketPathFor } from './instance-key.js';
import { instanceFiles, locateInstance } from './paths.js';
import { cleanEnv, PendingSupervisor } from './supervisor-spawn.js';
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

const SUPERVISOR_EXIT_WAIT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

/**
 * The supervisor, spawned before the contract is compiled when no supervisor runs for this
 * instance already (./supervisor-spawn.ts). Nothing but a located contract file is needed: a
 * start that cannot find one, or finds the instance running, spawns nothing early.
 */
function earlySupervisor(opts: StartOptions): PendingSupervisor | undefined {
  if (opts.signal?.aborted) return undefined;
  let root: string;
  let stateDir: string;
  try {
    ({ root, stateDir } = opts.instance ?? locateInstance(locate(opts)));
  } catch {
    return undefined; // resolveInstance reports it
  }
  const prev = readStateFile(stateDir);
  if (prev && processAlive(prev.supervisor)) return undefined;
  return PendingSupervisor.early(root, stateDir, opts.env ?? process.env);
}

export async function startInstance(opts: StartOptions = {}): Promise<InstanceStatus> {
  let early = earlySupervisor(opts);
  try {
    return await startWith(opts, () => {
      const e = early;
      early = undefined;
      return e;
    });
  } finally {
    await early?.cancel();
  }
}

async function startWith(opts: StartOptions, takeEarly: () => PendingSupervisor | undefined): Promise<InstanceStatus> {
  const inst = await resolveInstance(opts);
  const files = instanceFiles(inst.stateDir);
  const self = identityOf(process.pid) ?? { pid: process.pid, startTime: -1 };
  if (opts.signal?.aborted) throw interrupted();
  const compose = await preflightInstance(inst, opts);

  let attached = false;
  const { follower, pid, socket, first } = await withLock(files.startLock, 'instance start', async () => {
    const prev = readStateFile(inst.stateDir);
    if (prev && processAlive(prev.supervisor)) {
      await takeEarly()?.cancel();
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
    let sup = takeEarly();
    if (!sup?.alive || sup.stateDir !== plan.stateDir) {
      await sup?.cancel();
      sup = PendingSupervisor.classic(plan, opts.env ?? process.env);
    }
    const s = await sup.handOver(plan, opts.timeoutMs);
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
