/**
 * JSON Schemas of the runtime commands' `--json` output (published as schema/<name>.schema.json).
 * The assignments at the bottom tie each schema to its TypeScript type at compile time, and
 * test/services/schemas.e2e.test.ts validates real outputs against them.
 * Failures of any command print the common error shape instead ({ ok: false, error, diagnostics }).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { InstanceSummary } from './ps.js';
import type { InstanceStatus } from './status-read.js';
import type { CleanResult, StopResult } from './stop.js';
import type { LogLine } from './logs.js';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const V = { schemaVersion: Type.Literal(1) };
const Identity = Type.Object({ pid: Type.Integer(), startTime: Type.Integer() }, closed);
const Ports = Type.Record(Type.String(), Type.Integer(), { description: 'Port name → leased port number.' });
const Urls = Type.Record(Type.String(), Type.String(), { description: 'Service name → URL.' });
const StableUrls = Type.Record(Type.String(), Type.String(), {
  description:
    'Service name → stable URL through `factory router` (http://<service>.<worktree-id>.<project>.localhost:<port>/…), when a router runs and the instance is running; else {}.',
});

export const ServiceStatusSchema = Type.Object(
  {
    name: Type.String(),
    kind: Type.Union([Type.Literal('process'), Type.Literal('compose')]),
    state: Type.Union(
      ['pending', 'starting', 'ready', 'completed', 'restarting', 'failed', 'blocked', 'stopping', 'stopped'].map((s) =>
        Type.Literal(s),
      ) as never,
      {
        description:
          'pending → starting → ready | completed (one-shot exit 0) | failed; restarting between runs; blocked: a dependency failed.',
      },
    ),
    health: Type.Union(
      [Type.Literal('none'), Type.Literal('starting'), Type.Literal('healthy'), Type.Literal('unhealthy')],
      {
        description: 'Ongoing health after readiness; `none` when the service has no check.',
      },
    ),
    pid: Nullable(Type.Integer()),
    pidStartTime: Nullable(
      Type.Integer({
        description: '/proc/<pid>/stat start time, so a recycled pid is never mistaken for the service.',
      }),
    ),
    ports: Ports,
    url: Nullable(Type.String()),
    check: Nullable(Type.String({ description: 'The check, e.g. "http http://127.0.0.1:20001/health".' })),
    lastCheck: Nullable(
      Type.Object({ ok: Type.Boolean(), at: Type.String(), durationMs: Type.Number(), detail: Type.String() }, closed),
    ),
    restarts: Type.Integer(),
    exitCode: Nullable(Type.Integer()),
    signal: Nullable(Type.String()),
    logPath: Type.String(),
    startedAt: Nullable(Type.String()),
    readyAt: Nullable(Type.String()),
    error: Nullable(Type.String()),
  },
  closed,
);

const ErrorSchema = Nullable(
  Type.Object(
    {
      service: Type.String(),
      message: Type.String(),
      check: Nullable(Type.String()),
      exitCode: Nullable(Type.Integer()),
      logTail: Type.Array(Type.String()),
    },
    closed,
  ),
);

const ComposeToolSchema = Nullable(
  Type.Object(
    {
      name: Type.Union(
        ['docker compose', 'docker-compose', 'podman compose', 'podman-compose'].map((n) => Type.Literal(n)) as never,
        { description: 'How the compose tool is invoked.' },
      ),
      command: Type.Array(Type.String()),
      flavor: Type.Union([Type.Literal('compose-v2'), Type.Literal('compose-v1'), Type.Literal('podman-compose')], {
        description: 'The implementation behind the command.',
      }),
      version: Type.String(),
      engine: Nullable(
        Type.Object(
          {
            name: Type.String({ description: 'e.g. "Docker Engine - Community", "Podman Engine", "podman".' }),
            version: Type.String(),
            endpoint: Type.String({ description: 'DOCKER_HOST (or the default socket), or "podman".' }),
          },
          closed,
        ),
      ),
    },
    {
      ...closed,
      description: 'The compose tool and engine the preflight chose for the compose services; null without any.',
    },
  ),
);

const statusFields = {
  worktreeId: Type.String(),
  root: Type.String(),
  stateDir: Type.String(),
  contractFile: Type.String(),
  running: Type.Boolean({ description: 'The supervisor process is alive.' }),
  phase: Type.Union(
    ['starting', 'running', 'degraded', 'stopping', 'stopped', 'failed', 'not-started', 'supervisor-dead'].map((s) =>
      Type.Literal(s),
    ) as never,
  ),
  healthy: Type.Boolean({ description: 'Every service ready (not unhealthy) or completed.' }),
  supervisor: Nullable(
    Type.Object(
      { pid: Type.Integer(), alive: Type.Boolean(), socket: Type.String(), foreground: Type.Boolean() },
      closed,
    ),
  ),
  portBase: Nullable(Type.Integer()),
  ports: Ports,
  urls: Urls,
  stableUrls: StableUrls,
  services: Type.Array(ServiceStatusSchema),
  compose: ComposeToolSchema,
  orphans: Type.Array(Identity, { description: 'Live processes of the instance whose supervisor is dead.' }),
  error: ErrorSchema,
};

export const InstanceStatusSchema = Type.Object(statusFields, closed);
export const StatusOutput = Type.Object(
  { ...V, ...statusFields },
  { ...closed, description: 'Output of `factory status --json` (exit 0 healthy, 1 not all healthy, 3 not running).' },
);
export const StartOutput = Type.Object(
  {
    ...V,
    ok: Type.Literal(true),
    attached: Type.Boolean({ description: 'The instance was already running; this call attached to it.' }),
    warnings: Type.Array(Type.String(), {
      description:
        "Things to know that did not stop the start, e.g. a --port-range block inside the kernel's ephemeral port range.",
    }),
    ...statusFields,
  },
  { ...closed, description: 'Output of `factory start --json` once ready.' },
);
export const UrlsOutput = Type.Object(
  { ...V, worktreeId: Type.String(), running: Type.Boolean(), urls: Urls, stableUrls: StableUrls, ports: Ports },
  { ...closed, description: 'Output of `factory urls --json`.' },
);

export const RestartOutput = Type.Object(
  {
    ...V,
    ok: Type.Boolean({ description: 'The restarted service is ready or completed again.' }),
    restarted: ServiceStatusSchema,
    ...statusFields,
  },
  { ...closed, description: 'Output of `factory restart <service> --json` (the instance status after the restart).' },
);

const stopFields = {
  worktreeId: Type.String(),
  stateDir: Type.String(),
  was: Type.Union([Type.Literal('running'), Type.Literal('supervisor-dead'), Type.Literal('not-running')]),
  reaped: Type.Array(Identity, {
    description: 'Leftover processes reaped after the supervisor (or instead of a dead one).',
  }),
  busyPorts: Type.Array(Type.Integer(), { description: 'Leased ports still bound after stopping.' }),
};
export const StopOutput = Type.Object(
  { ...V, ok: Type.Boolean(), ...stopFields },
  { ...closed, description: 'Output of `factory stop --json`.' },
);
export const CleanOutput = Type.Object(
  {
    ...V,
    ok: Type.Boolean(),
    ...stopFields,
    removed: Type.Boolean({ description: 'An instance folder was there and was removed (false on a second clean).' }),
    lease: Nullable(Type.Object({ base: Type.Integer(), size: Type.Integer() }, closed)),
    compose: Type.Array(Type.Object({ argv: Type.Array(Type.String()), exitCode: Nullable(Type.Integer()) }, closed)),
  },
  { ...closed, description: 'Output of `factory clean --json`.' },
);

const Holder = Type.Object(
  {
    port: Type.Integer(),
    pids: Type.Array(Type.Object({ pid: Type.Integer(), command: Type.Optional(Type.String()) }, closed)),
  },
  closed,
);
export const InstanceSummarySchema = Type.Object(
  {
    worktreeId: Nullable(Type.String()),
    root: Nullable(Type.String()),
    stateDir: Nullable(Type.String()),
    portBase: Nullable(Type.Integer()),
    portCount: Nullable(Type.Integer()),
    phase: Type.String({
      description:
        'The instance phase (as in status), `leased` (a start holds the lease, no state yet), `not-started`, or `unknown` (processes of no lease).',
    }),
    supervisorPid: Nullable(Type.Integer()),
    running: Type.Boolean(),
    urls: Urls,
    processes: Type.Array(Identity),
    boundPorts: Type.Array(Holder, {
      description: 'Ports of the lease with a listener while the instance does not run.',
    }),
    leaks: Type.Array(
      Type.Union([Type.Literal('orphans'), Type.Literal('unknown-processes'), Type.Literal('ports-bound')]),
      {
        description:
          'What still holds a resource without a running instance: its processes (orphans), processes of no lease, a listener on a leased port.',
      },
    ),
  },
  closed,
);
const Reclaimed = Type.Object(
  {
    worktreeId: Type.String(),
    root: Type.String(),
    base: Type.Integer(),
    size: Type.Integer(),
    reason: Type.Union([Type.Literal('repository folder gone'), Type.Literal('owner dead and instance state missing')]),
  },
  closed,
);
const Pruned = Type.Object(
  {
    processes: Type.Array(
      Type.Object(
        {
          pid: Type.Integer(),
          startTime: Type.Integer(),
          command: Nullable(Type.String()),
          worktreeId: Nullable(Type.String()),
          root: Nullable(Type.String()),
        },
        closed,
      ),
    ),
    stopped: Type.Array(Type.Object({ worktreeId: Type.String(), root: Type.String() }, closed), {
      description: 'Instances whose supervisor had died, now marked stopped.',
    }),
  },
  closed,
);
export const PsOutput = Type.Object(
  {
    ...V,
    instances: Type.Array(InstanceSummarySchema, { description: 'Sorted by repository, then worktree id.' }),
    reclaimed: Type.Array(Reclaimed, { description: 'Leases of instances that are gone, dropped by this call.' }),
    pruned: Type.Union([Pruned, Type.Null()], { description: 'What `--prune` removed; null without it.' }),
  },
  { ...closed, description: 'Output of `factory ps --json` (exit 1 when a leak is left).' },
);
export const EnvOutput = Type.Object(
  {
    ...V,
    env: Type.Record(Type.String(), Type.String()),
    portBase: Type.Integer({ description: 'First port of the block the variables use.' }),
    leased: Type.Boolean({
      description:
        'The instance holds a port lease (or runs). False: the ports are the block it would get if started now; nothing is reserved.',
    }),
    note: Nullable(Type.String({ description: 'Set when `leased` is false, saying so.' })),
  },
  { ...closed, description: 'Output of `factory env --json` (never leases).' },
);
const LogLineSchema = Type.Object(
  { service: Type.String(), at: Type.String(), stream: Type.String(), line: Type.String() },
  closed,
);
export const LogsOutput = Type.Object(
  { ...V, worktreeId: Type.String(), lines: Type.Array(LogLineSchema) },
  { ...closed, description: 'Output of `factory logs --json` (without -f; with -f, one LogLine object per line).' },
);

export const RouterOutput = Type.Object(
  {
    ...V,
    port: Type.Integer(),
    pid: Type.Integer(),
    url: Type.String({ description: 'The listing page: http://localhost:<port>/' }),
  },
  { ...closed, description: 'What `factory router --json` prints once it listens (one line; it runs until a signal).' },
);

/** Registry entries (see src/schemas.ts). */
export const runtimeSchemas = {
  start: StartOutput,
  status: StatusOutput,
  urls: UrlsOutput,
  stop: StopOutput,
  restart: RestartOutput,
  router: RouterOutput,
  clean: CleanOutput,
  ps: PsOutput,
  env: EnvOutput,
  logs: LogsOutput,
} satisfies Record<string, TSchema>;

// Compile-time ties between the schemas and the types the code returns.
type Loose<T> = { [K in keyof T]: unknown };
export type SchemaTies = [
  Loose<InstanceStatus> extends Loose<Static<typeof InstanceStatusSchema>> ? true : never,
  Loose<Static<typeof InstanceStatusSchema>> extends Loose<InstanceStatus> ? true : never,
  Loose<StopResult> extends Loose<Omit<Static<typeof StopOutput>, 'schemaVersion' | 'ok'>> ? true : never,
  Loose<CleanResult> extends Loose<Omit<Static<typeof CleanOutput>, 'schemaVersion' | 'ok'>> ? true : never,
  Loose<InstanceSummary> extends Loose<Static<typeof InstanceSummarySchema>> ? true : never,
  Loose<LogLine> extends Loose<Static<typeof LogLineSchema>> ? true : never,
];
const ties: SchemaTies = [true, true, true, true, true, true];
void ties;
