import { isAbsolute, join, resolve } from 'node:path';
import type { Mount, NetworkMode, WorktreeInfo } from '../types.js';

/**
 * The bubblewrap policy, as a pure function of the worktree (unit-tested; the real isolation is
 * tested by running it). Mount order matters: later mounts cover earlier ones.
 *
 *   /                 read-only (the host's tools and libraries)
 *   /dev /proc        fresh; /proc shows only the sandbox's own pid namespace
 *   /tmp /root /home  empty tmpfs: the host's homes and temp files are invisible
 *   tool dirs         read-only again when under those: factory's install, PATH dirs (the agent CLI)
 *   <repo>            read-only again (it may live under /tmp or /home)
 *   worktree          writable
 *   .git, only what `git commit` on this worktree's branch writes (found by test/sandboxes):
 *     objects/                               new blobs, trees, commits
 *     refs/heads/<dir of branch>/            the branch ref and its `.lock` (siblings too, see docs)
 *     logs/refs/heads/<dir of branch>/       the branch's reflog
 *     worktrees/<id>/                        this worktree's HEAD, index, logs/HEAD, COMMIT_EDITMSG
 *   HOME, TMPDIR      <repo>/.factory/sandboxes/<name>/{home,tmp}, writable, kept between execs
 *
 * The rest of `.git` (config, hooks, packed-refs, other branches, tags, the main index) is
 * read-only: an agent cannot move `main`, rewrite config, or delete the repo's refs.
 * With the `head` strategy the worktree IS the repo: its whole `.git` is writable (documented).
 *
 * Process: --unshare-pid (own pid 1; the kernel kills the namespace when it exits),
 * --die-with-parent (killing bwrap kills everything), --new-session (no TIOCSTI into our tty),
 * --cap-drop ALL (we run as root: without it the sandbox could `mount -o remount,rw /`).
 * Network: 'host' shares the host's namespace (the instance's app on 127.0.0.1 is reachable);
 * 'loopback'/'none' get a private namespace with only `lo`.
 */

export interface BwrapPolicyInput {
  worktree: WorktreeInfo;
  network: NetworkMode;
  mounts: Mount[];
  home: string;
  tmp: string;
  /** Directories to hide behind an empty tmpfs (default /root, /home and the host's $HOME). */
  hiddenDirs: string[];
  /**
   * Host tool directories to keep visible read-only even when they sit under /tmp or a hidden dir:
   * factory's own install (its binary is on the agent's PATH) and the PATH directories the agent
   * CLI may live in. Only directories under a hidden location are re-bound; the rest are visible
   * through the read-only root anyway.
   */
  toolDirs?: string[];
}

/** The directory holding the branch ref: `agent/fix-42` → `refs/heads/agent`, `foo` → `refs/heads`. */
export function branchRefDir(branch: string): string {
  const slash = branch.lastIndexOf('/');
  return slash === -1 ? 'refs/heads' : `refs/heads/${branch.slice(0, slash)}`;
}

/** Host paths that must exist before bwrap can bind them (bwrap fails on a missing source). */
export function bwrapWritableGitPaths(worktree: WorktreeInfo): string[] {
  if (worktree.strategy.type === 'head') return [worktree.gitCommonDir];
  const refDir = branchRefDir(worktree.branch);
  return [
    join(worktree.gitCommonDir, 'objects'),
    join(worktree.gitCommonDir, refDir),
    join(worktree.gitCommonDir, 'logs', refDir),
    worktree.gitDir,
  ];
}

export function bwrapArgs(input: BwrapPolicyInput): string[] {
  const { worktree } = input;
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  for (const dir of input.hiddenDirs) args.push('--tmpfs', dir);
  const covered = ['/tmp', ...input.hiddenDirs];
  for (const dir of new Set(input.toolDirs ?? [])) {
    // Strictly inside: a PATH entry that IS a hidden root (`~`, /root) must not unhide it.
    // …nor one inside another (`$HOME` under /home).
    if (!covered.includes(dir) && covered.some((c) => dir.startsWith(`${c}/`))) args.push('--ro-bind', dir, dir);
  }
  args.push('--ro-bind', worktree.repoRoot, worktree.repoRoot);
  // A repo whose .git lives elsewhere (GIT_DIR / separate-git-dir) must stay visible too.
  if (!worktree.gitCommonDir.startsWith(`${worktree.repoRoot}/`)) {
    args.push('--ro-bind', worktree.gitCommonDir, worktree.gitCommonDir);
  }
  args.push('--bind', worktree.path, worktree.path);
  for (const path of bwrapWritableGitPaths(worktree)) args.push('--bind', path, path);
  args.push('--bind', input.home, input.home, '--bind', input.tmp, input.tmp);
  for (const mount of input.mounts) {
    const target = isAbsolute(mount.sandboxPath) ? mount.sandboxPath : resolve(worktree.path, mount.sandboxPath);
    args.push(mount.readonly ? '--ro-bind' : '--bind', mount.hostPath, target);
  }
  args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts');
  if (input.network !== 'host') args.push('--unshare-net');
  args.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL');
  return args;
}

/** Full argv for one command: policy, then cwd, then the command after `--`. */
export function bwrapCommand(policy: string[], cwd: string, argv: string[]): string[] {
  return ['bwrap', ...policy, '--chdir', cwd, '--', ...argv];
}
