/**
 * The contract's `jobs:` section as written: how the factory pipeline (src/jobs, docs/jobs.md)
 * works on this repository — which agent plays each role, the sandbox, the fix rounds, the test
 * suites to run, approval gates, limits. Flags override it; every key has a default.
 */
import { Type } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;

/** "150ms", "5s", "2m", "1h", or seconds (the contract's Duration; repeated to keep this file standalone). */
const Duration = Type.Union(
  [
    Type.Number({ minimum: 0, maximum: 7 * 86_400 }),
    Type.String({ pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)\\s*$' }),
  ],
  { description: 'A duration: "150ms", "5s", "2m", "1h", or a number of seconds.' },
);

const AgentYaml = Type.Union(
  [
    Type.String({ minLength: 1, description: 'An agent name: claude-code, codex, opencode, cursor, copilot, pi.' }),
    Type.Object(
      {
        agent: Type.String({ minLength: 1 }),
        model: Type.Optional(Type.String({ minLength: 1 })),
        command: Type.Optional(
          Type.Array(Type.String(), {
            minItems: 1,
            description: 'For agent `command`: the executable and its arguments.',
          }),
        ),
      },
      closed,
    ),
  ],
  { description: 'The agent for a role: a name, or {agent, model, command}.' },
);

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

export const JobsYaml = Type.Object(
  {
    agent: Type.Optional(AgentYaml),
    planner: Type.Optional(AgentYaml),
    builder: Type.Optional(AgentYaml),
    reviewer: Type.Optional(AgentYaml),
    sandbox: Type.Optional(
      Type.Unsafe<'none' | 'bwrap' | 'docker' | 'podman'>({
        type: 'string',
        enum: ['none', 'bwrap', 'docker', 'podman'],
      }),
    ),
    max_fix_rounds: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    tests: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Suites a job runs; default all.' })),
    approval: Type.Optional(
      Type.Object(
        {
          paths: Type.Array(Type.String({ minLength: 1 }), {
            description: 'Globs; a change touching a match waits for `factory job approve`.',
          }),
        },
        closed,
      ),
    ),
    timeouts: Type.Optional(
      Type.Object(
        {
          ...Object.fromEntries(stageKeys.map((k) => [k, Type.Optional(Duration)])),
          job: Type.Optional(Duration),
          agent_idle: Type.Optional(Duration),
        },
        closed,
      ),
    ),
    preview_ttl: Type.Optional(Duration),
    concurrency: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 64, description: 'Jobs of this repository at once (default 2).' }),
    ),
  },
  { ...closed, description: 'How `factory job` works on this repository (docs/jobs.md).' },
);
