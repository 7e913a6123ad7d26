/**
 * The limits a job runs under, each with a default, a flag and a config key (ADR 16). Stage
 * timeouts bound one attempt of a stage; the job budget bounds the whole pipeline from the first
 * claim to ready_for_human_review.
 */
import type { StageName } from '../publish/index.js';

const MIN = 60_000;

export const JOB_DEFAULTS = {
  maxFixRounds: 2,
  /** Jobs of one repository running at once (per machine). */
  maxPerRepo: 2,
  /** Jobs running at once on this machine (all repositories). */
  maxPerMachine: 4,
  stageMs: {
    plan: 15 * MIN,
    worktree: 2 * MIN,
    sandbox: 2 * MIN,
    environment: 15 * MIN,
    build: 60 * MIN,
    test: 30 * MIN,
    record: 15 * MIN,
    publish: 2 * MIN,
    review: 20 * MIN,
  } satisfies Record<StageName, number>,
  jobMs: 4 * 60 * MIN,
  agentIdleMs: 10 * MIN,
  /** 0 = the preview stays up until the job is closed. */
  previewTtlMs: 24 * 60 * MIN,
  /** A worker's lease on a job; renewed every third of it. */
  leaseMs: 30_000,
  /** How often a worker with nothing to do looks for work again (at most). */
  idlePollMs: 1_000,
  /** How often a running job checks for a cancel request. */
  cancelPollMs: 500,
  /** How often a worker reads the pull requests of jobs ready for review (`factory job sync`). */
  syncMs: 2 * MIN,
} as const;
