/**
 * The machine state dir every layer shares (the lease registry, the compiled-contract cache, the
 * job store): FACTORY_STATE_HOME, else $XDG_STATE_HOME/factory, else ~/.local/state/factory.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function machineStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FACTORY_STATE_HOME) return resolve(env.FACTORY_STATE_HOME);
  if (env.XDG_STATE_HOME) return join(resolve(env.XDG_STATE_HOME), 'factory');
  return join(homedir(), '.local', 'state', 'factory');
}
