/**
 * The evidence manifest: `.factory/jobs/<id>/job.json`, everything a job produced and what happened
 * to it, with paths relative to that folder (so it can be moved, zipped or served as it is). The
 * jobs layer writes it after every stage; publishers and the review page render it and never gather
 * evidence themselves (ADR 14). Published as schema/job.schema.json; `factory job show --json`
 * prints the same document.
 */
import { Type, type Static } from '@sinclair/typebox';
import { PlanSchema } from './plan.js';
import { JobStateSchema, RoleSchema, StageNameSchema, StringEnum } from './states.js';
import { VerdictSchema } from './verdict.js';

const closed = { additionalProperties: false } as const;
const RelPath = Type.String({ description: 'Path relative to the job folder (.factory/jobs/<id>/).' });
const Time = Type.String({ description: 'ISO 8601 UTC.' });

/**
 * Token usage and cost as the agents reported them, summed field by field: a field no agent
 * reported is absent (unknown is not 0), like the agent loop's own usage.
 */
export const UsageSchema = Type.Object(
  {
    input: Type.Optional(Type.Integer({ minimum: 0, description: 'Prompt tokens not served from a cache.' })),
    output: Type.Optional(Type.Integer({ minimum: 0 })),
    cacheRead: Type.Optional(Type.Integer({ minimum: 0 })),
    cacheWrite: Type.Optional(Type.Integer({ minimum: 0 })),
    costUsd: Type.Optional(Type.Number({ minimum: 0 })),
  },
  closed,
);
export type JobUsage = Static<typeof UsageSchema>;

export const ArtifactLinkSchema = Type.Object(
  { label: Type.String(), path: RelPath },
  { ...closed, description: 'A file a transition or a stage left, e.g. a log or a report.' },
);
export type ArtifactLink = Static<typeof ArtifactLinkSchema>;

export const CommitSchema = Type.Object({ sha: Type.String(), subject: Type.String() }, closed);

export const AgentChoiceSchema = Type.Object(
  {
    agent: Type.String({ description: 'Agent provider: claude-code, codex, opencode, cursor, copilot, pi, command.' }),
    model: Type.Optional(Type.String()),
  },
  closed,
);

const BuildSchema = Type.Object(
  {
    status: StringEnum(['completed', 'no-changes', 'incomplete', 'failed'] as const),
    attempts: Type.Integer({ minimum: 1 }),
    commits: Type.Array(CommitSchema),
    usage: Type.Optional(UsageSchema),
    durationMs: Type.Number(),
    log: RelPath,
    message: Type.Optional(Type.String()),
  },
  closed,
);

const SuiteSchema = Type.Object(
  {
    name: Type.String(),
    status: StringEnum(['passed', 'failed', 'timed-out', 'interrupted', 'error', 'not-run'] as const),
    reason: Type.String(),
    tests: Type.Optional(
      Type.Object(
        { tests: Type.Integer(), passed: Type.Integer(), failed: Type.Integer(), skipped: Type.Integer() },
        closed,
      ),
    ),
    log: Type.Optional(RelPath),
    junit: Type.Array(RelPath),
  },
  closed,
);

const TestsSchema = Type.Object(
  {
    ok: Type.Boolean(),
    runId: Type.String(),
    suites: Type.Array(SuiteSchema),
    /** The last lines of the failing suites' output: what the builder is shown in a fix round. */
    tail: Type.Optional(Type.String()),
    durationMs: Type.Number(),
  },
  closed,
);

const ScenarioEvidenceSchema = Type.Object(
  {
    name: Type.String(),
    /** true for the scenario built from the planner's browser steps. */
    feature: Type.Boolean(),
    status: StringEnum(['passed', 'failed'] as const),
    durationMs: Type.Number(),
    video: Type.Optional(RelPath),
    poster: Type.Optional(RelPath),
    screenshots: Type.Array(RelPath),
    failure: Type.Optional(
      Type.Object(
        {
          summary: Type.String(),
          expected: Type.String(),
          actual: Type.String(),
          stepIndex: Type.Integer(),
          screenshot: Type.Optional(RelPath),
        },
        closed,
      ),
    ),
    consoleErrors: Type.Array(Type.String()),
  },
  closed,
);

const ValidationSchema = Type.Object(
  {
    ok: Type.Boolean(),
    runId: Type.String(),
    report: RelPath,
    manifest: RelPath,
    scenarios: Type.Array(ScenarioEvidenceSchema),
    durationMs: Type.Number(),
  },
  closed,
);

const ReviewSchema = Type.Object(
  {
    verdict: VerdictSchema,
    agent: AgentChoiceSchema,
    usage: Type.Optional(UsageSchema),
    attempts: Type.Integer({ minimum: 1 }),
    durationMs: Type.Number(),
    log: RelPath,
  },
  closed,
);

export const RoundReasonSchema = StringEnum([
  'initial',
  'tests-failed',
  'feature-failed',
  'changes-requested',
] as const);
export type RoundReason = Static<typeof RoundReasonSchema>;

export const RoundSchema = Type.Object(
  {
    round: Type.Integer({ minimum: 1, description: '1 = the first build; each fix round adds one.' }),
    reason: RoundReasonSchema,
    /** What the builder was told about the previous round's failures (absent in round 1). */
    feedback: Type.Optional(Type.String()),
    build: Type.Optional(BuildSchema),
    tests: Type.Optional(TestsSchema),
    validation: Type.Optional(ValidationSchema),
    review: Type.Optional(ReviewSchema),
  },
  closed,
);
export type Round = Static<typeof RoundSchema>;

export const DiffFileSchema = Type.Object(
  {
    path: Type.String(),
    status: StringEnum(['added', 'modified', 'deleted', 'renamed', 'other'] as const),
    additions: Type.Integer({ minimum: 0 }),
    deletions: Type.Integer({ minimum: 0 }),
    binary: Type.Boolean(),
  },
  closed,
);

export const CleanupSchema = Type.Object(
  {
    agentStopped: Type.Boolean({ description: "The agent's process tree is gone." }),
    instanceStopped: Type.Boolean({ description: "The job's instance (services, supervisor) is stopped." }),
    portsReleased: Type.Boolean(),
    worktreeKept: Type.Union([Type.String(), Type.Null()], { description: 'Absolute path, kept for inspection.' }),
    branchKept: Type.Union([Type.String(), Type.Null()]),
    notes: Type.Array(Type.String()),
  },
  { ...closed, description: 'What was cleaned after a failure, a cancel or a close.' },
);
export type Cleanup = Static<typeof CleanupSchema>;

export const TimelineEntrySchema = Type.Object(
  {
    id: Type.Integer({ description: 'The job event id.' }),
    at: Time,
    from: Type.Union([JobStateSchema, Type.Null()]),
    to: JobStateSchema,
    role: RoleSchema,
    attempt: Type.Integer({ minimum: 1 }),
    round: Type.Integer({ minimum: 0 }),
    message: Type.String(),
    /** Time spent in `to` (until the next transition, or until now for the current state). */
    durationMs: Type.Number(),
    artifacts: Type.Array(ArtifactLinkSchema),
  },
  closed,
);
export type TimelineEntry = Static<typeof TimelineEntrySchema>;

export const JobManifestSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    id: Type.String(),
    title: Type.String({ description: "The request's first line." }),
    request: Type.String({ description: 'The request text, verbatim (data: never expanded or run).' }),
    requestedVia: Type.Optional(
      Type.String({
        description:
          'Where the request came from, when an intake other than the CLI made the job (e.g. "requested in Telegram by @alice: chat …, message 42 (https://t.me/…)").',
      }),
    ),
    repo: Type.String({ description: 'Absolute path of the repository.' }),
    base: Type.String({ description: 'The branch the job started from.' }),
    baseCommit: Type.Union([Type.String(), Type.Null()]),
    branch: Type.String({ description: 'factory/<job id>' }),
    head: Type.Union([Type.String(), Type.Null()], { description: "The branch's tip commit." }),
    state: JobStateSchema,
    /** For failed and cancelled jobs: the state `factory job retry` resumes from. */
    stoppedAt: Type.Union([JobStateSchema, Type.Null()]),
    createdAt: Time,
    updatedAt: Time,
    roles: Type.Object({ planner: AgentChoiceSchema, builder: AgentChoiceSchema, reviewer: AgentChoiceSchema }, closed),
    plan: Type.Union([PlanSchema, Type.Null()]),
    planUsage: Type.Union([UsageSchema, Type.Null()]),
    rounds: Type.Array(RoundSchema),
    maxFixRounds: Type.Integer({ minimum: 0 }),
    /** The latest verdict (also in its round). */
    review: Type.Union([ReviewSchema, Type.Null()]),
    commits: Type.Array(CommitSchema),
    diff: Type.Union([
      Type.Object(
        {
          base: Type.String(),
          head: Type.String(),
          files: Type.Array(DiffFileSchema),
          patch: RelPath,
          stat: Type.String({ description: '`git diff --stat` text.' }),
        },
        closed,
      ),
      Type.Null(),
    ]),
    preview: Type.Union([
      Type.Object(
        {
          worktreeId: Type.String(),
          urls: Type.Record(Type.String(), Type.String()),
          up: Type.Boolean({ description: 'The instance was running when the manifest was written.' }),
          expiresAt: Type.Union([Time, Type.Null()], { description: 'When the preview TTL stops it.' }),
        },
        closed,
      ),
      Type.Null(),
    ]),
    approval: Type.Union([
      Type.Object(
        {
          paths: Type.Array(Type.String(), { description: "The contract's jobs.approval.paths globs." }),
          matched: Type.Array(Type.String(), { description: 'Changed files that matched them.' }),
          approvedAt: Type.Union([Time, Type.Null()]),
          approvedBy: Type.Union([Type.String(), Type.Null()]),
        },
        closed,
      ),
      Type.Null(),
    ]),
    reviewRequest: Type.Union([
      Type.Object(
        {
          publisher: Type.String({ description: '`local`, later `github`.' }),
          url: Type.String(),
          path: Type.Optional(Type.String({ description: 'Absolute path of the page, for local.' })),
        },
        closed,
      ),
      Type.Null(),
    ]),
    usage: Type.Object(
      {
        total: UsageSchema,
        byStage: Type.Record(Type.String(), UsageSchema, { description: 'Keyed by stage: plan, build, review.' }),
        byRound: Type.Array(Type.Object({ round: Type.Integer(), usage: UsageSchema }, closed)),
      },
      closed,
    ),
    timeline: Type.Array(TimelineEntrySchema),
    failure: Type.Union([
      Type.Object(
        {
          stage: StageNameSchema,
          state: JobStateSchema,
          code: Type.String(),
          message: Type.String(),
          hint: Type.Optional(Type.String()),
          logTail: Type.Optional(Type.String()),
          log: Type.Optional(RelPath),
        },
        closed,
      ),
      Type.Null(),
    ]),
    cleanup: Type.Union([CleanupSchema, Type.Null()]),
    artifacts: Type.Array(
      Type.Object(
        {
          path: RelPath,
          kind: StringEnum([
            'plan',
            'log',
            'junit',
            'video',
            'poster',
            'screenshot',
            'report',
            'manifest',
            'diff',
            'verdict',
            'page',
            'other',
          ] as const),
          bytes: Type.Integer({ minimum: 0 }),
        },
        closed,
      ),
    ),
  },
  { ...closed, description: 'A job and its evidence: .factory/jobs/<id>/job.json, and `factory job show --json`.' },
);
export type JobManifest = Static<typeof JobManifestSchema>;

/** The file name of the manifest inside the job folder. */
export const MANIFEST_FILE = 'job.json';
/** The review page's file name inside the job folder. */
export const REVIEW_PAGE_FILE = 'review.html';
