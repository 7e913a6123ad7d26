/**
 * `factory ps`: every instance on this machine, from the lease registry plus a scan for marked
 * processes, sorted by repository and id, with the real leaks flagged — what still holds a
 * resource although its instance does not run:
 * - `orphans`: live processes of an instance whose supervisor is not running;
 * - `unknown-processes`: live processes factory started (this registry's marker) that belong to no
 *   lease;
 * - `ports-bound`: a port of the lease of an instance that does not run has a listener that is not
 *   one of its processes (a process factory did not start, or one that shed the marker).
 * A stopped instance keeping its lease is no leak (it gets its ports back); a lease whose instance
 * is gone is garbage, dropped on its own (`reclaimLeases`, docs/adr/0018). `--prune` reaps the
 * leaked processes (recorded pid + start time, or the marker; never a foreign process) and marks
 * instances whose supervisor died as stopped.
 */
import { resolve } from 'node:path';
import { MARKER_INSTANCE, MARKER_REGISTRY } from './markers.js';
import { instanceKey } from './instance-key.js';
import { leaseAlive, readLeases, reclaimLeases, type PortHolder, type ReclaimedLease } from './leases.js';
import { machineStateDir } from './paths.js';
import { commandLineOf, envOf, listenersOf, listeningPorts, processesWithEnv, type ProcessIdentity } from './proc.js';
import { reapInstance } from './reap.js';
import { readStateFile, statusFromState } from './status-read.js';
import { stopAt } from './stop.js';

export type Leak = 'orphans' | 'unknown-processes' | 'ports-bound';

export interface InstanceSummary {
  worktreeId: string | null;
  root: string | null;
  stateDir: string | null;
  portBase: number | null;
  portCount: number | null;
  phase: string;
  supervisorPid: number | null;
  running: boolean;
  urls: Record<string, string>;
  processes: ProcessIdentity[];
  /** Ports of the lease with a listener while the instance does not run (pid and command each). */
  boundPorts: PortHolder[];
  leaks: Leak[];
}

export interface PrunedProcess extends ProcessIdentity {
  command: string | null;
  worktreeId: string | null;
  root: string | null;
}

export interface PsReport {
  instances: InstanceSummary[];
  /** Garbage leases dropped by this call (it happens at every registry change). */
  reclaimed: ReclaimedLease[];
  /** What `--prune` removed; null without it. */
  pruned: { processes: PrunedProcess[]; stopped: { worktreeId: string; root: string }[] } | null;
}

/** Whether a marked process was started against this registry (older factories set no marker). */
function inThisRegistry(pid: number, here: string): boolean {
  const marked = envOf(pid, MARKER_REGISTRY);
  if (marked !== undefined) return resolve(marked) === here;
  const stateHome = envOf(pid, 'FACTORY_STATE_HOME');
  if (stateHome) return resolve(stateHome) === here;
  const xdg = envOf(pid, 'XDG_STATE_HOME');
  return machineStateDir(xdg ? { XDG_STATE_HOME: xdg } : {}) === here;
}

const byRepoAndId = (a: InstanceSummary, b: InstanceSummary) =>
  a.root === b.root
    ? (a.worktreeId ?? '').localeCompare(b.worktreeId ?? '')
    : a.root === null
      ? 1
      : b.root === null
        ? -1
        : a.root.localeCompare(b.root);

/** The instances as they are now; changes nothing. */
export function listInstances(env: NodeJS.ProcessEnv = process.env): InstanceSummary[] {
  const here = machineStateDir(env);
  const byKey = new Map<string, ProcessIdentity[]>();
  for (const p of processesWithEnv(MARKER_INSTANCE, () => true)) {
    if (!inThisRegistry(p.pid, here)) continue;
    const key = envOf(p.pid, MARKER_INSTANCE) ?? '';
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  const listening = listeningPorts();
  const out: InstanceSummary[] = [];
  for (const lease of readLeases(env)) {
    const key = instanceKey(lease.stateDir);
    const procs = byKey.get(key) ?? [];
    byKey.delete(key);
    const state = readStateFile(lease.stateDir);
    const status = state
      ? statusFromState(
          { worktreeId: lease.worktreeId, root: lease.root, stateDir: lease.stateDir, file: state.contractFile },
          state,
        )
      : undefined;
    const running = status?.running ?? false;
    const seen = new Set(procs.map((p) => p.pid));
    const processes = [...procs, ...(status?.orphans ?? []).filter((p) => !seen.has(p.pid))];
    const boundPorts: PortHolder[] = [];
    if (!running) {
      for (let port = lease.base; port < lease.base + lease.size; port++) {
        if (listening.has(port))
          boundPorts.push({
            port,
            pids: listenersOf(port).map((pid) => ({
              pid,
              ...(commandLineOf(pid) ? { command: commandLineOf(pid) } : {}),
            })),
          });
      }
    }
    const leaks: Leak[] = [];
    if (!running && processes.length > 0) leaks.push('orphans');
    // A listener that is one of those processes is already counted as an orphan.
    const mine = new Set(processes.map((p) => p.pid));
    if (boundPorts.some((b) => b.pids.length === 0 || b.pids.some((h) => !mine.has(h.pid)))) leaks.push('ports-bound');
    out.push({
      worktreeId: lease.worktreeId,
      root: lease.root,
      stateDir: lease.stateDir,
      portBase: lease.base,
      portCount: lease.size,
      phase: status ? status.phase : leaseAlive(lease) ? 'leased' : 'not-started',
      supervisorPid: running && state ? state.supervisor.pid : null,
      running,
      urls: running && status ? status.urls : {},
      processes,
      boundPorts,
      leaks,
    });
  }
  for (const procs of byKey.values()) {
    out.push({
      worktreeId: null,
      root: null,
      stateDir: null,
      portBase: null,
      portCount: null,
      phase: 'unknown',
      supervisorPid: null,
      running: false,
      urls: {},
      processes: procs,
      boundPorts: [],
      leaks: ['unknown-processes'],
    });
  }
  return out.sort(byRepoAndId);
}

async function prune(list: InstanceSummary[]): Promise<NonNullable<PsReport['pruned']>> {
  const processes: PrunedProcess[] = [];
  const stopped: { worktreeId: string; root: string }[] = [];
  const note = (found: ProcessIdentity[], i: InstanceSummary, commands: Map<number, string | undefined>) => {
    for (const p of found)
      processes.push({ ...p, command: commands.get(p.pid) ?? null, worktreeId: i.worktreeId, root: i.root });
  };
  for (const i of list) {
    if (i.running) continue;
    const commands = new Map(i.processes.map((p) => [p.pid, commandLineOf(p.pid)]));
    const state = i.stateDir ? readStateFile(i.stateDir) : undefined;
    if (state && i.worktreeId && i.root && i.stateDir) {
      // stop's own path for a dead supervisor: reap recorded children and marked strays, mark stopped.
      const wasLive = state.phase !== 'stopped' && state.phase !== 'failed';
      if (!wasLive && i.processes.length === 0) continue;
      const r = await stopAt({
        worktreeId: i.worktreeId,
        root: i.root,
        stateDir: i.stateDir,
        file: state.contractFile,
      });
      note(r.reaped, i, commands);
      if (wasLive) stopped.push({ worktreeId: i.worktreeId, root: i.root });
      continue;
    }
    if (i.processes.length === 0) continue;
    // No state to read: the marker is all there is (processes of a lease, or of no lease at all).
    const keys = new Set(
      i.stateDir
        ? [instanceKey(i.stateDir)]
        : i.processes.map((p) => envOf(p.pid, MARKER_INSTANCE)).filter((k): k is string => k !== undefined),
    );
    for (const k of keys) note(await reapInstance({ children: [], instanceKey: k }), i, commands);
  }
  return { processes, stopped };
}

/** `factory ps [--prune]`: drop garbage leases, optionally prune leaks, list what is left. */
export async function inspectInstances(opts: { prune?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<PsReport> {
  const env = opts.env ?? process.env;
  const reclaimed = await reclaimLeases(env);
  if (!opts.prune) return { instances: listInstances(env), reclaimed, pruned: null };
  const pruned = await prune(listInstances(env));
  // Reaping can leave more garbage (a lease whose only trace was its processes).
  reclaimed.push(...(await reclaimLeases(env)));
  return { instances: listInstances(env), reclaimed, pruned };
}
