/**
 * The planner's answer: one agent iteration whose structured output (ADR 0058) must match
 * `PlanSchema`, written inside `<plan>…</plan>`. docs/jobs.md shows the prompt and an example, so any
 * agent — Claude Code, Codex, or a `command` executable — can play the planner.
 *
 * `browserSteps` are the steps that would prove the feature in a browser. The recorder turns them
 * into one more validation scenario (the *feature scenario*) run beside the contract's own. They are
 * the normalized step shapes of src/contract/types.ts `ScenarioStep`, with timeouts in milliseconds;
 * their strings are data: `${NAME}` in them is never resolved (the recorder escapes it), and `goto`
 * takes a path under the app's start URL or a loopback URL.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './states.js';

const closed = { additionalProperties: false } as const;
const Name = Type.Optional(Type.String({ maxLength: 200, description: 'What this step proves, for the report.' }));
const Timeout = Type.Optional(
  Type.Integer({ minimum: 0, maximum: 120_000, description: 'Milliseconds; default 10 000.' }),
);
const Selector = Type.String({ minLength: 1, maxLength: 2000, description: 'A Playwright selector.' });

export const PlanStepSchema = Type.Union(
  [
    Type.Object(
      { action: Type.Literal('goto'), url: Type.String({ minLength: 1, maxLength: 2000 }), name: Name },
      closed,
    ),
    Type.Object({ action: Type.Literal('click'), selector: Selector, name: Name }, closed),
    Type.Object(
      { action: Type.Literal('fill'), selector: Selector, value: Type.String({ maxLength: 10_000 }), name: Name },
      closed,
    ),
    Type.Object(
      {
        action: Type.Literal('press'),
        key: Type.String({ minLength: 1 }),
        selector: Type.Optional(Selector),
        name: Name,
      },
      closed,
    ),
    Type.Object(
      {
        action: Type.Literal('wait_for'),
        selector: Type.Optional(Selector),
        text: Type.Optional(Type.String({ minLength: 1 })),
        timeoutMs: Timeout,
        name: Name,
      },
      closed,
    ),
    Type.Object(
      {
        action: Type.Literal('expect'),
        text: Type.Optional(Type.String({ minLength: 1 })),
        visible: Type.Optional(Selector),
        url: Type.Optional(Type.String({ minLength: 1 })),
        timeoutMs: Timeout,
        name: Name,
      },
      closed,
    ),
    Type.Object(
      {
        action: Type.Literal('screenshot'),
        name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', maxLength: 80 }),
        fullPage: Type.Optional(Type.Boolean()),
      },
      closed,
    ),
  ],
  { description: 'One browser step, the normalized form of a factory.yaml scenario step.' },
);
export type PlanStep = Static<typeof PlanStepSchema>;

export const AcceptanceCriterionSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', maxLength: 40, description: 'e.g. "AC1".' }),
    text: Type.String({ minLength: 1, maxLength: 2000 }),
    /** How the criterion is shown to hold: the feature scenario, a test suite, or only the reviewer's reading. */
    proof: StringEnum(['browser', 'test', 'review'] as const),
  },
  closed,
);
export type AcceptanceCriterion = Static<typeof AcceptanceCriterionSchema>;

export const RiskLevelSchema = StringEnum(['low', 'medium', 'high'] as const);
export type RiskLevel = Static<typeof RiskLevelSchema>;

export const PlanSchema = Type.Object(
  {
    summary: Type.String({ minLength: 1, maxLength: 4000, description: 'What will change and why, in a paragraph.' }),
    steps: Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), {
      minItems: 1,
      maxItems: 50,
      description: 'The scoped implementation plan, in order.',
    }),
    files: Type.Optional(
      Type.Array(Type.String({ maxLength: 500 }), { maxItems: 200, description: 'Files the plan expects to touch.' }),
    ),
    acceptanceCriteria: Type.Array(AcceptanceCriterionSchema, { minItems: 1, maxItems: 30 }),
    browserSteps: Type.Array(PlanStepSchema, {
      maxItems: 50,
      description: 'Steps that prove the feature in the running app; empty when nothing is visible in a browser.',
    }),
    risk: RiskLevelSchema,
    rollback: Type.String({ minLength: 1, maxLength: 4000, description: 'How to undo the change once merged.' }),
  },
  { ...closed, description: "The planner's structured output, inside <plan>…</plan>." },
);
export type Plan = Static<typeof PlanSchema>;

/** The tag the planner answers in. */
export const PLAN_TAG = 'plan';
