/**
 * The feedback loop's bookkeeping. A failing test run or feature scenario sends the job back to the
 * builder with what failed, up to `maxFixRounds` such rounds; a `request_changes` verdict gets one
 * round of its own. Each round is a `Round` in the job (its build, tests, validation, review) and
 * each return to the builder is a transition in the timeline.
 */
import type { RoundReason } from '../publish/index.js';
import type { StageContext } from './context.js';
import type { Job, Round } from './types.js';

export function currentRound(job: Job): Round {
  return job.data.rounds.find((r) => r.round === job.round) ?? { round: job.round, reason: 'initial' };
}

export function withRound(rounds: Round[], next: Round): Round[] {
  return [...rounds.filter((r) => r.round !== next.round), next].sort((a, b) => a.round - b.round);
}

/** Fix rounds for failing tests or feature scenario used so far. */
export function fixRoundsUsed(job: Job): number {
  return job.data.rounds.filter((r) => r.reason === 'tests-failed' || r.reason === 'feature-failed').length;
}

export function canFix(job: Job, reason: RoundReason): boolean {
  if (reason === 'changes-requested') return !job.data.rounds.some((r) => r.reason === 'changes-requested');
  return fixRoundsUsed(job) < job.config.maxFixRounds;
}

/**
 * Records `done` as the current round's result and sends the job back to the builder for the next
 * round with `feedback`, in one transition.
 */
export async function backToBuilder(
  ctx: StageContext,
  from: 'tests_running' | 'browser_validation_running' | 'review_running',
  done: Round,
  reason: RoundReason,
  feedback: string,
  summary: string,
): Promise<void> {
  const next: Round = { round: done.round + 1, reason, feedback };
  await ctx.transition(
    {
      from,
      to: 'implementation_in_progress',
      message: `round ${done.round}: ${summary}; round ${next.round} fixes it`,
    },
    {
      data: {
        ...ctx.job.data,
        rounds: withRound(withRound(ctx.job.data.rounds, done), next),
        attempts: {},
        failures: {},
      },
      round: next.round,
    },
  );
}
