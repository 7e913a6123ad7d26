/**
 * The normalized `Contract` (./types.ts) as a TypeBox schema, for the published JSON Schema of
 * `factory config --json`. types.ts stays the hand-written source other layers read; the two
 * assertions at the bottom make the compiler fail when they disagree in either direction.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Contract } from './types.js';

const Template = Type.String({ description: 'May hold ${NAME} references, resolved per instance.' });
const TemplateMap = Type.Record(Type.String(), Template);
const Source = Type.Object({ file: Type.String(), line: Type.Integer(), column: Type.Integer() });
const Command = Type.Union([
  Type.Object({ kind: Type.Literal('shell'), line: Type.String() }),
  Type.Object({ kind: Type.Literal('argv'), argv: Type.Array(Template) }),
]);
const Condition = Type.Union([Type.Literal('started'), Type.Literal('healthy'), Type.Literal('completed')]);
const Timing = {
  intervalMs: Type.Number(),
  maxIntervalMs: Type.Number(),
  timeoutMs: Type.Number(),
  startPeriodMs: Type.Number(),
  retries: Type.Integer(),
  startupTimeoutMs: Type.Number(),
};
const HealthCheck = Type.Union([
  Type.Object({
    kind: Type.Literal('http'),
    url: Template,
    status: Type.Tuple([Type.Integer(), Type.Integer()]),
    ...Timing,
  }),
  Type.Object({ kind: Type.Literal('tcp'), port: Type.String(), host: Type.Optional(Type.String()), ...Timing }),
  Type.Object({ kind: Type.Literal('command'), command: Command, ...Timing }),
  Type.Object({ kind: Type.Literal('log'), pattern: Type.String(), ...Timing }),
]);
const Signal = Type.Unsafe<NodeJS.Signals>(Type.String({ pattern: '^SIG[A-Z0-9]+$' }));
const ServiceBase = {
  name: Type.String(),
  cwd: Type.String(),
  env: TemplateMap,
  dependsOn: Type.Array(Type.Object({ service: Type.String(), condition: Condition })),
  ports: Type.Array(Type.String()),
  healthcheck: Type.Optional(HealthCheck),
  url: Type.Optional(Template),
  restart: Type.Object({
    policy: Type.Union([Type.Literal('no'), Type.Literal('on-failure'), Type.Literal('always')]),
    maxRestarts: Type.Integer(),
    backoffMs: Type.Number(),
  }),
  stop: Type.Object({ signal: Signal, graceMs: Type.Number() }),
  oneShot: Type.Boolean(),
  source: Type.Optional(Source),
};
const Service = Type.Union([
  Type.Object({ ...ServiceBase, kind: Type.Literal('process'), command: Command }),
  Type.Object({
    ...ServiceBase,
    kind: Type.Literal('compose'),
    composeFile: Type.Optional(Type.String()),
    composeService: Type.String(),
  }),
]);
const Step = Type.Union([
  Type.Object({ action: Type.Literal('goto'), url: Template, name: Type.Optional(Type.String()) }),
  Type.Object({ action: Type.Literal('click'), selector: Type.String(), name: Type.Optional(Type.String()) }),
  Type.Object({
    action: Type.Literal('fill'),
    selector: Type.String(),
    value: Template,
    name: Type.Optional(Type.String()),
  }),
  Type.Object({
    action: Type.Literal('press'),
    key: Type.String(),
    selector: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
  }),
  Type.Object({
    action: Type.Literal('wait_for'),
    text: Type.Optional(Type.String()),
    selector: Type.Optional(Type.String()),
    timeoutMs: Type.Number(),
    name: Type.Optional(Type.String()),
  }),
  Type.Object({
    action: Type.Literal('expect'),
    text: Type.Optional(Type.String()),
    visible: Type.Optional(Type.String()),
    url: Type.Optional(Template),
    timeoutMs: Type.Number(),
    name: Type.Optional(Type.String()),
  }),
  Type.Object({ action: Type.Literal('screenshot'), name: Type.String(), fullPage: Type.Boolean() }),
]);

const JobAgent = Type.Object({
  agent: Type.String(),
  model: Type.Optional(Type.String()),
  command: Type.Optional(Type.Array(Type.String())),
});

export const ContractSchema = Type.Object(
  {
    name: Type.String(),
    file: Type.String(),
    root: Type.String(),
    runtime: Type.Object({
      packageManager: Type.Optional(
        Type.Union([Type.Literal('npm'), Type.Literal('pnpm'), Type.Literal('yarn'), Type.Literal('bun')]),
      ),
    }),
    setup: Type.Array(
      Type.Object({
        name: Type.String(),
        command: Command,
        cwd: Type.String(),
        env: TemplateMap,
        inputs: Type.Array(Type.String()),
        outputs: Type.Array(Type.String()),
        timeoutMs: Type.Number(),
        source: Type.Optional(Source),
      }),
    ),
    env: TemplateMap,
    envFiles: Type.Array(Type.Object({ path: Type.String(), required: Type.Boolean(), source: Type.Optional(Source) })),
    isolation: Type.Object({
      strategy: Type.Union([Type.Literal('git-worktree'), Type.Literal('none')]),
      portBlockSize: Type.Integer(),
      composeProjectPrefix: Type.String(),
    }),
    ports: Type.Array(
      Type.Object({
        name: Type.String(),
        envVar: Type.String(),
        offset: Type.Integer(),
        inferred: Type.Optional(
          Type.Literal(true, {
            description: 'Declared by its first ${NAME_PORT} reference: the contract has no ports: list.',
          }),
        ),
        source: Type.Optional(Source),
      }),
    ),
    services: Type.Record(Type.String(), Service),
    startOrder: Type.Array(Type.String()),
    tests: Type.Record(
      Type.String(),
      Type.Object({
        name: Type.String(),
        commands: Type.Array(Command),
        needs: Type.Array(Type.String()),
        cwd: Type.String(),
        env: TemplateMap,
        timeoutMs: Type.Number(),
        reports: Type.Array(Type.String()),
        source: Type.Optional(Source),
      }),
    ),
    validation: Type.Optional(
      Type.Object({
        startUrl: Type.Optional(Template),
        recordVideo: Type.Boolean(),
        mp4: Type.Boolean(),
        viewport: Type.Object({ width: Type.Integer(), height: Type.Integer() }),
        scenarios: Type.Array(
          Type.Object({
            name: Type.String(),
            description: Type.Optional(Type.String()),
            startUrl: Template,
            needs: Type.Array(Type.String()),
            steps: Type.Array(Step),
            script: Type.Optional(Type.String()),
            timeoutMs: Type.Number(),
            source: Type.Optional(Source),
          }),
        ),
      }),
    ),
    jobs: Type.Optional(
      Type.Object({
        roles: Type.Object({
          planner: Type.Optional(JobAgent),
          builder: Type.Optional(JobAgent),
          reviewer: Type.Optional(JobAgent),
        }),
        sandbox: Type.Optional(Type.String()),
        maxFixRounds: Type.Optional(Type.Integer()),
        tests: Type.Optional(Type.Array(Type.String())),
        approvalPaths: Type.Array(Type.String()),
        timeoutsMs: Type.Record(Type.String(), Type.Number()),
        previewTtlMs: Type.Optional(Type.Number()),
        concurrency: Type.Optional(Type.Integer()),
        publisher: Type.Optional(Type.Union([Type.Literal('local'), Type.Literal('github')])),
        github: Type.Optional(
          Type.Object({
            remote: Type.Optional(Type.String()),
            repo: Type.Optional(Type.String()),
            apiUrl: Type.Optional(Type.String()),
            labels: Type.Array(Type.String()),
          }),
        ),
      }),
    ),
    artifacts: Type.Object({ collect: Type.Array(Type.String()) }),
  },
  { description: 'The normalized contract (src/contract/types.ts `Contract`).' },
);

// Compile-time ties to types.ts: each line fails to typecheck if the shapes drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesType: Same<Static<typeof ContractSchema>, Contract> = true;
void schemaMatchesType;
