/**
 * What `factory validate` reads of a running instance: whether its supervisor is alive, the state of
 * each service, its URLs, and the environment its templates resolve from. Read-only: validation
 * never starts or repairs services (docs/architecture.md: "asks services").
 *
 * It reads state.json the way the runtime writes it (src/services/state.ts), checks the supervisor by
 * pid + start time (a recycled pid is not "running"), and rebuilds the instance env with the
 * contract's own `buildInstanceEnv` from the leased ports recorded there.
 */
import { readFile } from 'node:fs/promises';
import { buildInstanceEnv } from '../contract/interpolate.js';
import type { Contract } from '../contract/types.js';
import { defaultWorktreeId, instanceDir, instanceFiles, validateWorktreeId } from '../services/paths.js';
import { processAlive } from '../services/proc.js';
import type { InstanceStateFile } from '../services/state.js';
import type { InstanceView } from './preflight.js';

async function readState(stateDir: string): Promise<InstanceStateFile | undefined> {
  try {
    return JSON.parse(await readFile(instanceFiles(stateDir).state, 'utf8')) as InstanceStateFile;
  } catch {
    return undefined;
  }
}

export async function readInstance(
  contract: Contract,
  opts: { worktreeId?: string | undefined; env?: NodeJS.ProcessEnv },
): Promise<InstanceView> {
  const env = opts.env ?? process.env;
  const worktreeId = validateWorktreeId(opts.worktreeId ?? (env.FACTORY_WORKTREE_ID || defaultWorktreeId(contract.root)));
  const stateDir = instanceDir(contract.root, worktreeId);
  const state = await readState(stateDir);
  // A live supervisor that is still starting or is stopping counts as running; whether the services a
  // scenario needs are ready is checkNeeds' question, with a better message than "not running".
  const running = state !== undefined && processAlive(state.supervisor) && state.phase !== 'stopped';
  if (!state || !running) return { worktreeId, running: false, services: {}, urls: {}, env: {} };
  return {
    worktreeId,
    running,
    services: Object.fromEntries(Object.values(state.services).map((s) => [s.name, s.state])),
    urls: state.urls,
    env: buildInstanceEnv(contract, { worktreeId, stateDir, ports: state.ports, processEnv: env, portBase: state.portBase }),
  };
}
