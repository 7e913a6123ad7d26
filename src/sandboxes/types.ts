/**
 * The sandbox layer's public interface: worktrees (where an agent's changes live) and sandbox
 * providers (how a command runs against that worktree). The agent loop codes against these types
 * only; it never knows which provider runs.
 *
 * Lifecycle (same order as Sandcastle):
 *
 *   createWorktree ─ copyToWorktree → host.onWorktreeReady (sequential)
 *        │
 *   createSandbox ── provider.create → host.onSandboxReady ∥ sandbox.onSandboxReady
 *        │
 *   sandbox.exec / sandbox.spawn  (agent iterations; each kills its whole tree on abort/timeout)
 *        │
 *   sandbox.close → worktree.finish (merge / leave on branch) → worktree.remove (keeps it if dirty)
 *
 * The outer process owns git: it creates worktrees, collects commits and merges. Agents only edit
 * and commit inside their worktree; nothing here ever pushes.
 */

// ───────────────────────────── worktrees ─────────────────────────────

/**
 * Where an agent's commits land.
 * - `head`: no worktree; the agent works in the repo's own working tree on the current branch.
 *   Nothing isolates its edits from yours (a sandbox can still keep it out of the rest of the disk).
 * - `merge-to-head`: a temp branch `factory/<name>` in a worktree, merged into the host's current
 *   branch by `finish()`, then deleted if the merge succeeded.
 * - `branch`: commits stay on `branch` (created from `baseBranch`, default the current HEAD, when it
 *   does not exist yet). An existing worktree of that branch is reused.
 */
export type BranchStrategy =
  | { type: 'head' }
  | { type: 'merge-to-head' }
  | { type: 'branch'; branch: string; baseBranch?: string };

/** A lifecycle hook: the user's own shell line (`sh -c`), never built by interpolation. */
export interface HookCommand {
  command: string;
  /** Default 120 000 ms. The hook's whole process tree is killed when it expires. */
  timeoutMs?: number;
}

/** Hooks grouped by where they run. Host hooks run with cwd = the worktree. */
export interface SandboxHooks {
  host?: { onWorktreeReady?: HookCommand[]; onSandboxReady?: HookCommand[] };
  sandbox?: { onSandboxReady?: HookCommand[] };
}

/** The facts a sandbox provider needs about a worktree (plain data; `Worktree` adds methods). */
export interface WorktreeInfo {
  /** Worktree name; also names the temp branch (`factory/<name>`) and the sandbox state dir. */
  name: string;
  /** Host path of the working tree the agent edits (the repo root itself for `head`). */
  path: string;
  /** The main repository's working tree root. */
  repoRoot: string;
  /** The main repository's shared git dir (`git rev-parse --git-common-dir`), absolute. */
  gitCommonDir: string;
  /** This worktree's private git dir (`<common>/worktrees/<id>`), or the common dir for `head`. */
  gitDir: string;
  /** Branch checked out in `path`. */
  branch: string;
  /** Branch that was checked out in the repo root when the worktree was made (merge target). */
  targetBranch: string;
  /** Commit the worktree started from; `collectCommits` lists `baseCommit..branch`. */
  baseCommit: string;
  strategy: BranchStrategy;
  /** false when an existing worktree of the branch was reused. */
  isNew: boolean;
  /** Host dir for per-sandbox state (private HOME, /tmp): `<repo>/.factory/sandboxes/<name>`. */
  stateDir: string;
}

export interface CommitInfo {
  sha: string;
  subject: string;
}

/** What `finish()` did. Every variant is an expected outcome, not an error. */
export type FinishResult =
  | { kind: 'no-changes'; branch: string }
  | { kind: 'head'; commits: CommitInfo[] }
  | { kind: 'left-on-branch'; branch: string; commits: CommitInfo[] }
  | { kind: 'merged'; branch: string; into: string; commits: CommitInfo[]; branchDeleted: boolean }
  | {
      kind: 'conflict';
      branch: string;
      into: string;
      commits: CommitInfo[];
      conflictedFiles: string[];
      /** Exact commands (argv) that reproduce the merge by hand; also rendered in `recoveryText`. */
      recovery: string[][];
      recoveryText: string;
    }
  | {
      /** git refused to start the merge (e.g. uncommitted host changes in the way); nothing changed. */
      kind: 'merge-failed';
      branch: string;
      into: string;
      commits: CommitInfo[];
      message: string;
      recovery: string[][];
      recoveryText: string;
    };

/** What `remove()` did. A dirty worktree is never deleted. */
export type RemoveResult =
  | { removed: true; path: string }
  | { removed: false; reason: 'dirty'; path: string; dirtyFiles: string[] }
  | { removed: false; reason: 'head'; path: string }
  /** A reused worktree outside `<repo>/.factory/worktrees/` (made by you, not factory): left alone. */
  | { removed: false; reason: 'foreign'; path: string };

/** Limits for the lifecycle's git and copy steps; a step that overruns is killed and fails. */
export interface WorktreeTimeouts {
  /** Default 120 000. */
  copyToWorktreeMs?: number;
  /** `git worktree add` (a checkout: large repos on slow disks take seconds). Default 120 000. */
  gitSetupMs?: number;
  /** Default 30 000. */
  commitCollectionMs?: number;
  /** Default 60 000. */
  mergeToHostMs?: number;
}

export interface Worktree extends WorktreeInfo {
  /** Commits on `branch` since `baseCommit`, oldest first. */
  collectCommits(): Promise<CommitInfo[]>;
  /** True when the working tree has uncommitted changes (tracked or untracked, not ignored). */
  isDirty(): Promise<boolean>;
  /** Applies the branch strategy (merge / leave). Run from the outer process only. */
  finish(): Promise<FinishResult>;
  /** Removes the worktree if clean; keeps the branch unless `finish()` merged it. */
  remove(): Promise<RemoveResult>;
  /** Same as `remove()`; with `await using wt = await createWorktree(…)` it runs at scope exit. */
  [Symbol.asyncDispose](): Promise<void>;
}

export interface CreateWorktreeOptions {
  /** Any path inside the host repository. */
  repo: string;
  branchStrategy: BranchStrategy;
  /** Default: derived from the branch, or `run-<timestamp>-<random>`. [a-zA-Z0-9._-] only. */
  name?: string;
  /** Repo-relative files/dirs copied from the host repo into a fresh worktree (node_modules, .env). */
  copyToWorktree?: string[];
  /** Only `host.onWorktreeReady` runs here; the rest run in `createSandbox`. */
  hooks?: SandboxHooks;
  timeouts?: WorktreeTimeouts;
  signal?: AbortSignal;
}

// ───────────────────────────── sandboxes ─────────────────────────────

/**
 * - `host`: the host's network namespace (the instance's app on 127.0.0.1 is reachable). Default.
 * - `loopback`: a private network namespace with only `lo` (the host's app is NOT reachable).
 * - `none`: same as loopback for bwrap; `--network none` for containers.
 */
export type NetworkMode = 'host' | 'loopback' | 'none';

/** An extra host directory visible in the sandbox. Relative `sandboxPath` = relative to workdir. */
export interface Mount {
  hostPath: string;
  sandboxPath: string;
  readonly?: boolean;
}

export interface GitIdentity {
  name: string;
  email: string;
}

export interface SandboxCreateOptions {
  worktree: WorktreeInfo;
  /** Env for every exec. Providers add PATH, HOME, TMPDIR, LANG and the git identity. */
  env?: Record<string, string>;
  network?: NetworkMode;
  /** Ports the sandbox must reach/publish (containers with a private network publish these). */
  ports?: number[];
  mounts?: Mount[];
  /** Commit identity, passed as GIT_AUTHOR_* / GIT_COMMITTER_* env (never written to a config). */
  gitIdentity?: GitIdentity;
  signal?: AbortSignal;
}

export interface ExecOptions {
  /** Inside the sandbox; default `Sandbox.workdir`. */
  cwd?: string;
  /** Merged over the sandbox's env. */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed. Without it stdin is /dev/null. */
  stdin?: string;
  /** Raw chunks as they arrive (utf-8 decoded, may split lines). */
  onStdout?(chunk: string): void;
  onStderr?(chunk: string): void;
  /** Abort kills the whole process tree; the result has `aborted: true`. */
  signal?: AbortSignal;
  /** Kill when neither stdout nor stderr produced output for this long. */
  idleTimeoutMs?: number;
  /** Kill after this long in total. */
  timeoutMs?: number;
  /** Bytes of each stream's tail kept in the result (default 1 MiB). The rest only streams. */
  maxBufferBytes?: number;
  /** SIGTERM → wait this long → SIGKILL (default 2 000 ms). */
  killGraceMs?: number;
  /**
   * Attach the command to this process's terminal (stdio inherited, same process group) for an
   * interactive agent session. Output is then not captured; `stdin` is ignored. bwrap drops
   * `--new-session` for it (a TUI needs its controlling terminal).
   */
  interactive?: boolean;
}

export interface ExecResult {
  /** null when killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  /** The last `maxBufferBytes` of output. */
  stdout: string;
  stderr: string;
  /** Bytes dropped from the front of stdout/stderr because of the bound. */
  stdoutDroppedBytes: number;
  stderrDroppedBytes: number;
  timedOut: boolean;
  idle: boolean;
  aborted: boolean;
  durationMs: number;
}

/** A running command. `done` never rejects for a non-zero exit; it rejects only on spawn failure. */
export interface SandboxProcess {
  pid: number | undefined;
  /** Kills the whole tree (SIGTERM, then SIGKILL after the grace period). Idempotent. */
  kill(): void;
  done: Promise<ExecResult>;
}

export interface Sandbox {
  readonly provider: string;
  readonly kind: SandboxKind;
  /** Host path of the worktree. */
  readonly worktreePath: string;
  /** The same worktree as seen inside (identical for bwrap/none/containers: git's absolute gitdir links must resolve). */
  readonly workdir: string;
  /** HOME inside the sandbox, and its host path (agent session files live here). */
  readonly home: string;
  readonly hostHome: string;
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
  spawn(argv: string[], options?: ExecOptions): SandboxProcess;
  /** Copies a host file/dir into the sandbox (a plain copy for bind-mount kinds). */
  copyIn(hostPath: string, sandboxPath: string): Promise<void>;
  /** Copies a sandbox file/dir to the host. */
  copyOut(sandboxPath: string, hostPath: string): Promise<void>;
  /** Kills every process still running and releases resources. Never touches the worktree. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** `bind-mount`: sees the host worktree directly. `isolated`: own filesystem, synced by copyIn/Out. */
export type SandboxKind = 'bind-mount' | 'isolated';

export interface SandboxProvider {
  /** 'none' | 'bwrap' | 'docker' | 'podman' | any custom name. */
  readonly name: string;
  readonly kind: SandboxKind;
  /** Cheap check that the provider can run here (binary present, engine up); a reason if not. */
  available(): Promise<{ ok: true } | { ok: false; reason: string }>;
  create(options: SandboxCreateOptions): Promise<Sandbox>;
}

export interface CreateSandboxOptions extends Omit<SandboxCreateOptions, 'worktree'> {
  provider: SandboxProvider;
  worktree: WorktreeInfo;
  hooks?: SandboxHooks;
}
