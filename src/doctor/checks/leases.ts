/**
 * The machine's instance state: the state dir is writable, the port-lease registry parses, and no
 * instance leaks (a lease without its instance, a dead supervisor, orphan processes — `factory ps`).
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { listInstances, machineStateDir, registryPath } from '../../services/index.js';
import { broken, type Check, ok } from '../types.js';

export const leaseRegistry: Check = {
  id: 'leases',
  need: () => ({ needed: true, why: 'every instance leases its ports there' }),
  probe: async ({ env }) => {
    const dir = machineStateDir(env);
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
    } catch (e) {
      return broken(
        `the machine state dir ${dir} is not writable: ${(e as Error).message}`,
        `mkdir -p ${dir} && chown "$(id -u)" ${dir}`,
      );
    }
    const file = registryPath(env);
    if (existsSync(file)) {
      try {
        const reg = JSON.parse(readFileSync(file, 'utf8')) as { leases?: unknown };
        if (!Array.isArray(reg.leases)) throw new Error('no "leases" list');
      } catch (e) {
        return broken(
          `${file} is not a lease registry: ${(e as Error).message}`,
          `mv ${file} ${file}.broken   (factory writes a fresh one; running instances re-lease on their next start)`,
        );
      }
    }
    const instances = listInstances(env);
    // A lease whose checkout is gone is garbage `factory ps` drops on its own (ADR 0018); a dead
    // supervisor's leftovers and a leased port held by someone else hold ports and memory.
    const dead = instances.find((i) => i.leaks.some((l) => l === 'orphans' || l === 'ports-bound'));
    if (dead?.root && dead.worktreeId)
      return broken(
        `instance ${dead.worktreeId} in ${dead.root}: ${dead.leaks.join(', ')}${dead.processes.length ? ` (pids ${dead.processes.map((p) => p.pid).join(', ')})` : ''}`,
        `cd ${dead.root} && factory stop --worktree-id ${dead.worktreeId}   (factory ps lists every leak)`,
      );
    // Marked processes this registry does not know may be another state dir's instances
    // (FACTORY_STATE_HOME): reported, never something to kill on doctor's word.
    const strays = instances.filter((i) => i.leaks.includes('unknown-processes')).flatMap((i) => i.processes).length;
    const live = instances.filter((i) => i.running).length;
    return ok(
      `${dirname(file)}: ${instances.length} lease(s), ${live} running${strays ? `, ${strays} marked process(es) of instances it does not know (another state dir, or leftovers: factory ps)` : ''}`,
    );
  },
};
