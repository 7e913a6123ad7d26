/**
 * The contract's `jobs:` section as written: how the factory pipeline (src/jobs, docs/jobs.md)
 * works on this repository — which agent plays each role, the sandbox, the fix rounds, the test
 * suites to run, approval gates, limits. Flags override it; every key has a default (src/jobs'
 * JOB_DEFAULTS, named in each description so hover shows it).
 */
import { Type } from '@sinclair/typebox';
import { closed, doc, Duration, required, StringList } from './schema-parts.js';

const AGENTS = 'claude-code, codex, opencode, cursor, copilot, pi, or command';

function AgentYaml(role: string, defaultText: string) {
  return Type.Union(
    [
      Type.String({ minLength: 1 }),
      Type.Object(
        {
          agent: Type.String({ minLength: 1, ...required(`The agent: ${AGENTS}.`, ['codex']) }),
          model: Type.Optional(
            Type.String({
              minLength: 1,
              ...doc("The model, as the agent's CLI names it.", { defaultText: "the agent's own", examples: ['o3'] }),
            }),
          ),
          command: Type.Optional(
            Type.Array(Type.String(), {
              minItems: 1,
              ...doc('For agent `command`: the executable and its arguments.', {
                defaultText: 'none',
                examples: [['./bin/my-agent', '--json']],
              }),
            }),
          ),
        },
        closed,
      ),
    ],
    doc(`The agent ${role}: a name (${AGENTS}), or { agent, model, command }.`, {
      defaultText,
      examples: ['codex', { agent: 'claude-code', model: 'sonnet' }],
    }),
  );
}

/** Job limits may be longer than a service's (a day). */
const WEEK = 7 * 86_400;

const STAGE_DEFAULTS = {
  plan: '15m',
  worktree: '2m',
  sandbox: '2m',
  environment: '15m',
  build: '60m',
  test: '30m',
  record: '15m',
  publish: '2m',
  review: '20m',
} as const;

export const JobsYaml = Type.Object(
  {
    agent: Type.Optional(AgentYaml('for every role not given its own', 'claude-code')),
    planner: Type.Optional(AgentYaml('that plans the change', 'agent')),
    builder: Type.Optional(AgentYaml('that writes the change', 'agent')),
    reviewer: Type.Optional(AgentYaml('that reviews the change', 'agent')),
    sandbox: Type.Optional(
      Type.Unsafe<'none' | 'bwrap' | 'docker' | 'podman'>({
        type: 'string',
        enum: ['none', 'bwrap', 'docker', 'podman'],
        ...doc('Where the agents run: none, bwrap, docker or podman.', { default: 'bwrap', examples: ['podman'] }),
      }),
    ),
    max_fix_rounds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10,
        ...doc('Rounds in which the builder fixes what tests or review found.', { default: 2, examples: [3] }),
      }),
    ),
    tests: Type.Optional(
      StringList('Test suites a job runs (names from tests).', { defaultText: 'every suite', examples: [['unit']] }),
    ),
    approval: Type.Optional(
      Type.Object(
        {
          paths: StringList('Globs; a change touching a match waits for `factory job approve`.', {
            defaultText: 'none (required)',
            examples: [['migrations/**', '.github/**']],
          }),
        },
        {
          ...closed,
          ...doc('Approval gates before a change is published.', {
            defaultText: 'none',
            examples: [{ paths: ['migrations/**'] }],
          }),
        },
      ),
    ),
    timeouts: Type.Optional(
      Type.Object(
        {
          ...Object.fromEntries(
            Object.entries(STAGE_DEFAULTS).map(([k, d]) => [
              k,
              Type.Optional(
                Duration(`How long one attempt of the ${k} stage may take.`, { default: d, examples: ['10m'] }, WEEK),
              ),
            ]),
          ),
          job: Type.Optional(Duration('How long a whole job may take.', { default: '4h', examples: ['2h'] }, WEEK)),
          agent_idle: Type.Optional(
            Duration(
              'How long an agent may say nothing before it is stopped.',
              { default: '10m', examples: ['20m'] },
              WEEK,
            ),
          ),
        },
        {
          ...closed,
          ...doc('Time limits per stage, per job and for an idle agent.', {
            defaultText: 'the default of each key',
            examples: [{ build: '90m', job: '6h' }],
          }),
        },
      ),
    ),
    preview_ttl: Type.Optional(
      Duration(
        "How long a job's running preview stays up (0: until the job is closed).",
        {
          default: '24h',
          examples: ['2h'],
        },
        WEEK,
      ),
    ),
    concurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 64,
        ...doc('Jobs of this repository at once.', { default: 2, examples: [4] }),
      }),
    ),
  },
  {
    ...closed,
    ...doc('How `factory job` works on this repository (docs/jobs.md).', {
      defaultText: 'the default of each key',
      examples: [{ agent: 'codex', max_fix_rounds: 3 }],
    }),
  },
);
