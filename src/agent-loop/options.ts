/**
 * `run()`'s options and result — the library API, which the CLI (`factory agent run`) maps its flags
 * onto one to one. Defaults and the checks that need nothing but the options live here.
 */
import type {
  BranchStrategy,
  CommitInfo,
  FinishResult,
  Mount,
  NetworkMode,
  Sandbox,
  SandboxHooks,
  SandboxProvider,
  Worktree,
  WorktreeTimeouts,
} from '../sandboxes/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import type { IterationEndReason, RunEvent } from './events.js';
import type { LoggingOption } from './log.js';
import type { OutputDefinition } from './output.js';
import type { AgentProvider, Usage } from './types.js';

export const DEFAULT_COMPLETION_SIGNAL = '<promise>COMPLETE</promise>';
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 600;
export const DEFAULT_COMPLETION_TIMEOUT_SECONDS = 60;

export interface RunOptions<T = undefined> {
  agent: AgentProvider;
  /**
   * A sandbox provider (default: bwrap, the real isolation on this kind of machine), or a ready
   * `Sandbox` (from createSandbox / createWorktreeSandbox, with `worktree`) to run in without
   * creating or closing one — several runs can share it, their commits accumulating on its branch.
   */
  sandbox?: SandboxProvider | Sandbox;
  /** A worktree you made with createWorktree: run() uses it and leaves it (no merge, no removal). */
  worktree?: Worktree;
  /** Limits for the worktree's git and copy steps (see createWorktree). */
  timeouts?: WorktreeTimeouts;
  /** Any path in the host repository; default process.cwd(). */
  cwd?: string;
  /** Passed to the agent LITERALLY: no `{{KEY}}`, no `` !`cmd` `` (safe for text you did not write). */
  prompt?: string;
  /** A prompt template file (relative to process.cwd()): `{{KEY}}` and `` !`cmd` `` are resolved. */
  promptFile?: string;
  /** A prompt template given inline (what `factory agent run --prompt` uses). */
  promptTemplate?: string;
  /** Values for `{{KEY}}`. SOURCE_BRANCH and TARGET_BRANCH are built in and cannot be passed. */
  promptArgs?: Record<string, string | number>;
  /** Default `{type: 'head'}` (the agent edits the repo's working tree on the current branch). */
  branchStrategy?: BranchStrategy;
  /** Run name: names the worktree, its temp branch, the log and the app instance (worktree id). */
  name?: string;
  /** Default 1. */
  maxIterations?: number;
  /** Default `<promise>COMPLETE</promise>`; the loop stops at the first that appears in the agent's text. */
  completionSignal?: string | string[];
  /** No output for this long → the agent's process tree is killed and the run fails. Default 600. */
  idleTimeoutSeconds?: number;
  /**
   * While the agent prints nothing, an `idle` event ("agent idle for N minutes", also in the log)
   * after each interval of silence, before the idle timeout stops it. Default 60; 0 = none.
   */
  idleNoticeSeconds?: number;
  /** After the completion signal, wait this long for the process to exit, then kill it and succeed with a warning. Default 60. */
  completionTimeoutSeconds?: number;
  /** Structured output (requires maxIterations 1 and the tag in the prompt). */
  output?: OutputDefinition<T>;
  /**
   * After each iteration, copy the agent's session file (claude, pi, codex) from the sandbox into
   * your HOME, filed under the repository's directory and with the directory recorded inside
   * rewritten, so `claude --resume ID` works from the repository. Default true.
   */
  captureSessions?: boolean;
  /** Resume this agent session in iteration 1 (maxIterations must be 1). */
  resumeSession?: string;
  /** With resumeSession: continue in a new session, leaving the parent untouched. */
  forkSession?: boolean;
  /** Overrides the provider's model for this run. */
  model?: string;
  /** Default: a file under `<repo>/.factory/logs/agent/<name>.log`. */
  logging?: LoggingOption;
  onEvent?: (event: RunEvent) => void;
  /** Abort kills the agent's whole process tree and keeps the worktree. */
  signal?: AbortSignal;
  hooks?: SandboxHooks;
  copyToWorktree?: string[];
  /** Extra environment for the agent (inside the sandbox). */
  env?: Record<string, string>;
  mounts?: Mount[];
  network?: NetworkMode;
  /**
   * The running app: 'auto' (default) starts the worktree's instance when the repo has a
   * factory.yaml; false never does.
   */
  app?: 'auto' | false;
  /** Leave the app instance (and so the worktree) up after the run. */
  keepEnv?: boolean;
  /**
   * Hand the agent `factory mcp` for the run's instance as an MCP server (claude-code, codex and
   * opencode), so it drives its running app through tools (docs/mcp.md). Needs a factory.yaml.
   */
  mcp?: boolean;
  /** Check the agent CLI is installed and logged in before anything is created. Default true. */
  preflight?: boolean;
  /** Pass the agent's "skip permission prompts" flag (the sandbox is the boundary). Default true. */
  skipPermissions?: boolean;
}

export interface IterationResult {
  iteration: number;
  reason: IterationEndReason;
  exitCode: number | null;
  sessionId?: string;
  /** Host path of the agent's session file, when it could be found. */
  sessionFilePath?: string;
  usage?: Usage;
  durationMs: number;
}

/**
 * - `completed`: the completion signal appeared.
 * - `max-iterations`: every iteration ran, no signal.
 * - `no-changes`: the agent made no commit and left nothing uncommitted (a value, not a crash).
 */
export type RunOutcome = 'completed' | 'max-iterations' | 'no-changes';

export interface AppInfo {
  worktreeId: string;
  urls: Record<string, string>;
  env: Record<string, string>;
  /** Still running after the run (keepEnv). */
  kept: boolean;
}

export interface RunResult<T = undefined> {
  outcome: RunOutcome;
  name: string;
  agent: string;
  sandbox: string;
  branch: string;
  targetBranch: string;
  worktreePath: string;
  /** The worktree is still on disk (dirty, head strategy, left on its branch, or keepEnv). */
  worktreeKept: boolean;
  iterations: IterationResult[];
  completionSignal?: string;
  /** `base..branch`, oldest first. */
  commits: CommitInfo[];
  /** Files the agent changed without committing (the worktree is kept for them). */
  uncommittedFiles: string[];
  /** What the branch strategy did at the end (merged, left on branch, conflict with recovery…). */
  merge: FinishResult;
  /** Summed over iterations, field by field, from what the CLI reported; absent when it reported nothing. */
  usage?: Usage;
  sessionId?: string;
  logPath?: string;
  /** The agent's last text (bounded to 64 KiB). */
  text: string;
  warnings: string[];
  app?: AppInfo;
  output?: T;
  /** Continue the last session with a new prompt (agents with sessions only). */
  resume?: (prompt: string, overrides?: Partial<RunOptions<undefined>>) => Promise<RunResult<undefined>>;
  /** Same, in a new session; give each fork its own branch when running them in parallel. */
  fork?: (prompt: string, overrides?: Partial<RunOptions<undefined>>) => Promise<RunResult<undefined>>;
}

function invalid(message: string, hint?: string): FactoryFailure {
  return new FactoryFailure('usage', message, { exitCode: ExitCode.invalid, ...(hint ? { hint } : {}) });
}

/** Checks that need only the options; throws before anything is created. */
export function checkOptions<T>(o: RunOptions<T>): void {
  const sources = [o.prompt, o.promptFile, o.promptTemplate].filter((p) => p !== undefined).length;
  if (sources === 0) throw invalid('no prompt given', 'pass --prompt "…" or --prompt-file path.md');
  if (sources > 1) throw invalid('give exactly one of prompt, promptFile, promptTemplate');
  if (o.prompt !== undefined && o.promptArgs && Object.keys(o.promptArgs).length > 0) {
    throw invalid(
      'promptArgs need a template: an inline `prompt` is passed literally',
      'use promptTemplate or promptFile',
    );
  }
  const max = o.maxIterations ?? 1;
  if (!Number.isInteger(max) || max < 1)
    throw invalid(`maxIterations must be a positive integer (got ${String(o.maxIterations)})`);
  for (const [key, v] of [
    ['idleTimeoutSeconds', o.idleTimeoutSeconds],
    ['completionTimeoutSeconds', o.completionTimeoutSeconds],
  ] as const) {
    if (v !== undefined && !(typeof v === 'number' && v > 0))
      throw invalid(`${key} must be a positive number of seconds`);
  }
  const notice = o.idleNoticeSeconds;
  if (notice !== undefined && !(typeof notice === 'number' && Number.isFinite(notice) && notice >= 0))
    throw invalid('idleNoticeSeconds must be a number of seconds (0 = no notices)');
  const signals = completionSignals(o);
  if (signals.some((s) => s.length === 0)) throw invalid('a completion signal cannot be empty');
  if (o.output && max !== 1) throw invalid('structured output needs maxIterations 1');
  if (o.resumeSession !== undefined) {
    if (!o.agent.supportsResume) throw invalid(`the ${o.agent.name} agent cannot resume sessions`);
    if (max !== 1) throw invalid('resumeSession needs maxIterations 1');
  }
  if (o.mcp && !o.agent.supportsMcp)
    throw invalid(
      `the ${o.agent.name} agent cannot be given an MCP server by factory`,
      'use --mcp with claude-code, codex or opencode, or add "factory mcp" to its own MCP config (docs/mcp.md)',
    );
  if (o.forkSession) {
    if (o.resumeSession === undefined)
      throw invalid('forkSession needs resumeSession (fork continues an existing session)');
    if (!o.agent.supportsFork) throw invalid(`the ${o.agent.name} agent cannot fork sessions`);
  }
}

export function completionSignals<T>(o: RunOptions<T>): string[] {
  const s = o.completionSignal ?? DEFAULT_COMPLETION_SIGNAL;
  return Array.isArray(s) ? s : [s];
}
