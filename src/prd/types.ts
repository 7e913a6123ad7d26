/**
 * The PRD walk's options, events and result. The result is a tagged union: every way a walk can
 * stop is an expected outcome the caller renders, not an exception.
 *
 *   ┌──────── nothing-to-do (already reviewed / PRD closed)
 *   start ─▶ lock ─▶ worktree ─▶ tasks in order ─┬─ HITL or blocked task ──▶ paused
 *                                                ├─ a phase failed ────────▶ failed (recorded on the task)
 *                                                ├─ Ctrl-C / abort ────────▶ interrupted
 *                                                └─ all done ─▶ review ─▶ publish ─▶ reviewed
 */
import type { BacklogSource, Prd, ReviewRecord, Task } from '../backlog/index.js';
import type { Worktree, CreateWorktreeOptions } from '../sandboxes/index.js';
import type { PhaseTimeouts } from './phase.js';
import type { AgentRunner, TestRunner, TestRunResult } from './runner.js';

export interface WalkOptions {
  /** The repository's main checkout. */
  root: string;
  source: BacklogSource;
  prd: number;
  agent: AgentRunner;
  /** Default: the contract's test suites (test-runner.ts). */
  tests?: TestRunner;
  timeouts?: Partial<PhaseTimeouts>;
  /** Abort = interrupted: the agent is stopped, the worktree kept, nothing recorded as failed. */
  signal?: AbortSignal;
  /** The command that resumes this walk, recorded with failures and printed on pause. */
  resumeCommand: string;
  /** Branch the PRD branch starts from and the review targets. Default: the checkout's current branch, remembered on first run. */
  baseBranch?: string;
  /** Push the branch before opening the review. Default: true for the github source. */
  push?: boolean;
  /** Remote to push to. Default `origin`. */
  remote?: string;
  onEvent?: (event: WalkEvent) => void;
  /** How the PRD's worktree is made; default src/sandboxes createWorktree. */
  createWorktree?: (options: CreateWorktreeOptions) => Promise<Worktree>;
}

export type WalkEvent =
  | { type: 'start'; prd: Prd; runId: string; logFile: string }
  | { type: 'worktree'; path: string; branch: string; reused: boolean }
  | { type: 'took-over'; fromPid: number; killed: number[] }
  | { type: 'task-start'; task: Task }
  | { type: 'task-done'; task: Task; sha: string; changed: boolean; reconciled: boolean }
  | { type: 'tests'; label: string; result: TestRunResult }
  | { type: 'review-start' }
  | { type: 'pushed'; remote: string; branch: string }
  | { type: 'warning'; message: string };

interface Base {
  prd: number;
  title?: string;
  branch: string;
  /** Tasks completed by this run (ledger commits made or reconciled). */
  doneThisRun: string[];
  logFile?: string;
  worktree?: string;
}

export type WalkResult =
  | (Base & { status: 'nothing-to-do'; reason: string; review?: ReviewRecord })
  | (Base & { status: 'paused'; task: Task; reason: 'hitl' | 'blocked'; message: string; resumeCommand: string })
  | (Base & { status: 'failed'; task?: Task; phase: string; error: string; resumeCommand: string })
  | (Base & { status: 'interrupted'; phase: string; resumeCommand: string })
  | (Base & { status: 'reviewed'; review: ReviewRecord; commits: { sha: string; subject: string }[] });

export type WalkStatus = WalkResult['status'];

/** A result without the fields walk.ts fills in (distributes over the union). */
export type WalkStop<S extends WalkStatus = WalkStatus> = WalkResult extends infer R
  ? R extends { status: S }
    ? Omit<R, keyof Base>
    : never
  : never;

export function prdBranch(prd: number): string {
  return `factory/prd-${prd}`;
}

/** Everything the task loop and the review share during one walk. */
export interface WalkContext {
  options: WalkOptions;
  source: BacklogSource;
  prd: Prd;
  tasks: Task[];
  worktree: Worktree;
  /** The fork point of the PRD branch: the ledger and the evidence cover `base..HEAD`. */
  base: string;
  baseBranch: string;
  stateDir: string;
  timeouts: PhaseTimeouts;
  log: { write(line: string): void; path(name: string): string; file: string; dir: string };
  emit(event: WalkEvent): void;
  doneThisRun: string[];
}
