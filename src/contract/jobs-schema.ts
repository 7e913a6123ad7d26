/**
 * The contract's `jobs:` section as written: how the factory pipeline (src/jobs, docs/jobs.md)
 * works on this repository — which agent plays each role, the sandbox, the fix rounds, the test
 * suites to run, approval gates, limits. Flags override it; every key has a default.
 */
import { Type } from '@sinclair/typebox';
import { closed, doc, Duration, required, StringEnum, StringList } from './schema-parts.js';

const AGENTS = 'claude-code, codex, opencode, cursor, copilot, pi, or command (any executable)';

function AgentField(role: string) {
  return Type.Union(
    [
      Type.String({ minLength: 1 }),
      Type.Object(
        {
          agent: Type.String({ minLength: 1, ...required(`The agent: ${AGENTS}.`, ['codex']) }),
          model: Type.Optional(
            Type.String({
              minLength: 1,
              ...doc("The agent's model.", { defaultText: "the agent's own", examples: ['gpt-5.4'] }),
            }),
          ),
          command: Type.Optional(
            StringList('With agent `command`: the executable and its arguments; the prompt comes on stdin.', {
              defaultText: 'none (required with agent command)',
              examples: [['./scripts/my-agent', '--fast']],
            }),
          ),
        },
        closed,
      ),
    ],
    doc(`The agent that plays the ${role}: a name (${AGENTS}) or {agent, model, command}.`, {
      defaultText: role === 'every role' ? 'claude-code' : '`agent`, else claude-code',
      examples: ['claude-code', { agent: 'codex', model: 'gpt-5.4' }],
    }),
  );
}

const stageKeys = [
  'plan',
  'worktree',
  'sandbox',
  'environment',
  'build',
  'test',
  'record',
  'publish',
  'review',
] as const;
const STAGE_DEFAULTS: Record<(typeof stageKeys)[number], string> = {
  plan: '15m',
  worktree: '2m',
  sandbox: '2m',
  environment: '15m',
  build: '1h',
  test: '30m',
  record: '15m',
  publish: '2m',
  review: '20m',
};

export const JobsYaml = Type.Object(
  {
    agent: Type.Optional(AgentField('every role')),
    planner: Type.Optional(AgentField('planner')),
    builder: Type.Optional(AgentField('builder')),
    reviewer: Type.Optional(AgentField('reviewer (a second opinion: pick another agent or model)')),
    sandbox: Type.Optional(
      StringEnum(
        ['none', 'bwrap', 'docker', 'podman'] as const,
        doc('Where the agents run.', { default: 'bwrap', examples: ['bwrap'] }),
      ),
    ),
    max_fix_rounds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10,
        ...doc('Rounds back to the builder when tests or the feature scenario fail.', { default: 2, examples: [2] }),
      }),
    ),
    tests: Type.Optional(
      StringList('The test suites a job runs.', { defaultText: 'every suite', examples: [['unit']] }),
    ),
    approval: Type.Optional(
      Type.Object(
        {
          paths: StringList('Globs: a change touching a match waits in awaiting_approval for `factory job approve`.', {
            default: [],
            examples: [['db/migrations/**']],
          }),
        },
        { ...closed, ...doc('Approval gates.', { defaultText: 'none', examples: [{ paths: ['db/migrations/**'] }] }) },
      ),
    ),
    timeouts: Type.Optional(
      Type.Object(
        {
          ...Object.fromEntries(
            stageKeys.map((k) => [
              k,
              Type.Optional(
                Duration(`One attempt of the ${k} stage.`, {
                  default: STAGE_DEFAULTS[k],
                  examples: [STAGE_DEFAULTS[k]],
                }),
              ),
            ]),
          ),
          job: Type.Optional(Duration('The whole job, from its first claim.', { default: '4h', examples: ['2h'] })),
          agent_idle: Type.Optional(
            Duration('An agent printing nothing this long fails its attempt.', { default: '10m', examples: ['10m'] }),
          ),
        },
        {
          ...closed,
          ...doc('Limits per stage and for the whole job.', {
            defaultText: 'the defaults below',
            examples: [{ build: '45m', job: '2h' }],
          }),
        },
      ),
    ),
    preview_ttl: Type.Optional(
      Duration('How long the preview stays up once the job is ready for review; 0 = until closed.', {
        default: '24h',
        examples: ['24h'],
      }),
    ),
    concurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 64,
        ...doc('Jobs of this repository at once on one machine.', { default: 2, examples: [2] }),
      }),
    ),
    publisher: Type.Optional(
      StringEnum(
        ['local', 'github'] as const,
        doc(
          "Where a job's review request goes: local (a review page in the job folder) or github (a pull request, docs/github.md).",
          { default: 'local', examples: ['github'] },
        ),
      ),
    ),
    github: Type.Optional(
      Type.Object(
        {
          remote: Type.Optional(
            Type.String({
              minLength: 1,
              ...doc('The git remote the branch is pushed to; its GitHub repository gets the pull request.', {
                default: 'origin',
                examples: ['origin'],
              }),
            }),
          ),
          repo: Type.Optional(
            Type.String({
              pattern: '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$',
              ...doc("OWNER/NAME, when the remote's URL does not say it (a mirror).", {
                defaultText: "the one the remote's URL names",
                examples: ['acme/shop'],
              }),
            }),
          ),
          api_url: Type.Optional(
            Type.String({
              pattern: '^https?://',
              ...doc('The REST API base; GitHub Enterprise Server: https://HOST/api/v3.', {
                default: 'https://api.github.com',
                examples: ['https://github.example.com/api/v3'],
              }),
            }),
          ),
          labels: Type.Optional(
            StringList('Labels besides factory-generated, needs-human-review and risk:<level>.', {
              default: [],
              examples: [['diffie']],
            }),
          ),
        },
        {
          ...closed,
          ...doc('The github publisher: where the pull request goes.', {
            defaultText: 'the defaults of each key',
            examples: [{ remote: 'origin', labels: ['diffie'] }],
          }),
        },
      ),
    ),
  },
  {
    ...closed,
    ...doc('How `factory job` works on this repository (docs/jobs.md).', {
      defaultText: 'the defaults of each key',
      examples: [{ reviewer: { agent: 'codex' }, approval: { paths: ['db/migrations/**'] } }],
    }),
  },
);
