/**
 * The JSON API's shapes (docs/dashboard.md), published as schema/serve-*.schema.json. Every body has
 * `schemaVersion`; failures carry the CLI's error shape (`{ ok: false, error: { code, message, hint } }`)
 * with an HTTP status for its exit code. The shapes reuse the library's: a job is `factory job list`'s
 * summary, its evidence is the manifest (schema/job.schema.json), an instance is `factory ps`'s row.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { JobEventSchema, JobSummarySchema } from '../jobs/index.js';
import { JobManifestSchema } from '../publish/index.js';
import { InstanceSummarySchema, ServiceStatusSchema } from '../services/index.js';

const closed = { additionalProperties: false } as const;
const V = { schemaVersion: Type.Literal(1) };
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const Links = Type.Object(
  {
    page: Type.String({ description: "The job's dashboard page (path, or absolute under --public-url)." }),
    reviewPage: Nullable(Type.String({ description: 'review.html at its stable URL; null until published.' })),
    events: Type.String({ description: 'The SSE stream of its events.' }),
  },
  closed,
);

export const DashboardJobSchema = Type.Object(
  {
    ...JobSummarySchema.properties,
    excerpt: Type.String({ description: 'The request, shortened to one line (redacted).' }),
    durationMs: Type.Number({ description: 'From creation to the last update (to now while live).' }),
    links: Links,
  },
  closed,
);
export type DashboardJob = Static<typeof DashboardJobSchema>;

export const ServeJobsOutput = Type.Object(
  { ...V, jobs: Type.Array(DashboardJobSchema, { description: 'Newest first.' }) },
  { ...closed, description: 'GET /api/jobs[?state=…&repo=…&limit=…] of `factory serve`.' },
);

export const ServeJobOutput = Type.Object(
  {
    ...V,
    job: DashboardJobSchema,
    manifest: JobManifestSchema,
  },
  { ...closed, description: 'GET /api/jobs/:id of `factory serve`: the summary and the evidence manifest, redacted.' },
);

export const DashboardInstanceSchema = Type.Object(
  {
    ...InstanceSummarySchema.properties,
    healthy: Type.Boolean({ description: 'Every service ready (and not unhealthy) or completed.' }),
    services: Type.Array(ServiceStatusSchema),
    jobId: Nullable(Type.String({ description: 'The job whose preview this is (its worktree id), when it is one.' })),
  },
  closed,
);
export type DashboardInstance = Static<typeof DashboardInstanceSchema>;

export const ServeInstancesOutput = Type.Object(
  { ...V, instances: Type.Array(DashboardInstanceSchema, { description: 'Sorted by repository, then id.' }) },
  { ...closed, description: 'GET /api/instances of `factory serve` (what `factory ps` reads, no prune).' },
);

export const ServeActionOutput = Type.Object(
  {
    ...V,
    ok: Type.Boolean(),
    action: Type.Union(['cancel', 'retry', 'approve', 'close', 'stop'].map((a) => Type.Literal(a)) as never),
    job: Nullable(DashboardJobSchema),
    instance: Nullable(Type.Object({ worktreeId: Type.String(), root: Type.String(), was: Type.String() }, closed)),
    immediate: Type.Optional(Type.Boolean({ description: 'cancel: no worker held it, it is cancelled now.' })),
  },
  { ...closed, description: 'POST /api/jobs/:id/{cancel,retry,approve,close} and /api/instances/:id/stop.' },
);

export const ServeEventOutput = Type.Object(
  { ...V, event: JobEventSchema },
  { ...closed, description: 'The data of one Server-Sent Event of /api/events and /api/jobs/:id/events (redacted).' },
);

export const ServeHealthOutput = Type.Object(
  {
    ...V,
    ok: Type.Literal(true),
    clients: Type.Integer({ description: 'SSE clients connected now.' }),
    buffered: Type.Integer({ description: 'Events in the ring all SSE clients share.' }),
    maxBuffered: Type.Integer({
      description: 'The ring size; a client behind it reads from the store (no per-client queue).',
    }),
    lastEventId: Type.Integer(),
    rssBytes: Type.Integer(),
  },
  { ...closed, description: 'GET /api/health of `factory serve`.' },
);

export const ServeErrorOutput = Type.Object(
  {
    ...V,
    ok: Type.Literal(false),
    error: Type.Object({ code: Type.String(), message: Type.String(), hint: Nullable(Type.String()) }),
  },
  { ...closed, description: 'Any failed request of `factory serve` (as the CLI prints errors with --json).' },
);

export const ServeOutput = Type.Object(
  {
    ...V,
    url: Type.String({ description: 'Where to open it (the --public-url when given).' }),
    host: Type.String(),
    port: Type.Integer(),
    pid: Type.Integer(),
    tokenFile: Nullable(Type.String({ description: 'The token file (mode 600); null on loopback, which needs none.' })),
    loginUrl: Nullable(
      Type.String({ description: 'The login link, only when this start generated the token (it is shown once).' }),
    ),
  },
  { ...closed, description: 'What `factory serve --json` prints once it listens (one line; it runs until a signal).' },
);

/** Registry entries (src/schemas.ts). */
export const serverSchemas = {
  serve: ServeOutput,
  'serve-jobs': ServeJobsOutput,
  'serve-job': ServeJobOutput,
  'serve-instances': ServeInstancesOutput,
  'serve-action': ServeActionOutput,
  'serve-event': ServeEventOutput,
  'serve-health': ServeHealthOutput,
  'serve-error': ServeErrorOutput,
} satisfies Record<string, TSchema>;
