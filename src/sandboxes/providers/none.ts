import { homedir } from 'node:os';
import { hostEnv, identityEnv, safetyConfigEnv } from '../git.js';
import type { Sandbox, SandboxCreateOptions, SandboxProvider } from '../types.js';
import { makeSandbox } from './base.js';

/**
 * No isolation: commands run on the host, as you, with your HOME and environment (so an agent's
 * own login works). Each exec still gets its own process group and is killed whole on abort,
 * timeout or close. Use it when you sit at the keyboard; use bwrap for unattended runs.
 */
export function noSandbox(): SandboxProvider {
  return {
    name: 'none',
    kind: 'bind-mount',
    available: async () => ({ ok: true }),
    create: async (options: SandboxCreateOptions): Promise<Sandbox> => {
      const home = process.env.HOME ?? homedir();
      const env = {
        ...hostEnv(),
        ...(options.gitIdentity ? identityEnv(options.gitIdentity) : {}),
        ...safetyConfigEnv(),
        ...options.env,
      };
      return makeSandbox({
        provider: 'none',
        kind: 'bind-mount',
        worktreePath: options.worktree.path,
        workdir: options.worktree.path,
        home,
        hostHome: home,
        env,
        wrap: (argv, cwd, execEnv) => ({ argv, cwd, env: execEnv }),
      });
    },
  };
}
