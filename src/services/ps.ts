/**
 * `listInstances` (`factory ps`): every instance on this machine, from the lease registry plus a
 * scan for marked processes, with leaks flagged:
 * - `lease-without-instance`: a lease whose instance dir is gone (clean it with `factory clean`
 *   from that checkout, or it is reclaimed once another instance needs the block);
 * - `supervisor-dead`: state says running, its supervisor is gone;
 * - `orphans`: live processes of an instance whose supervisor is dead;
 * - `unknown-processes`: marked processes belonging to no known instance.
 */
import { existsSync } from 'node:fs';
import { MARKER_INSTANCE } from './markers.js';
import { instanceKey } from './instance-key.js';
import { leaseAlive, readLeases } from './leases.js';
import { processAlive, processesWithEnv, envOf, type ProcessIdentity } from './proc.js';
import { readStateFile } from './status-read.js';

export type Leak = 'lease-without-instance' | 'supervisor-dead' | 'orphans' | 'unknown-processes';

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
  leaks: Leak[];
}

export function listInstances(env: NodeJS.ProcessEnv = process.env): InstanceSummary[] {
  const byKey = new Map<string, ProcessIdentity[]>();
  for (const p of processesWithEnv(MARKER_INSTANCE, () => true)) {
    const key = envOf(p.pid, MARKER_INSTANCE) ?? '';
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  const out: InstanceSummary[] = [];
  for (const lease of readLeases(env)) {
    const key = instanceKey(lease.stateDir);
    const procs = byKey.get(key) ?? [];
    byKey.delete(key);
    const leaks: Leak[] = [];
    const dirExists = existsSync(lease.stateDir);
    if (!dirExists) leaks.push('lease-without-instance');
    const state = dirExists ? readStateFile(lease.stateDir) : undefined;
    const running = state ? processAlive(state.supervisor) : false;
    let phase = state?.phase ?? 'not-started';
    if (state && !running && phase !== 'stopped' && phase !== 'failed') {
      phase = 'supervisor-dead' as typeof phase;
      leaks.push('supervisor-dead');
    }
    if (!running && procs.length > 0) leaks.push('orphans');
    out.push({
      worktreeId: lease.worktreeId,
      root: lease.root,
      stateDir: lease.stateDir,
      portBase: lease.base,
      portCount: lease.size,
      phase: running ? phase : leaseAlive(lease) && !state ? 'leased' : phase,
      supervisorPid: running && state ? state.supervisor.pid : null,
      running,
      urls: running && state ? state.urls : {},
      processes: procs,
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
      leaks: ['unknown-processes'],
    });
  }
  return out;
}
