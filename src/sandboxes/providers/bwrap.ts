import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '../run-process.js';
import { gitEnv } from '../git.js';
import type { Mount, NetworkMode, Sandbox, SandboxCreateOptions, SandboxProvider } from '../types.js';
import { makeSandbox, sandboxBaseEnv } from './base.js';
import { bwrapArgs, bwrapCommand, bwrapWritableGitPaths } from './bwrap-args.js';

export interface BwrapOptions {
  /** Default network for sandboxes of this provider: 'host' (app reachable) unless told otherwise. */
  network?: NetworkMode;
  mounts?: Mount[];
  /** Path of the bwrap binary (default `bwrap` from PATH). */
  binary?: string;
}

/** Host dirs that may hold someone's secrets: hidden behind empty tmpfs. */
function hiddenDirs(): string[] {
  const dirs = new Set(['/root', '/home']);
  const home = process.env.HOME;
  if (home && home !== '/' && existsSync(home)) dirs.add(home);
  return [...dirs].filter((d) => existsSync(d));
}

/**
 * bubblewrap: the real isolation on Linux without a container engine. Policy in ./bwrap-args.ts.
 * One bwrap per exec (~10 ms); HOME and TMPDIR persist in the sandbox's state dir between execs.
 */
export function bwrap(config: BwrapOptions = {}): SandboxProvider {
  const binary = config.binary ?? 'bwrap';
  return {
    name: 'bwrap',
    kind: 'bind-mount',
    available: async () => {
      try {
        const result = await runProcess(
          { argv: [binary, '--ro-bind', '/', '/', '--unshare-pid', '--cap-drop', 'ALL', '--', 'true'], cwd: '/', env: gitEnv() },
          { timeoutMs: 10_000 },
        ).done;
        return result.exitCode === 0 ? { ok: true } : { ok: false, reason: `bwrap cannot create a sandbox here: ${result.stderr.trim()}` };
      } catch {
        return { ok: false, reason: 'bwrap is not installed (Debian: apt-get install bubblewrap).' };
      }
    },
    create: async (options: SandboxCreateOptions): Promise<Sandbox> => {
      const { worktree } = options;
      const home = join(worktree.stateDir, 'home');
      const tmp = join(worktree.stateDir, 'tmp');
      await mkdir(home, { recursive: true });
      await mkdir(tmp, { recursive: true });
      // Branch ref dirs may not exist yet (a packed ref); bwrap cannot bind a missing path.
      for (const path of bwrapWritableGitPaths(worktree)) await mkdir(path, { recursive: true });
      const policy = bwrapArgs({
        worktree,
        network: options.network ?? config.network ?? 'host',
        mounts: [...(config.mounts ?? []), ...(options.mounts ?? [])],
        home,
        tmp,
        hiddenDirs: hiddenDirs(),
      });
      const env = await sandboxBaseEnv(options, home, tmp);
      return makeSandbox({
        provider: 'bwrap',
        kind: 'bind-mount',
        worktreePath: worktree.path,
        workdir: worktree.path,
        home,
        hostHome: home,
        env,
        wrap: (argv, cwd, execEnv, interactive) => ({
          argv: [binary, ...bwrapCommand(interactive ? policy.filter((a) => a !== '--new-session') : policy, cwd, argv).slice(1)],
          cwd: worktree.path,
          env: execEnv,
        }),
      });
    },
  };
}
