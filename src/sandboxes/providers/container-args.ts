import { isAbsolute, resolve } from 'node:path';
import type { Mount, NetworkMode, WorktreeInfo } from '../types.js';
import { bwrapWritableGitPaths } from './bwrap-args.js';

/**
 * The exact `docker run` / `podman run` argv for one exec (pure; unit-tested).
 *
 * One container per exec, `--rm --init`: when the command ends or is killed (`<engine> rm -f`),
 * the container's pid namespace dies with everything in it — the same "no process left behind"
 * rule as bwrap. Paths inside equal host paths (git's absolute worktree links must resolve).
 * Mounts: the worktree and only the writable parts of `.git` (same list as bwrap), the repo
 * read-only, HOME/TMPDIR from the state dir. Env values never appear in argv: `-e NAME` makes the
 * engine read the value from the client's own environment (no secrets in `ps`).
 *
 * An image's root is read-only (`--read-only`), like bwrap's `/`. A host root filesystem
 * (podman `--rootfs`) shows the host's files, so — again like bwrap — /tmp and the homes are empty
 * tmpfs inside (`notmpcopyup`: not seeded with the host's files), with the tool directories that
 * live under them (factory's install, PATH dirs) bound back read-only.
 */

export interface ContainerRunInput {
  engine: 'docker' | 'podman';
  containerName: string;
  /** An image name, or a root filesystem directory (podman `--rootfs`). */
  image: { kind: 'image'; name: string } | { kind: 'rootfs'; path: string };
  worktree: WorktreeInfo;
  home: string;
  tmp: string;
  /** uid:gid to run as; defaults to the host's, so files in the worktree stay yours. */
  user: string;
  network: NetworkMode | { name: string };
  ports: number[];
  mounts: Mount[];
  envNames: string[];
  cwd: string;
  argv: string[];
  /** SELinux relabel suffix for binds (`z`), none by default. */
  selinuxLabel?: 'z' | 'Z';
  extraArgs?: string[];
  /** `--init` (tini/catatonit as pid 1: forwards signals, reaps zombies). Default true. */
  init?: boolean;
  /** Interactive session: allocate a terminal (`-t`). */
  tty?: boolean;
  /**
   * `--rm` (default true). docker turns it off: through podman's Docker API (4.3) `docker run --rm`
   * always exits 0, so the provider removes the container itself once the exec ended.
   */
  autoRemove?: boolean;
  /** rootfs only: host dirs hidden behind an empty tmpfs (besides /tmp): /root, /home, $HOME. */
  hiddenDirs?: string[];
  /** rootfs only: host tool dirs re-bound read-only when they sit under /tmp or a hidden dir. */
  toolDirs?: string[];
}

function volume(host: string, target: string, readonly: boolean, label: 'z' | 'Z' | undefined): string {
  const flags = [readonly ? 'ro' : 'rw', ...(label ? [label] : [])];
  return `${host}:${target}:${flags.join(',')}`;
}

export function containerRunArgs(input: ContainerRunInput): string[] {
  const { worktree } = input;
  const args = [
    'run',
    ...(input.autoRemove === false ? [] : ['--rm']),
    input.tty ? '-it' : '-i',
    ...(input.init === false ? [] : ['--init']),
    '--name',
    input.containerName,
  ];
  args.push('--user', input.user, '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges');
  // An image's root is made read-only; a host rootfs is a read-only bind already.
  if (input.image.kind === 'image') args.push('--read-only');
  if (typeof input.network === 'object') args.push('--network', input.network.name);
  else if (input.network === 'host') args.push('--network', 'host');
  else args.push('--network', 'none');
  // Published ports only mean something on a private network; bind them to loopback only.
  if (typeof input.network === 'object') {
    for (const port of input.ports) args.push('-p', `127.0.0.1:${port}:${port}`);
  }
  const label = input.selinuxLabel;
  if (input.image.kind === 'rootfs') {
    // /run too: the host's sockets (an engine's socket is root on the host) must not show, and
    // `--init` mounts its init at /run/podman-init, which a read-only root cannot hold.
    const hidden = ['/tmp', '/run', ...(input.hiddenDirs ?? []).filter((d) => d !== '/tmp' && d !== '/run')];
    for (const dir of hidden) args.push('--tmpfs', `${dir}:notmpcopyup`);
    for (const dir of new Set(input.toolDirs ?? [])) {
      // Strictly inside: a PATH entry that IS a hidden root (`~`, /root) must not unhide it.
      if (!hidden.includes(dir) && hidden.some((h) => dir.startsWith(`${h}/`)))
        args.push('-v', volume(dir, dir, true, label));
    }
  }
  args.push('-v', volume(worktree.repoRoot, worktree.repoRoot, true, label));
  args.push('-v', volume(worktree.path, worktree.path, false, label));
  for (const path of bwrapWritableGitPaths(worktree)) args.push('-v', volume(path, path, false, label));
  args.push('-v', volume(input.home, input.home, false, label), '-v', volume(input.tmp, input.tmp, false, label));
  for (const mount of input.mounts) {
    const target = isAbsolute(mount.sandboxPath) ? mount.sandboxPath : resolve(worktree.path, mount.sandboxPath);
    args.push('-v', volume(mount.hostPath, target, mount.readonly ?? false, label));
  }
  for (const name of input.envNames) args.push('-e', name);
  args.push('--workdir', input.cwd, ...(input.extraArgs ?? []));
  if (input.image.kind === 'rootfs') args.push('--rootfs', input.image.path);
  else args.push(input.image.name);
  args.push(...input.argv);
  return args;
}
