/**
 * The `--json` shapes of `factory job …` and `factory worker` (published in schema/). `job show`,
 * `job new` and `job run` print the evidence manifest itself (schema/job.schema.json).
 */
import { Type, type Static } from '@sinclair/typebox';
import { ArtifactLinkSchema, JobStateSchema, RoleSchema, StageNameSchema } from '../publish/index.js';
import { isLive } from './states.js';
import type { Job, JobEvent } from './types.js';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const JobSummarySchema = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    state: JobStateSchema,
    live: Type.Boolean({ description: 'Not ended (merged, closed, failed, cancelled).' }),
    repo: Type.String(),
    base: Type.String(),
    branch: Type.String(),
    round: Type.Integer(),
    stoppedAt: Nullable(JobStateSchema),
    runnable: Type.Boolean({ description: 'A worker would pick it up now.' }),
    cancelRequested: Type.Boolean(),
    worker: Nullable(
      Type.Object({ id: Type.String(), host: Type.String(), pid: Type.Integer(), expiresAt: Type.String() }, closed),
    ),
    reviewUrl: Nullable(Type.String()),
    failure: Nullable(Type.Object({ stage: StageNameSchema, code: Type.String(), message: Type.String() }, closed)),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  closed,
);
export type JobSummary = Static<typeof JobSummarySchema>;

export function summarize(job: Job): JobSummary {
  return {
    id: job.id,
    title: job.title,
    state: job.state,
    live: isLive(job.state),
    repo: job.repo,
    base: job.config.base,
    branch: job.data.worktree?.branch ?? `factory/${job.id}`,
    round: job.round,
    stoppedAt: job.stoppedAt,
    runnable: job.runnable,
    cancelRequested: job.cancelRequested,
    worker: job.lease
      ? { id: job.lease.workerId, host: job.lease.host, pid: job.lease.pid, expiresAt: job.lease.expiresAt }
      : null,
    reviewUrl: job.data.reviewRequest?.url ?? null,
    failure: job.data.failure
      ? { stage: job.data.failure.stage, code: job.data.failure.code, message: job.data.failure.message }
      : null,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}

export const JobEventSchema = Type.Object(
  {
    id: Type.Integer(),
    jobId: Type.String(),
    at: Type.String(),
    type: Type.Union([
      Type.Literal('transition'),
      Type.Literal('progress'),
      Type.Literal('attempt'),
      Type.Literal('control'),
    ]),
    role: RoleSchema,
    attempt: Type.Integer(),
    round: Type.Integer(),
    message: Type.String(),
    artifacts: Type.Array(ArtifactLinkSchema),
    from: Type.Optional(Nullable(JobStateSchema)),
    to: Type.Optional(JobStateSchema),
    stage: Type.Optional(StageNameSchema),
    retry: Type.Optional(Type.Boolean()),
    code: Type.Optional(Type.String()),
    action: Type.Optional(Type.String()),
  },
  { ...closed, description: 'One job event; `job logs -f --json` and `worker --json` print one per line.' },
);

export function eventJson(e: JobEvent): Static<typeof JobEventSchema> {
  return e as Static<typeof JobEventSchema>;
}

export const JobListOutput = Type.Object(
  { schemaVersion: Type.Literal(1), jobs: Type.Array(JobSummarySchema) },
  { ...closed, description: 'Output of `factory job list --json`.' },
);

export const JobLogsOutput = Type.Object(
  { schemaVersion: Type.Literal(1), job: JobSummarySchema, events: Type.Array(JobEventSchema) },
  { ...closed, description: 'Output of `factory job logs --json` (without -f).' },
);

export const JobActionOutput = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    ok: Type.Boolean(),
    action: Type.Union([Type.Literal('cancel'), Type.Literal('retry'), Type.Literal('approve'), Type.Literal('close')]),
    job: JobSummarySchema,
    /** cancel: true when no worker held it and it is cancelled now; false when its worker was told. */
    immediate: Type.Optional(Type.Boolean()),
  },
  { ...closed, description: 'Output of `factory job cancel|retry|approve|close --json`.' },
);

export const JobGcOutput = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    ok: Type.Boolean({ description: 'false when leaks were found.' }),
    collected: Type.Array(
      Type.Object({ id: Type.String(), state: JobStateSchema, removed: Type.Array(Type.String()) }, closed),
    ),
    leaks: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          state: JobStateSchema,
          kind: Type.Union([Type.Literal('instance'), Type.Literal('process')]),
          detail: Type.String(),
        },
        closed,
      ),
    ),
  },
  { ...closed, description: 'Output of `factory job gc --json`.' },
);

export const JobSyncOutput = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    ok: Type.Boolean(),
    jobs: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          before: JobStateSchema,
          after: JobStateSchema,
          review: Nullable(
            Type.Union([Type.Literal('open'), Type.Literal('merged'), Type.Literal('closed')], {
              description: "The review request's state where it lives; null for the local publisher.",
            }),
          ),
          url: Nullable(Type.String()),
          detail: Type.String(),
        },
        closed,
      ),
    ),
  },
  { ...closed, description: 'Output of `factory job sync --json`.' },
);

export const jobSchemas = {
  'job-list': JobListOutput,
  'job-logs': JobLogsOutput,
  'job-event': JobEventSchema,
  'job-action': JobActionOutput,
  'job-gc': JobGcOutput,
  'job-sync': JobSyncOutput,
};
