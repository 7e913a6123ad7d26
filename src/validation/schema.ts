/**
 * The JSON Schema of a validation report: `manifest.json` in every run directory and the output of
 * `factory validate --json` (published as schema/validate.schema.json and
 * schema/validation-manifest.schema.json). The TypeScript types in ./types.ts are tied to it by the
 * compile-time checks at the bottom, so the two cannot drift apart silently.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { ValidationReport } from './types.js';

const closed = { additionalProperties: false } as const;
const RelPath = Type.String({ description: 'Path relative to the run directory.' });

const stepFailureProperties = {
  summary: Type.String({ description: 'One sentence: scenario, step index, action, target, expected and seen.' }),
  expected: Type.String(),
  actual: Type.String({ description: 'What the browser showed instead.' }),
  message: Type.String({ description: 'The underlying error message.' }),
  screenshot: Type.Optional(RelPath),
};
const StepFailureSchema = Type.Object(stepFailureProperties, closed);

const StepAction = Type.Union([
  Type.Literal('goto'),
  Type.Literal('click'),
  Type.Literal('fill'),
  Type.Literal('press'),
  Type.Literal('wait_for'),
  Type.Literal('expect'),
  Type.Literal('screenshot'),
  Type.Literal('script'),
  Type.Literal('script-step'),
]);

const StepResultSchema = Type.Object(
  {
    index: Type.Integer({ minimum: 0, description: '0 = opening start_url; 1.. = the steps as listed.' }),
    action: StepAction,
    target: Type.String(),
    name: Type.Optional(Type.String()),
    status: Type.Union([Type.Literal('passed'), Type.Literal('failed'), Type.Literal('skipped')]),
    startMs: Type.Number({ description: "Offset into the scenario's video." }),
    durationMs: Type.Number(),
    screenshot: Type.Optional(RelPath),
    failure: Type.Optional(StepFailureSchema),
  },
  closed,
);

const ScenarioResultSchema = Type.Object(
  {
    name: Type.String(),
    description: Type.Optional(Type.String()),
    status: Type.Union([Type.Literal('passed'), Type.Literal('failed')]),
    startUrl: Type.String(),
    script: Type.Optional(Type.String()),
    durationMs: Type.Number(),
    steps: Type.Array(StepResultSchema),
    failure: Type.Optional(Type.Object({ ...stepFailureProperties, stepIndex: Type.Integer() }, closed)),
    video: Type.Optional(
      Type.Object(
        {
          webm: RelPath,
          mp4: Type.Optional(RelPath),
          poster: Type.Optional(RelPath),
          durationMs: Type.Number(),
          frames: Type.Integer(),
          width: Type.Integer(),
          height: Type.Integer(),
        },
        closed,
      ),
    ),
    videoError: Type.Optional(Type.String()),
    trace: Type.Optional(RelPath),
    screenshots: Type.Array(RelPath),
    consoleErrors: Type.Array(
      Type.Object(
        {
          type: Type.Union([Type.Literal('error'), Type.Literal('pageerror'), Type.Literal('warning')]),
          text: Type.String(),
          location: Type.Optional(Type.String()),
          atMs: Type.Number(),
        },
        closed,
      ),
    ),
    failedRequests: Type.Array(
      Type.Object(
        {
          method: Type.String(),
          url: Type.String(),
          status: Type.Optional(Type.Integer()),
          failure: Type.String(),
          atMs: Type.Number(),
        },
        closed,
      ),
    ),
  },
  closed,
);

const reportProperties = {
  runId: Type.String({ description: 'validate-<worktreeId>-<UTC timestamp>-<4 hex>' }),
  worktreeId: Type.String(),
  ok: Type.Boolean({ description: 'True only if every scenario passed.' }),
  feature: Type.Union([Type.String(), Type.Null()], { description: 'The --feature text that picked the scenarios.' }),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  durationMs: Type.Number(),
  runDir: Type.String({ description: 'Absolute path of the run directory.' }),
  report: RelPath,
  manifest: RelPath,
  browser: Type.Object({ executablePath: Type.String(), version: Type.String() }, closed),
  urls: Type.Record(Type.String(), Type.String()),
  scenarios: Type.Array(ScenarioResultSchema),
  files: Type.Array(
    Type.Object(
      {
        path: RelPath,
        kind: Type.Union([
          Type.Literal('video'),
          Type.Literal('poster'),
          Type.Literal('screenshot'),
          Type.Literal('trace'),
          Type.Literal('report'),
        ]),
        bytes: Type.Integer(),
      },
      closed,
    ),
  ),
};

/** What the TypeScript side works with (no schemaVersion: printJson / the writer add it). */
const ReportBody = Type.Object(reportProperties, closed);

export const ValidationReportSchema = Type.Object(
  { schemaVersion: Type.Literal(1), ...reportProperties },
  { ...closed, description: 'A validation run: `factory validate --json`, and manifest.json in the run directory.' },
);

// Compile-time ties between the schema and ./types.ts, in both directions.
type Body = Static<typeof ReportBody>;
const toSchema = (r: ValidationReport): Body => r;
const fromSchema = (r: Body): ValidationReport => r;
void toSchema;
void fromSchema;
