/**
 * `FactoryYaml`: factory.yaml as the user writes it, defined once with TypeBox.
 *
 * `factory.schema.json` (what editors load through `# yaml-language-server: $schema=…`) is generated
 * from `FactoryYamlSchema` by scripts/generate-schemas.ts, and test/contract/schema-drift.test.ts fails
 * when the committed file differs. Keys are snake_case like the seed's sample.
 *
 * Every rule draft-07 can express lives here, so an editor rejects what `factory check` rejects:
 * name patterns (./names.ts), exactly one key of a group (./one-of.ts), known stop signals, reserved
 * variables. What needs the whole contract (unknown ports, cycles, undefined `${NAME}`) is a rule
 * in ./rules/.
 *
 * Design rule that keeps errors readable: every `anyOf` of alternatives here has branches of
 * *different JSON types* (string | array | object), so ./validate.ts can tell which branch the
 * user meant from the value's type and report only that branch's errors; a key taking a number or
 * a string is one schema with a type list (./schema-parts.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import { NAME_PATTERN, STOP_SIGNAL_PATTERN } from './names.js';
import { ONE_OF, exactlyOne } from './one-of.js';
import { TestSuiteYaml, ValidationYaml } from './schema-checks.js';
import {
  closed,
  CommandField,
  doc,
  Duration,
  EnvMap,
  required,
  StringEnum,
  StringList,
  TemplateString,
} from './schema-parts.js';
import { JobsYaml } from './jobs-schema.js';

const NAME_WORDS = 'lowercase letters, digits, "_" and "-", starting with a letter or digit';
const serviceNames = { pattern: NAME_PATTERN, patternErrorMessage: `a service name: ${NAME_WORDS}` };
const portName = { pattern: NAME_PATTERN, patternErrorMessage: `a port name: ${NAME_WORDS}` };

const EnvFilePath = Type.String({
  minLength: 1,
  ...required('Path of a dotenv file, relative to the repository root.', ['.env.local']),
});
const EnvFileRequired = Type.Boolean(
  doc('false: a missing file is skipped silently; true: a missing file fails `factory start`.', {
    default: true,
    examples: [false],
  }),
);
const EnvFileEntry = Type.Union([
  Type.String({ minLength: 1 }),
  Type.Object({ path: EnvFilePath, required: Type.Optional(EnvFileRequired) }, closed),
]);

const SetupStepYaml = Type.Union(
  [
    Type.String({ minLength: 1 }),
    Type.Object(
      {
        name: Type.Optional(
          Type.String({
            minLength: 1,
            ...doc('The step name (unique).', {
              defaultText: 'its number and first word, e.g. "1-bun"',
              examples: ['build-ui'],
            }),
          }),
        ),
        run: CommandField('What the step runs.', {
          defaultText: 'none (required)',
          examples: ['pnpm install', ['pnpm', 'build']],
        }),
        cwd: Type.Optional(
          TemplateString('Working directory, relative to the repository root.', {
            default: '.',
            examples: ['packages/ui'],
          }),
        ),
        env: Type.Optional(EnvMap("The step's own variables.", [{ NODE_ENV: 'production' }])),
        inputs: Type.Optional(
          StringList('Globs whose content fingerprints the step: unchanged inputs skip it.', {
            defaultText: 'none: the step always runs',
            examples: [['packages/ui/src/**', 'packages/ui/package.json']],
          }),
        ),
        outputs: Type.Optional(
          StringList('Paths the step produces; a missing one makes it run again.', {
            default: [],
            examples: [['packages/ui/dist']],
          }),
        ),
        timeout: Type.Optional(Duration('How long the step may run.', { default: '10m', examples: ['5m'] })),
      },
      closed,
    ),
  ],
  {
    description:
      'A setup step: a shell line (run as `sh -c <line>`), or { run, name, cwd, env, inputs, outputs, timeout }.',
  },
);

const PortsYaml = Type.Union(
  [
    Type.Array(Type.String({ minLength: 1, ...portName, description: 'A port name; its offset is its position.' })),
    Type.Record(
      Type.String(),
      Type.Union(
        [
          Type.Null(),
          Type.Object(
            {
              offset: Type.Optional(
                Type.Integer({
                  minimum: 0,
                  maximum: 65_535,
                  ...doc('Slot inside the leased block: port = block base + offset.', {
                    defaultText: 'the position in the map',
                    examples: [0, 2],
                  }),
                }),
              ),
            },
            closed,
          ),
        ],
        { description: 'A port: empty (its offset is its position), or { offset }.' },
      ),
      { propertyNames: portName },
    ),
  ],
  doc(
    'Named ports. Each becomes <NAME>_PORT (restate-admin → RESTATE_ADMIN_PORT) at a slot of the port block an instance leases.',
    {
      defaultText: 'without this key, each ${NAME_PORT} reference declares port "name", in order of first use',
      examples: [['api', 'web'], { postgres: { offset: 0 }, api: { offset: 1 } }],
    },
  ),
);

const Timing = {
  interval: Type.Optional(
    Duration('First poll delay; polls back off ×1.5 up to 250ms.', { default: '10ms', examples: ['50ms'] }),
  ),
  timeout: Type.Optional(Duration("One attempt's time limit.", { default: '2s', examples: ['5s'] })),
  start_period: Type.Optional(
    Duration("Failures in this period after a (re)start don't count.", { default: 0, examples: ['10s'] }),
  ),
  retries: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1000,
      ...doc('Consecutive failures, once ready, before the service is unhealthy.', { default: 3, examples: [5] }),
    }),
  ),
  startup_timeout: Type.Optional(Duration('How long startup may take.', { default: '60s', examples: ['2m'] })),
};

/** A tcp check's port: a port name (or digits), or one `${NAME}` reference. */
export const TCP_TARGET_PATTERN = '^(?:[a-z0-9][a-z0-9_-]*|\\$\\{[A-Za-z_][A-Za-z0-9_]*\\})$';
const TCP_WORDS = 'a port name (web), a number (5432) or a template (${WEB_PORT})';

const HEALTHCHECK_KIND = exactlyOne(ONE_OF.healthcheck);

const HealthcheckYaml = Type.Union(
  [
    Type.String({ minLength: 1 }),
    Type.Object(
      {
        http: Type.Optional(
          TemplateString('URL to GET; ready when the status matches.', {
            defaultText: 'none',
            examples: ['http://127.0.0.1:${API_PORT}/health'],
          }),
        ),
        status: Type.Optional(
          Type.Unsafe<number | string>({
            type: ['integer', 'string'],
            minimum: 100,
            maximum: 599,
            pattern: '^\\d{3}(-\\d{3})?$',
            errorMessage: 'a status code (204) or an inclusive range ("200-399")',
            ...doc('Accepted status of an http check: a code or an inclusive range.', {
              default: '200-399',
              examples: [204, '200-299'],
            }),
          }),
        ),
        tcp: Type.Optional(
          Type.Unsafe<string | number>({
            type: ['string', 'integer'],
            minimum: 1,
            maximum: 65_535,
            pattern: TCP_TARGET_PATTERN,
            errorMessage: TCP_WORDS,
            ...doc(`Ready when a TCP connection opens: ${TCP_WORDS}.`, {
              defaultText: 'none',
              examples: ['web', 5432, '${DB_PORT}'],
            }),
          }),
        ),
        host: Type.Optional(
          Type.String({
            minLength: 1,
            ...doc('Host of a tcp check.', { defaultText: 'every loopback address', examples: ['127.0.0.1'] }),
          }),
        ),
        command: Type.Optional(
          CommandField('Ready when it exits 0.', {
            defaultText: 'none',
            examples: [['pg_isready', '-h', '127.0.0.1']],
          }),
        ),
        log: Type.Optional(
          Type.String({
            minLength: 1,
            ...doc("A JavaScript regex; ready when a line of the service's output matches.", {
              defaultText: 'none',
              examples: ['listening on \\d+'],
            }),
          }),
        ),
        ...Timing,
      },
      {
        ...closed,
        anyOf: HEALTHCHECK_KIND.anyOf,
        // `status` belongs to http checks, `host` to tcp checks.
        dependencies: { ...HEALTHCHECK_KIND.dependencies, status: ['http'], host: ['tcp'] },
      },
    ),
  ],
  doc('When the service is ready: a shell command (a string), or one of http, tcp, command, log with timing.', {
    defaultText: 'none: ready once started',
    examples: ['curl -sf http://localhost:${API_PORT}/health', { http: 'http://127.0.0.1:${API_PORT}/health' }],
  }),
);

const Condition = StringEnum(['started', 'healthy', 'completed'] as const);

const DependsOnYaml = Type.Union(
  [
    Type.Array(
      Type.String({
        minLength: 1,
        description:
          'A service; waits for it to be completed (a one-shot), healthy (it has a health check) or started.',
      }),
    ),
    Type.Record(
      Type.String(),
      Type.Union(
        [
          Condition,
          Type.Object(
            {
              condition: StringEnum(['started', 'healthy', 'completed'] as const, {
                ...required('What to wait for.', ['completed']),
              }),
            },
            closed,
          ),
        ],
        {
          description:
            'What to wait for: started (running), healthy (its health check passed) or completed (it exited 0; it is a one-shot).',
        },
      ),
    ),
  ],
  doc('Services started first, and what to wait for.', {
    default: [],
    examples: [['postgres'], { migrate: 'completed', postgres: 'healthy' }],
  }),
);

const RestartPolicyYaml = StringEnum(['no', 'on-failure', 'always'] as const);

const RestartYaml = Type.Union(
  [
    RestartPolicyYaml,
    Type.Object(
      {
        policy: Type.Optional(
          StringEnum(['no', 'on-failure', 'always'] as const, {
            ...doc('When to restart.', { defaultText: 'on-failure; no for one-shots', examples: ['always'] }),
          }),
        ),
        max_restarts: Type.Optional(
          Type.Integer({
            minimum: 0,
            maximum: 1000,
            ...doc('Restarts before the service fails.', { default: 3, examples: [5] }),
          }),
        ),
        backoff: Type.Optional(
          Duration('Delay before the first restart; doubles each time.', { default: '500ms', examples: ['1s'] }),
        ),
      },
      closed,
    ),
  ],
  doc('When a service that exits is started again: a policy, or { policy, max_restarts, backoff }.', {
    defaultText: 'on-failure, 3 restarts, 500ms backoff; one-shots: no',
    examples: ['always', { policy: 'on-failure', max_restarts: 5, backoff: '1s' }],
  }),
);

const ServiceYaml = Type.Object(
  {
    type: Type.Optional(
      StringEnum(['process', 'compose', 'docker-compose'] as const, {
        ...doc('process: a command factory runs; compose (alias docker-compose): a docker compose service.', {
          default: 'process',
          examples: ['compose'],
        }),
      }),
    ),
    command: Type.Optional(
      CommandField('The process to run.', {
        defaultText: 'none; required unless type is compose',
        examples: ['pnpm --filter api dev', ['node', 'server.js']],
      }),
    ),
    compose_file: Type.Optional(
      Type.String({
        minLength: 1,
        ...doc('The compose file, relative to the repository root (compose services).', {
          defaultText: "compose's own discovery",
          examples: ['deploy/compose.yaml'],
        }),
      }),
    ),
    service: Type.Optional(
      Type.String({
        minLength: 1,
        ...doc('The service name inside the compose file.', {
          defaultText: "this service's name",
          examples: ['redis'],
        }),
      }),
    ),
    cwd: Type.Optional(
      TemplateString('Working directory, relative to the repository root.', {
        default: '.',
        examples: ['packages/api'],
      }),
    ),
    env: Type.Optional(EnvMap("The service's own variables, over the contract's.", [{ PORT: '${API_PORT}' }])),
    port: Type.Optional(
      Type.String({
        minLength: 1,
        ...portName,
        ...doc('The port the service listens on (a name from ports).', {
          defaultText: 'the ports its url or health check mention',
          examples: ['api'],
        }),
      }),
    ),
    ports: Type.Optional(
      StringList(
        'Ports the service listens on (names from ports).',
        { defaultText: 'the ports its url or health check mention', examples: [['api', 'admin']] },
        portName,
      ),
    ),
    depends_on: Type.Optional(DependsOnYaml),
    healthcheck: Type.Optional(HealthcheckYaml),
    url: Type.Optional(
      TemplateString("The service's address for people and agents.", {
        defaultText: 'none',
        examples: ['http://127.0.0.1:${WEB_PORT}'],
      }),
    ),
    restart: Type.Optional(RestartYaml),
    stop_signal: Type.Optional(
      Type.String({
        pattern: STOP_SIGNAL_PATTERN,
        patternErrorMessage: 'a signal name like SIGTERM, SIGINT or SIGQUIT',
        ...doc('The signal that asks the service to stop (SIGTERM, INT, …).', {
          default: 'SIGTERM',
          examples: ['SIGINT'],
        }),
      }),
    ),
    stop_grace_period: Type.Optional(
      Duration('How long to wait after the stop signal before SIGKILL.', { default: '5s', examples: ['10s'] }),
    ),
    one_shot: Type.Optional(
      Type.Boolean(
        doc('Runs to completion (migrations, seeds): exit 0 = completed.', {
          defaultText: 'true when a depends_on waits for it to be completed, else false',
          examples: [true],
        }),
      ),
    ),
  },
  {
    ...closed,
    // A compose service is run by docker compose (no command); a process needs one, and no compose keys.
    if: { required: ['type'], properties: { type: { enum: ['compose', 'docker-compose'] } } },
    // biome-ignore lint/suspicious/noThenProperty: the JSON Schema keyword, not a thenable
    then: {
      properties: { command: false },
      errorMessage: 'a compose service has no command: docker compose runs it (remove "command", or "type")',
    },
    else: {
      allOf: [
        { required: ['command'], errorMessage: 'a service needs a command (or type: compose)' },
        {
          properties: { compose_file: false, service: false },
          errorMessage: '"compose_file" and "service" apply only to compose services (type: compose)',
        },
      ],
    },
    description: 'A service: a process (command) or a docker compose service (type: compose).',
  },
);

export const FactoryYamlSchema = Type.Object(
  {
    $schema: Type.Optional(
      Type.String(
        doc('A JSON Schema for editors (or use a `# yaml-language-server: $schema=` comment).', {
          defaultText: 'none',
          examples: ['./node_modules/software-factory/factory.schema.json'],
        }),
      ),
    ),
    name: Type.String({ minLength: 1, ...required('The project name; the default compose project prefix.', ['shop']) }),
    runtime: Type.Optional(
      Type.Object(
        {
          package_manager: Type.Optional(
            StringEnum(['npm', 'pnpm', 'yarn', 'bun'] as const, {
              ...doc('The package manager the commands use.', { defaultText: 'none', examples: ['pnpm'] }),
            }),
          ),
        },
        { ...closed, ...doc('What the project runs on.', { default: {}, examples: [{ package_manager: 'bun' }] }) },
      ),
    ),
    setup: Type.Optional(
      Type.Array(
        SetupStepYaml,
        doc('Steps `factory setup` runs in order: shell lines or objects.', {
          default: [],
          examples: [['bun install']],
        }),
      ),
    ),
    env: Type.Optional(
      EnvMap('Variables every command sees.', [{ DATABASE_URL: 'postgres://app@127.0.0.1:${POSTGRES_PORT}/app' }]),
    ),
    env_file: Type.Optional(
      Type.Union(
        [
          Type.String({ minLength: 1 }),
          Type.Array(EnvFileEntry),
          Type.Object({ path: EnvFilePath, required: Type.Optional(EnvFileRequired) }, closed),
        ],
        doc('Dotenv files whose values commands see (below env; values are literal).', {
          defaultText: 'none',
          examples: ['.env.dev', [{ path: '.env.local', required: false }]],
        }),
      ),
    ),
    isolation: Type.Optional(
      Type.Object(
        {
          strategy: Type.Optional(
            StringEnum(['git-worktree', 'none'] as const, {
              ...doc('git-worktree: one instance per worktree; none: one per repository.', {
                default: 'git-worktree',
                examples: ['none'],
              }),
            }),
          ),
          port_range_size: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 1000,
              ...doc('Ports leased per instance.', { defaultText: 'max(10, highest port offset + 1)', examples: [20] }),
            }),
          ),
          docker_project_prefix: Type.Optional(
            Type.String({
              pattern: NAME_PATTERN,
              patternErrorMessage: `a compose project prefix: ${NAME_WORDS}`,
              ...doc('Compose project = <prefix>_<worktree id>.', {
                defaultText: 'name, lowercased',
                examples: ['shop'],
              }),
            }),
          ),
        },
        { ...closed, ...doc('How instances are kept apart.', { default: {}, examples: [{ port_range_size: 20 }] }) },
      ),
    ),
    ports: Type.Optional(PortsYaml),
    services: Type.Optional(
      Type.Record(Type.String(), ServiceYaml, {
        propertyNames: serviceNames,
        ...doc('Services by name: what `factory start` runs, in dependency order.', {
          default: {},
          examples: [{ web: { command: 'node server.js', url: 'http://127.0.0.1:${WEB_PORT}' } }],
        }),
      }),
    ),
    tests: Type.Optional(
      Type.Record(Type.String(), TestSuiteYaml, {
        ...doc('Test suites by name, run by `factory test`.', { default: {}, examples: [{ unit: ['npm test'] }] }),
      }),
    ),
    validation: Type.Optional(ValidationYaml),
    jobs: Type.Optional(JobsYaml),
    artifacts: Type.Optional(
      Type.Union(
        [
          Type.Array(Type.String({ minLength: 1, description: 'A glob, relative to the repository root.' })),
          Type.Object(
            {
              collect: Type.Optional(
                StringList('Globs of files to keep after a run.', { default: [], examples: [['test-results/**']] }),
              ),
            },
            closed,
          ),
        ],
        doc('Files kept after runs: globs, or { collect: [globs] }.', {
          default: [],
          examples: [{ collect: ['test-results/**', '*.log'] }],
        }),
      ),
    ),
  },
  {
    ...closed,
    // `x-` keys are ignored, as in docker compose: a place for YAML anchors shared by services.
    patternProperties: {
      '^x-': { description: 'Ignored: a place for YAML anchors (&name) that services merge (<<: *name).' },
    },
    $id: 'https://software-factory.dev/factory.schema.json',
    title: 'factory.yaml',
    description: 'The runtime contract of a repository for Software Factory (`factory`).',
  },
);

export type FactoryYaml = Static<typeof FactoryYamlSchema>;
export type CommandYaml = Static<ReturnType<typeof CommandField>>;
export type ServiceYaml = Static<typeof ServiceYaml>;
export type HealthcheckYaml = Static<typeof HealthcheckYaml>;
export type { StepYaml } from './schema-checks.js';
