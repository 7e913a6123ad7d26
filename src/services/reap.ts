/**
 * Reap what a dead supervisor left: the children it recorded (pid + start time — a pid the kernel
 * has since given to another process has another start time and is never signalled) and every
 * process carrying the instance's marker (FACTORY_INSTANCE=<key>), which finds grandchildren that
 * left their process group. Stages as in ./process.ts: SIGTERM → grace → SIGKILL → wait gone.
 */
import { MARKER_INSTANCE } from './markers.js';
import { processAlive, processesWithEnv, signalIdentity, type ProcessIdentity } from './proc.js';
import type { InstanceStateFile } from './state.js';

export const REAP_GRACE_MS = 2_000;
const KILL_WAIT_MS = 5_000;
const POLL_MS = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function leftovers(state: Pick<InstanceStateFile, 'children' | 'instanceKey'>): ProcessIdentity[] {
  const seen = new Set<number>();
  const out: ProcessIdentity[] = [];
  for (const p of [...state.children.filter(processAlive), ...processesWithEnv(MARKER_INSTANCE, state.instanceKey)]) {
    if (seen.has(p.pid)) continue;
    seen.add(p.pid);
    out.push({ pid: p.pid, startTime: p.startTime });
  }
  return out;
}

/** Stop every leftover process of the instance. Returns those that were alive when reaping began. */
export async function reapInstance(
  state: Pick<InstanceStateFile, 'children' | 'instanceKey'>,
  graceMs = REAP_GRACE_MS,
): Promise<ProcessIdentity[]> {
  const found = leftovers(state);
  if (found.length === 0) return [];
  for (const p of found) signalIdentity(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && leftovers(state).length > 0) await sleep(POLL_MS);
  const killDeadline = Date.now() + KILL_WAIT_MS;
  let left = leftovers(state);
  while (left.length > 0 && Date.now() < killDeadline) {
    for (const p of left) signalIdentity(p, 'SIGKILL');
    await sleep(POLL_MS);
    left = leftovers(state);
  }
  return found;
}
