/**
 * The job state machine: which state may follow which, as one typed table. A transition the table
 * does not list is a type error where both ends are known statically (`Transition` is a union of
 * the legal pairs) and a `FactoryFailure` at run time (`checkTransition`), so a corrupt or racing
 * caller cannot move a job sideways.
 *
 *   received ─plan─▶ planned ─worktree─▶ worktree_created ─sandbox─▶ sandbox_created
 *      ─environment─▶ dev_environment_starting ─▶ dev_environment_ready
 *      ─build─▶ implementation_in_progress ─▶ tests_running ─test─▶ browser_validation_running
 *      ─record─▶ video_recorded ─publish─▶ pr_opened ─review─▶ review_running ─▶ ready_for_human_review
 *                     │    ▲                                      │                       │
 *     (approval gate) ▼    │ job approve                           │               job close
 *               awaiting_approval ─────────▶ pr_opened             │              ┌────┴────┐
 *                                                                 │            merged    closed
 *   fix rounds: tests_running, browser_validation_running and review_running (request_changes)
 *               go back to implementation_in_progress, each time with round + 1.
 *
 *   any live state ──▶ failed | cancelled        failed | cancelled ─job retry─▶ the state it stopped in
 *
 * A state names the stage that runs next (or is running): `STAGE_FOR` maps each live state to it,
 * which is how a worker resumes a job that a dead worker left mid-stage (ADR on resumability).
 */
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import type { JobState, StageName } from '../publish/index.js';

/** States a worker or a human still moves forward. */
export type LiveState = Exclude<JobState, 'merged' | 'closed' | 'failed' | 'cancelled'>;

/** The forward transitions (failed/cancelled and retries are added below, for every live state). */
const FORWARD = {
  received: ['planned'],
  planned: ['worktree_created'],
  worktree_created: ['sandbox_created'],
  sandbox_created: ['dev_environment_starting'],
  dev_environment_starting: ['dev_environment_ready'],
  dev_environment_ready: ['implementation_in_progress'],
  implementation_in_progress: ['tests_running'],
  tests_running: ['browser_validation_running', 'implementation_in_progress'],
  browser_validation_running: ['video_recorded', 'implementation_in_progress'],
  video_recorded: ['pr_opened', 'awaiting_approval'],
  awaiting_approval: ['pr_opened'],
  pr_opened: ['review_running'],
  review_running: ['ready_for_human_review', 'implementation_in_progress'],
  ready_for_human_review: ['merged', 'closed'],
} as const satisfies Record<LiveState, readonly JobState[]>;

type Forward = typeof FORWARD;
/** Where a job in state F may go next. */
export type NextState<F extends JobState> = F extends LiveState
  ? Forward[F][number] | 'failed' | 'cancelled'
  : F extends 'failed' | 'cancelled'
    ? LiveState
    : never;

/** Every legal (from, to) pair; `{ from: 'received', to: 'merged' }` does not type-check. */
export type Transition = { [F in JobState]: { from: F; to: NextState<F> } }[JobState];

export const LIVE_STATES = Object.keys(FORWARD) as LiveState[];

export function isLive(state: JobState): state is LiveState {
  return Object.hasOwn(FORWARD, state);
}

/** The run-time check, for values that come from the store, the CLI or another process. */
export function canTransition(from: JobState, to: JobState): boolean {
  if (isLive(from)) return (FORWARD[from] as readonly JobState[]).includes(to) || to === 'failed' || to === 'cancelled';
  if (from === 'failed' || from === 'cancelled') return isLive(to);
  return false;
}

export function checkTransition(from: JobState, to: JobState): void {
  if (!canTransition(from, to)) {
    throw new FactoryFailure('illegal-transition', `a job cannot go from ${from} to ${to}`, {
      exitCode: ExitCode.unavailable,
      details: { from, to },
    });
  }
}

/**
 * The stage that runs in each live state, or null when the job waits for a person
 * (`awaiting_approval` until approved, `ready_for_human_review` until closed).
 */
export const STAGE_FOR: Record<LiveState, StageName | null> = {
  received: 'plan',
  planned: 'worktree',
  worktree_created: 'sandbox',
  sandbox_created: 'environment',
  dev_environment_starting: 'environment',
  dev_environment_ready: 'build',
  implementation_in_progress: 'build',
  tests_running: 'test',
  browser_validation_running: 'record',
  video_recorded: 'publish',
  awaiting_approval: 'publish',
  pr_opened: 'review',
  review_running: 'review',
  ready_for_human_review: null,
};
