import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { FactoryFailure, ExitCode } from '../../lib/failure.js';
import { runProcess } from '../run-process.js';
import { hostEnv } from '../git.js';
import type { Mount, NetworkMode, Sandbox, SandboxCreateOptions, SandboxProvider } from '../types.js';
import { makeSandbox, resolveMounts, sandboxBaseEnv, prepareSandboxDirs } from './base.js';
import { bwrapArgs, bwrapCommand } from './bwrap-args.js';
import { FACTORY_ROOT, hiddenDirs, toolDirs } from './tool-dirs.js';

export interface BwrapOptions {
  /** Default network for sandboxes of this provider: 'host' (app reachable) unless told otherwise. */
  network?: NetworkMode;
  mounts?: Mount[];
  /** Path of the bwrap binary (default `bwrap` from PATH). */
  binary?: string;
}

/**
 * bwrap creates a missing mount point only on a writable layer; / is read-only here. Say so up
 * front instead of failing every exec with "Can't mkdir".
 */
function checkMountTargets(mounts: Mount[], workdir: string, writableRoots: string[]): void {
  for (const mount of mounts) {
    if (!existsSync(mount.hostPath)) {
      throw new FactoryFailure('sandbox-mount-missing', `Mount source ${mount.hostPath} does not exist.`, {
        exitCode: ExitCode.invalid,
      });
    }
    const target = isAbsolute(mount.sandboxPath) ? mount.sandboxPath : resolve(workdir, mount.sandboxPath);
    const underWritable = writableRoots.some((root) => target === root || target.startsWith(`${root}/`));
    if (!underWritable && !existsSync(target)) {
      throw new FactoryFailure(
        'sandbox-mount-target',
        `bwrap cannot create mount point ${target}: the host filesystem is read-only in the sandbox.`,
        {
          exitCode: ExitCode.invalid,
          hint: `Mount under ${writableRoots.join(', ')}, or at a path that exists on the host.`,
        },
      );
    }
  }
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
          {
            argv: [binary, '--ro-bind', '/', '/', '--unshare-pid', '--cap-drop', 'ALL', '--', 'true'],
            cwd: '/',
            env: hostEnv(),
          },
          { timeoutMs: 10_000 },
        ).done;
        return result.exitCode === 0
          ? { ok: true }
          : { ok: false, reason: `bwrap cannot create a sandbox here: ${result.stderr.trim()}` };
      } catch {
        return { ok: false, reason: 'bwrap is not installed (Debian: apt-get install bubblewrap).' };
      }
    },
    create: async (options: SandboxCreateOptions): Promise<Sandbox> => {
      const { worktree } = options;
      const { home, tmp } = await prepareSandboxDirs(worktree);
      const hidden = hiddenDirs();
      const mounts = resolveMounts([...(config.mounts ?? []), ...(options.mounts ?? [])], worktree.repoRoot);
      checkMountTargets(mounts, worktree.path, ['/tmp', ...hidden, worktree.path]);
      const policy = bwrapArgs({
        worktree,
        network: options.network ?? config.network ?? 'host',
        mounts,
        home,
        tmp,
        hiddenDirs: hidden,
        toolDirs: toolDirs({ ...process.env, ...options.env }.PATH ?? '', FACTORY_ROOT, ['/tmp', ...hidden]),
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
          argv: [
            binary,
            ...bwrapCommand(interactive ? policy.filter((a) => a !== '--new-session') : policy, cwd, argv).slice(1),
          ],
          cwd: worktree.path,
          env: execEnv,
        }),
      });
    },
  };
}
