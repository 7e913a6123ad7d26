/**
 * Backlog sources: where PRDs and their ordered tasks come from, and where the PRD walker writes
 * back what happened (a task done, a failure, a review opened).
 *
 * One interface, one file per backend (`local.ts`: Markdown files in the repository, the embedded
 * default; `github.ts`: issues, sub-issues and pull requests through the REST API). The walker
 * (src/prd/) only ever talks to a `BacklogSource`.
 *
 * The backlog is *not* the walker's only memory: an AFK task is done when a commit carrying its
 * `Refs #<ref>` footer exists on the PRD's branch (the ledger, see src/prd/ledger.ts).
 * `markDone` mirrors that into the backlog so people see it; if the process dies before the
 * mirror is written, the next run reconciles it from the ledger.
 */

/** AFK: an agent does it, away from keyboard. HITL: a human in the loop does it. */
export type TaskKind = 'afk' | 'hitl';
export type TaskState = 'open' | 'done';

/**
 * Whether a PRD is picked up by batch mode: `ready` PRDs are; `draft` ones only by an explicit
 * `--prd N`; `done` ones (closed issue, or `status: done`) by nothing.
 */
export type PrdState = 'draft' | 'ready' | 'done';

export interface Prd {
  /** The PRD number: the `N` in `--prd N` and in the branch `factory/prd-N`. */
  number: number;
  title: string;
  /** The PRD text (Markdown, without front matter). */
  body: string;
  state: PrdState;
  /** The string written after `Refs #` for PRD-level commits (the review iteration). */
  ref: string;
  /** Where a person reads it: a file path (local) or an issue URL (github). */
  location: string;
  /** Set once a review was opened, so a finished PRD is never reviewed twice. */
  review?: ReviewRecord;
}

export interface Task {
  /** Stable id, unique in the backlog; also what follows `Refs #` in ledger commits. */
  id: string;
  /** Position in the PRD's order (1-based as written: file prefix or sub-issue order). */
  position: number;
  title: string;
  body: string;
  kind: TaskKind;
  state: TaskState;
  /** Ids of tasks that must be done first (same PRD or another one). */
  blockedBy: string[];
  /** Where a person reads or edits it: a file path (local) or an issue URL (github). */
  location: string;
  /** Why `kind` fell back to `hitl` (e.g. a GitHub issue with neither label), for the pause message. */
  kindNote?: string;
}

/** What the walker could not do, recorded on the task for the person who resumes it. */
export interface TaskFailure {
  /** The walk phase that failed: worktree, agent, tests, commit, push, review, … */
  phase: string;
  error: string;
  /** The exact command that resumes the walk. */
  resumeCommand: string;
  /** The run's log file. */
  logFile?: string;
}

/** Proof a review can check: the branch's commits, test results, where artifacts are. */
export interface Evidence {
  commits: { sha: string; subject: string }[];
  tests: { suite: string; ok: boolean; summary: string; logFile?: string }[];
  artifacts: string[];
  logFile?: string;
}

export interface ReviewRequest {
  branch: string;
  /** The branch the review asks to merge into. */
  base: string;
  title: string;
  body: string;
  evidence: Evidence;
}

/** A review that was opened: a pull request (github) or a review-request file (local). */
export interface ReviewRecord {
  kind: 'pull-request' | 'review-request';
  /** PR URL or file path. */
  location: string;
  branch: string;
  openedAt: string;
}

export interface BacklogSource {
  /** `local` or `github`: for messages and the resume command. */
  readonly kind: 'local' | 'github';
  /** Every PRD the backlog knows, in number order. */
  listPrds(): Promise<Prd[]>;
  /** One PRD; a `FactoryFailure` with code `prd-not-found` when there is none. */
  getPrd(number: number): Promise<Prd>;
  /** The PRD's tasks in their order. */
  listTasks(prd: Prd): Promise<Task[]>;
  /** Whether a task anywhere in the backlog (a blocker from another PRD) is done; false when unknown. */
  isTaskDone(id: string): Promise<boolean>;
  /** How a person marks a HITL task done, for the pause message. */
  howToMarkDone(task: Task): string;
  /** Mirror the ledger: the task is done, by this commit. Idempotent. */
  markDone(task: Task, ledgerRef: string): Promise<void>;
  recordFailure(task: Task, failure: TaskFailure): Promise<void>;
  /** Open the review; returns the record, which `getPrd` reports from then on. */
  openReview(prd: Prd, request: ReviewRequest): Promise<ReviewRecord>;
}
