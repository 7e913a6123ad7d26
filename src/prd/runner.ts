/**
 * The two things the walker needs from other layers, as narrow interfaces: run an agent on a
 * prompt in the PRD's worktree (`AgentRunner`), and run the contract's tests there (`TestRunner`).
 * The walker is written and tested against these; ./agent-runner.ts adapts the agent loop
 * (src/agent-loop/run.ts) and ./test-runner.ts the contract's test suites.
 */
import type { WorktreeInfo } from '../sandboxes/index.js';

/**
 * How an agent run ended.
 * - `complete`: it printed the completion signal (it may or may not have changed files).
 * - `no-changes`: it ended without changing anything — an expected outcome, not a crash.
 * - `incomplete`: it stopped (max iterations) without the completion signal.
 * - `failed`: the agent process failed (error result, non-zero exit, idle timeout).
 */
export type AgentOutcome = 'complete' | 'no-changes' | 'incomplete' | 'failed';

export interface AgentTaskInput {
  worktree: WorktreeInfo;
  prompt: string;
  /** Aborting kills the agent's whole process tree; the worktree stays as it is. */
  signal: AbortSignal;
  /** Where the agent's own output goes. */
  logFile: string;
  /** A short name for the run (`prd-3-task-01`), for sandbox state and logs. */
  name: string;
}

export interface AgentTaskResult {
  outcome: AgentOutcome;
  /** Commits the agent made itself, oldest first. */
  commits: { sha: string; subject: string }[];
  sessionId?: string;
  iterations?: number;
  /** Why, for `failed` / `incomplete`. */
  message?: string;
}

export interface AgentRunner {
  runTask(input: AgentTaskInput): Promise<AgentTaskResult>;
}

export interface SuiteResult {
  suite: string;
  ok: boolean;
  summary: string;
  logFile?: string;
}

export interface TestRunResult {
  ok: boolean;
  suites: SuiteResult[];
  /** Why nothing ran (no factory.yaml, no suites), when `suites` is empty. */
  skipped?: string;
  /** Where the run's logs and reports are. */
  artifactsDir?: string;
}

export interface TestRunner {
  run(input: { worktree: WorktreeInfo; signal: AbortSignal; logDir: string; label: string }): Promise<TestRunResult>;
}
