import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { FactoryFailure, ExitCode } from '../../lib/failure.js';
import { hostEnv, identityEnv, resolveIdentity, safetyConfigEnv } from '../git.js';
import { runProcess, type RawSpawn } from '../run-process.js';
import { homedir } from 'node:os';
import type {
  ExecOptions,
  Mount,
  Sandbox,
  SandboxCreateOptions,
  SandboxKind,
  SandboxProcess,
  WorktreeInfo,
} from '../types.js';
import { bwrapWritableGitPaths } from './bwrap-args.js';

/**
 * Shared body of the bind-mount providers: a sandbox is a policy (how to wrap argv) plus state
 * (private HOME/TMPDIR). Every exec is a fresh wrapped process tree that runs to completion or is
 * killed whole; `close()` kills whatever is still running. Paths inside equal paths on the host
 * (a linked worktree's `.git` file holds an absolute path that must resolve in both).
 */

export interface SandboxPolicy {
  provider: string;
  kind: SandboxKind;
  worktreePath: string;
  workdir: string;
  home: string;
  hostHome: string;
  /** The env every exec starts from (already includes HOME, PATH, identity…). */
  env: Record<string, string>;
  /** Wraps argv for one exec. `cwd` is inside the sandbox; `env` is complete. */
  wrap(argv: string[], cwd: string, env: Record<string, string>, interactive: boolean): RawSpawn;
  /** Sandbox path → host path, for copyIn/copyOut. Identity for bind-mount kinds. */
  toHostPath?(sandboxPath: string): string;
  /** Extra teardown after every process is dead. */
  dispose?(): Promise<void>;
}

/** Env for sandboxed processes: minimal and explicit; host secrets are not inherited. */
/**
 * The host directories every bind-mount sandbox needs before it starts: its private HOME and TMPDIR
 * (kept between execs) and the git paths a commit writes — a branch ref dir may not exist yet (a
 * packed ref), and neither bwrap nor a container engine can bind a missing path.
 */
export async function prepareSandboxDirs(worktree: WorktreeInfo): Promise<{ home: string; tmp: string }> {
  const home = join(worktree.stateDir, 'home');
  const tmp = join(worktree.stateDir, 'tmp');
  await mkdir(home, { recursive: true });
  await mkdir(tmp, { recursive: true });
  for (const path of bwrapWritableGitPaths(worktree)) await mkdir(path, { recursive: true });
  return { home, tmp };
}

export async function sandboxBaseEnv(
  options: SandboxCreateOptions,
  home: string,
  tmp: string,
): Promise<Record<string, string>> {
  const identity = options.gitIdentity ?? (await resolveIdentity(options.worktree.repoRoot)).identity;
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    TMPDIR: tmp,
    LANG: process.env.LANG ?? 'C.UTF-8',
    TERM: process.env.TERM ?? 'dumb',
    USER: process.env.USER ?? 'root',
    ...identityEnv(identity),
    ...safetyConfigEnv(),
    ...options.env,
  };
}

/**
 * Host side of mounts: `~` and `~/x` expand to the host HOME, a relative path resolves against the
 * repo root. A missing host path is an error here rather than an opaque engine message later.
 */
export function resolveMounts(mounts: Mount[], repoRoot: string): Mount[] {
  const home = process.env.HOME ?? homedir();
  return mounts.map((mount) => {
    const raw = mount.hostPath;
    const hostPath = raw === '~' ? home : raw.startsWith('~/') ? resolve(home, raw.slice(2)) : resolve(repoRoot, raw);
    return { ...mount, hostPath };
  });
}

async function copy(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const result = await runProcess(
    { argv: ['cp', '-a', '-T', '--', from, to], cwd: dirname(to), env: hostEnv() },
    { timeoutMs: 300_000 },
  ).done;
  if (result.exitCode !== 0) {
    throw new FactoryFailure('sandbox-copy-failed', `Copying ${from} to ${to} failed: ${result.stderr.trim()}`, {
      exitCode: ExitCode.failed,
    });
  }
}

export function makeSandbox(policy: SandboxPolicy): Sandbox {
  const running = new Set<SandboxProcess>();
  let closed = false;
  const toHost = (p: string): string => {
    const abs = isAbsolute(p) ? p : resolve(policy.workdir, p);
    return policy.toHostPath ? policy.toHostPath(abs) : abs;
  };

  const spawn = (argv: string[], options: ExecOptions = {}): SandboxProcess => {
    if (closed) throw new FactoryFailure('sandbox-closed', 'This sandbox is closed.', { exitCode: ExitCode.internal });
    const cwd = options.cwd ?? policy.workdir;
    const env = { ...policy.env, ...options.env };
    const proc = runProcess(policy.wrap(argv, cwd, env, options.interactive === true), options);
    running.add(proc);
    proc.done.then(
      () => running.delete(proc),
      () => running.delete(proc),
    );
    return proc;
  };

  const close = async (): Promise<void> => {
    closed = true;
    const all = [...running];
    for (const proc of all) proc.kill();
    await Promise.allSettled(all.map((p) => p.done));
    await policy.dispose?.();
  };

  return {
    provider: policy.provider,
    kind: policy.kind,
    worktreePath: policy.worktreePath,
    workdir: policy.workdir,
    home: policy.home,
    hostHome: policy.hostHome,
    spawn,
    exec: (argv, options) => spawn(argv, options).done,
    copyIn: (hostPath, sandboxPath) => copy(hostPath, toHost(sandboxPath)),
    copyOut: (sandboxPath, hostPath) => copy(toHost(sandboxPath), hostPath),
    close,
    [Symbol.asyncDispose]: close,
  };
}
