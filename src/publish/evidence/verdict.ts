/**
 * The reviewer's answer: a second agent run (a different agent or model when configured) reads the
 * diff against the plan and its acceptance criteria and answers inside `<verdict>…</verdict>` with
 * JSON matching `VerdictSchema` (ADR 0058). `request_changes` sends the findings back to the builder
 * for one fix round; `approve` and `comment` let the job reach `ready_for_human_review`.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './states.js';

const closed = { additionalProperties: false } as const;

export const SeveritySchema = StringEnum(['info', 'minor', 'major', 'critical'] as const);
export type Severity = Static<typeof SeveritySchema>;

export const FindingSchema = Type.Object(
  {
    file: Type.String({ minLength: 1, maxLength: 500, description: 'Repository-relative path.' }),
    line: Type.Optional(Type.Integer({ minimum: 1, description: 'Line in the new version of the file.' })),
    severity: SeveritySchema,
    message: Type.String({ minLength: 1, maxLength: 4000 }),
    suggestion: Type.Optional(Type.String({ maxLength: 4000 })),
  },
  closed,
);
export type Finding = Static<typeof FindingSchema>;

export const CriterionCheckSchema = Type.Object(
  {
    id: Type.String({ description: "An acceptance criterion's id from the plan." }),
    met: Type.Boolean(),
    note: Type.Optional(Type.String({ maxLength: 2000, description: 'What shows it (or why not).' })),
  },
  closed,
);
export type CriterionCheck = Static<typeof CriterionCheckSchema>;

export const VerdictKindSchema = StringEnum(['approve', 'request_changes', 'comment'] as const);
export type VerdictKind = Static<typeof VerdictKindSchema>;

export const VerdictSchema = Type.Object(
  {
    verdict: VerdictKindSchema,
    summary: Type.String({ minLength: 1, maxLength: 4000 }),
    findings: Type.Array(FindingSchema, { maxItems: 200 }),
    risks: Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), { maxItems: 50 }),
    criteria: Type.Optional(Type.Array(CriterionCheckSchema, { maxItems: 30 })),
  },
  { ...closed, description: "The reviewer's structured output, inside <verdict>…</verdict>." },
);
export type Verdict = Static<typeof VerdictSchema>;

/** The tag the reviewer answers in. */
export const VERDICT_TAG = 'verdict';
