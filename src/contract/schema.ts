/**
 * `FactoryYaml`: factory.yaml as the user writes it, defined once with TypeBox.
 *
 * `factory.schema.json` (what editors load through `# yaml-language-server: $schema=…`) is generated
 * from `FactoryYamlSchema` by scripts/generate-schemas.ts, and test/contract/schema-drift.test.ts fails
 * when the committed file differs. Keys are snake_case like the seed's sample.
 *
 * Design rule that keeps errors readable: every `anyOf` here has branches of *different JSON types*
 * (string | array | object | number), so ./validate.ts can tell which branch the user meant from the
 * value's type and report only that branch's errors. Choices between objects of the same type
 * (health check kinds, scenario step actions) are one object with optional keys, and
 * ./normalize.ts requires exactly one of them.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;

/** One of a few strings, as a JSON Schema `enum` (one clear error instead of one per literal). */
function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** "150ms", "5s", "2m", "1h", or a number of seconds. */
export const Duration = Type.Union(
  [Type.Number({ minimum: 0, maximum: 86_400 }), Type.String({ pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)\\s*$' })],
  { description: 'A duration: "150ms", "5s", "2m", "1h", or a number of seconds.' },
);

/** A shell line (string, run with `sh -c`) or an argument vector (list, no shell). */
export const CommandYaml = Type.Union(
  [
    Type.String({ minLength: 1, description: 'A shell line, run as `sh -c <line>`.' }),
    Type.Array(Type.String(), { minItems: 1, description: 'An argument vector; no shell.' }),
  ],
  { description: 'A command: a shell line, or a list of arguments run without a shell.' },
);

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
export const EnvMap = Type.Record(Type.String(), Scalar, {
  description: 'Variables; values may reference ${NAME}.',
});

const EnvFileEntry = Type.Union([
  Type.String({ minLength: 1 }),
  Type.Object(
    {
      path: Type.String({ minLength: 1 }),
      required: Type.Optional(
        Type.Boolean({ description: 'false: a missing file is silently skipped (default true).' }),
      ),
    },
    closed,
  ),
]);

const SetupStepYaml = Type.Union([
  Type.String({ minLength: 1, description: 'A shell line.' }),
  Type.Object(
    {
      name: Type.Optional(Type.String({ minLength: 1 })),
      run: CommandYaml,
      cwd: Type.Optional(Type.String()),
      env: Type.Optional(EnvMap),
      inputs: Type.Optional(Type.Array(Type.String(), { description: 'Globs fingerprinting the step.' })),
      outputs: Type.Optional(Type.Array(Type.String(), { description: 'Paths the step produces.' })),
      timeout: Type.Optional(Duration),
    },
    closed,
  ),
]);

const PortsYaml = Type.Union([
  Type.Array(Type.String(), { description: 'Port names; offsets follow declaration order.' }),
  Type.Record(
    Type.String(),
    Type.Union([
      Type.Null(),
      Type.Object({ offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535 })) }, closed),
    ]),
    { description: 'Port name → { offset } inside the leased block.' },
  ),
]);

/** A tcp check's port: a port name, digits, or one `${NAME}` reference. */
const TCP_TARGET = '^(?:[a-z0-9][a-z0-9_-]*|\\$\\{[A-Za-z_][A-Za-z0-9_]*\\})$';

const Timing = {
  interval: Type.Optional(Duration),
  timeout: Type.Optional(Duration),
  start_period: Type.Optional(Duration),
  retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  startup_timeout: Type.Optional(Duration),
};

const HealthcheckYaml = Type.Union([
  Type.String({ minLength: 1, description: 'A shell command; exit 0 = healthy.' }),
  Type.Object(
    {
      http: Type.Optional(Type.String({ minLength: 1, description: 'URL to GET.' })),
      status: Type.Optional(
        Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.String({ pattern: '^\\d{3}(-\\d{3})?$' })], {
          description: 'Accepted status: 200, or a range "200-399" (default).',
        }),
      ),
      tcp: Type.Optional(
        Type.Unsafe<string | number>({
          type: ['string', 'integer'],
          minimum: 1,
          maximum: 65_535,
          pattern: TCP_TARGET,
          description: 'The port to connect to: a port name (web), a number (5432) or a template (${WEB_PORT}).',
        }),
      ),
      host: Type.Optional(Type.String({ minLength: 1 })),
      command: Type.Optional(CommandYaml),
      log: Type.Optional(Type.String({ minLength: 1, description: 'Regex matched per output line.' })),
      ...Timing,
    },
    { ...closed, description: 'Exactly one of http, tcp, command, log; plus timing keys.' },
  ),
]);

const Condition = StringEnum(['started', 'healthy', 'completed'] as const);

const DependsOnYaml = Type.Union([
  Type.Array(Type.String()),
  Type.Record(Type.String(), Type.Union([Condition, Type.Object({ condition: Condition }, closed)])),
]);

const RestartPolicyYaml = StringEnum(['no', 'on-failure', 'always'] as const);

const RestartYaml = Type.Union([
  RestartPolicyYaml,
  Type.Object(
    {
      policy: Type.Optional(RestartPolicyYaml),
      max_restarts: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
      backoff: Type.Optional(Duration),
    },
    closed,
  ),
]);

const ServiceYaml = Type.Object(
  {
    type: Type.Optional(
      StringEnum(['process', 'compose', 'docker-compose'] as const, {
        description: 'process (default) or compose (alias docker-compose).',
      }),
    ),
    command: Type.Optional(CommandYaml),
    compose_file: Type.Optional(Type.String({ minLength: 1 })),
    service: Type.Optional(Type.String({ minLength: 1, description: 'Service name inside the compose file.' })),
    cwd: Type.Optional(Type.String()),
    env: Type.Optional(EnvMap),
    port: Type.Optional(Type.String({ minLength: 1 })),
    ports: Type.Optional(Type.Array(Type.String())),
    depends_on: Type.Optional(DependsOnYaml),
    healthcheck: Type.Optional(HealthcheckYaml),
    url: Type.Optional(Type.String({ minLength: 1 })),
    restart: Type.Optional(RestartYaml),
    stop_signal: Type.Optional(Type.String({ pattern: '^(SIG)?[A-Z0-9]+$' })),
    stop_grace_period: Type.Optional(Duration),
    one_shot: Type.Optional(Type.Boolean()),
  },
  closed,
);

const TestSuiteYaml = Type.Union([
  Type.Array(CommandYaml, { minItems: 1, description: 'Commands run in order.' }),
  Type.Object(
    {
      command: Type.Optional(CommandYaml),
      commands: Type.Optional(Type.Array(CommandYaml, { minItems: 1 })),
      needs: Type.Optional(Type.Array(Type.String())),
      cwd: Type.Optional(Type.String()),
      env: Type.Optional(EnvMap),
      timeout: Type.Optional(Duration),
      reports: Type.Optional(Type.Array(Type.String())),
    },
    closed,
  ),
]);

const WaitYaml = Type.Union([
  Type.String({ minLength: 1, description: 'Text to wait for.' }),
  Type.Object(
    { text: Type.Optional(Type.String()), selector: Type.Optional(Type.String()), timeout: Type.Optional(Duration) },
    closed,
  ),
]);

const ExpectYaml = Type.Union([
  Type.String({ minLength: 1, description: 'Text expected on the page.' }),
  Type.Object(
    {
      text: Type.Optional(Type.String()),
      visible: Type.Optional(Type.String({ description: 'Selector expected to be visible.' })),
      url: Type.Optional(Type.String()),
      timeout: Type.Optional(Duration),
    },
    closed,
  ),
]);

const StepYaml = Type.Object(
  {
    name: Type.Optional(Type.String()),
    goto: Type.Optional(Type.String({ minLength: 1 })),
    click: Type.Optional(Type.String({ minLength: 1 })),
    fill: Type.Optional(Type.Object({ selector: Type.String(), value: Type.String() }, closed)),
    press: Type.Optional(
      Type.Union([
        Type.String({ minLength: 1 }),
        Type.Object({ key: Type.String(), selector: Type.Optional(Type.String()) }, closed),
      ]),
    ),
    wait_for: Type.Optional(WaitYaml),
    expect: Type.Optional(ExpectYaml),
    screenshot: Type.Optional(
      Type.Union([
        Type.String({ minLength: 1 }),
        Type.Object({ name: Type.String(), full_page: Type.Optional(Type.Boolean()) }, closed),
      ]),
    ),
  },
  { ...closed, description: 'Exactly one action: goto, click, fill, press, wait_for, expect, screenshot.' },
);

const ScenarioYaml = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    start_url: Type.Optional(Type.String({ minLength: 1 })),
    needs: Type.Optional(Type.Array(Type.String())),
    steps: Type.Optional(Type.Array(StepYaml)),
    script: Type.Optional(Type.String({ minLength: 1 })),
    timeout: Type.Optional(Duration),
  },
  closed,
);

const ValidationYaml = Type.Object(
  {
    browser: Type.Optional(
      Type.Object(
        {
          start_url: Type.Optional(Type.String({ minLength: 1 })),
          record_video: Type.Optional(Type.Boolean()),
          mp4: Type.Optional(Type.Boolean()),
          viewport: Type.Optional(
            Type.Object(
              {
                width: Type.Integer({ minimum: 100, maximum: 10_000 }),
                height: Type.Integer({ minimum: 100, maximum: 10_000 }),
              },
              closed,
            ),
          ),
        },
        closed,
      ),
    ),
    scenarios: Type.Optional(Type.Array(ScenarioYaml)),
  },
  closed,
);

export const FactoryYamlSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ minLength: 1, description: 'Project name.' }),
    runtime: Type.Optional(
      Type.Object(
        {
          package_manager: Type.Optional(StringEnum(['npm', 'pnpm', 'yarn', 'bun'] as const)),
        },
        closed,
      ),
    ),
    setup: Type.Optional(Type.Array(SetupStepYaml, { description: 'Steps run in order by `factory setup`.' })),
    env: Type.Optional(EnvMap),
    env_file: Type.Optional(
      Type.Union([
        Type.String({ minLength: 1 }),
        Type.Array(EnvFileEntry),
        Type.Object({ path: Type.String({ minLength: 1 }), required: Type.Optional(Type.Boolean()) }, closed),
      ]),
    ),
    isolation: Type.Optional(
      Type.Object(
        {
          strategy: Type.Optional(StringEnum(['git-worktree', 'none'] as const)),
          port_range_size: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 1000,
              description: 'Ports leased per instance (default max(10, ports)).',
            }),
          ),
          docker_project_prefix: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$' })),
        },
        closed,
      ),
    ),
    ports: Type.Optional(PortsYaml),
    services: Type.Optional(Type.Record(Type.String(), ServiceYaml)),
    tests: Type.Optional(Type.Record(Type.String(), TestSuiteYaml)),
    validation: Type.Optional(ValidationYaml),
    artifacts: Type.Optional(
      Type.Union([
        Type.Array(Type.String()),
        Type.Object({ collect: Type.Optional(Type.Array(Type.String())) }, closed),
      ]),
    ),
  },
  {
    ...closed,
    // `x-` keys are ignored, as in docker compose: a place for YAML anchors shared by services.
    patternProperties: { '^x-': {} },
    $id: 'https://software-factory.dev/factory.schema.json',
    title: 'factory.yaml',
    description: 'The runtime contract of a repository for Software Factory (`factory`).',
  },
);

export type FactoryYaml = Static<typeof FactoryYamlSchema>;
export type CommandYaml = Static<typeof CommandYaml>;
export type DurationYaml = Static<typeof Duration>;
export type ServiceYaml = Static<typeof ServiceYaml>;
export type HealthcheckYaml = Static<typeof HealthcheckYaml>;
export type StepYaml = Static<typeof StepYaml>;
export type TestSuiteYaml = Static<typeof TestSuiteYaml>;
export type SchemaNode = TSchema;
