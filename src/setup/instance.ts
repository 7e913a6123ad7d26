/**
 * Which instance `factory setup` and `factory test` act on: its worktree id and state directory
 * (`<root>/.factory/instances/<id>`), by the runtime's own rules (src/services/paths.ts), so that
 * setup, test and start always agree: `--worktree-id`, then FACTORY_WORKTREE_ID, then the name of
 * the git worktree holding the contract, else the root's name.
 */
import type { Contract } from '../contract/index.js';
import { instanceDir, worktreeIdFor } from '../services/read.js';

export interface InstanceRef {
  worktreeId: string;
  stateDir: string;
}

export async function resolveInstanceRef(
  contract: Contract,
  flag?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<InstanceRef> {
  const worktreeId = worktreeIdFor(contract.root, flag, env);
  return { worktreeId, stateDir: instanceDir(contract.root, worktreeId) };
}
