/**
 * `stopInstance` and `cleanInstance`. Neither needs the contract: everything is in state.json.
 *
 * stop: a live supervisor is asked over its socket (it stops services in reverse start order and
 * confirms the ports are free) and awaited until its process is gone; a dead supervisor's
 * leftovers are reaped from the recorded pids + start times and the instance marker.
 * clean: stop, then `docker compose down -v --remove-orphans` for compose projects, remove the
 * instance dir and release the port lease.
 */
import { existsSync, rmSync } from 'node:fs';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { writeJsonAtomic } from './atomic.js';
import { releaseLease, type Lease } from './leases.js';
import { instanceFiles, locateInstance, type InstanceLocation, type LocateOptions } from './paths.js';
import { waitPortsFree } from './ports.js';
import { processAlive, type ProcessIdentity } from './proc.js';
import { reapInstance } from './reap.js';
import { request } from './socket.js';
import { readStateFile } from './status-read.js';
import { runQuiet } from './run-quiet.js';

const SUPERVISOR_EXIT_WAIT_MS = 60_000;
const PORT_WAIT_MS = 5_000;

export interface StopResult {
  worktreeId: string;
  stateDir: string;
  /** What was running: the supervisor, or only leftovers of a dead one, or nothing. */
  was: 'running' | 'supervisor-dead' | 'not-running';
  /** Leftover processes reaped (supervisor dead, or still alive after it exited). */
  reaped: ProcessIdentity[];
  /** Leased ports still bound after stopping (should be empty). */
  busyPorts: number[];
}

export interface CleanResult extends StopResult {
  removed: boolean;
  lease: Pick<Lease, 'base' | 'size'> | null;
  compose: { argv: string[]; exitCode: number | null }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stop the instance at `loc` (also `ps --prune`'s way to settle an instance whose supervisor died). */
export async function stopAt(loc: InstanceLocation): Promise<StopResult> {
  const state = readStateFile(loc.stateDir);
  const base = { worktreeId: loc.worktreeId, stateDir: loc.stateDir };
  if (!state) return { ...base, was: 'not-running', reaped: [], busyPorts: [] };
  let was: StopResult['was'] = 'not-running';
  if (processAlive(state.supervisor)) {
    was = 'running';
    try {
      await request(state.supervisor.socket, { cmd: 'stop' }, SUPERVISOR_EXIT_WAIT_MS);
    } catch {
      // it died meanwhile, or the socket is gone: the reaping below covers it
    }
    const deadline = Date.now() + SUPERVISOR_EXIT_WAIT_MS;
    while (processAlive(state.supervisor) && Date.now() < deadline) await sleep(10);
    if (processAlive(state.supervisor)) {
      throw new FactoryFailure('stop-timeout', `the supervisor (pid ${state.supervisor.pid}) did not exit`, {
        exitCode: ExitCode.failed,
      });
    }
  } else if (state.phase !== 'stopped' && state.phase !== 'failed') {
    was = 'supervisor-dead';
  }
  const latest = readStateFile(loc.stateDir) ?? state;
  const reaped = await reapInstance(latest);
  if (was !== 'running' || reaped.length > 0) {
    latest.phase = latest.phase === 'failed' ? 'failed' : 'stopped';
    latest.children = [];
    for (const s of Object.values(latest.services)) {
      if (s.pid !== null) {
        s.pid = null;
        s.pidStartTime = null;
        if (s.state !== 'failed' && s.state !== 'completed') s.state = 'stopped';
      }
    }
    writeJsonAtomic(instanceFiles(loc.stateDir).state, latest);
  }
  const busyPorts = await waitPortsFree(Object.values(state.ports), PORT_WAIT_MS);
  return { ...base, was, reaped, busyPorts };
}

export async function stopInstance(opts: LocateOptions = {}): Promise<StopResult> {
  return stopAt(locateInstance(opts));
}

export async function cleanInstance(opts: LocateOptions = {}): Promise<CleanResult> {
  const loc = locateInstance(opts);
  const state = readStateFile(loc.stateDir);
  const stopped = await stopAt(loc);
  const compose: CleanResult['compose'] = [];
  for (const argv of state?.composeDown ?? [])
    compose.push({ argv, exitCode: await runQuiet(argv, process.env as Record<string, string>) });
  // Whether there was an instance folder to remove: a second clean removes nothing and says so.
  const removed = existsSync(loc.stateDir);
  rmSync(loc.stateDir, { recursive: true, force: true });
  const lease = await releaseLease({ root: loc.root, worktreeId: loc.worktreeId }, opts.env ?? process.env);
  return { ...stopped, removed, lease: lease ? { base: lease.base, size: lease.size } : null, compose };
}
