/** The `factory test --json` output shape (published as schema/test.schema.json). */
import { Type } from '@sinclair/typebox';

const Counts = Type.Object(
  {
    tests: Type.Integer(),
    passed: Type.Integer(),
    failed: Type.Integer(),
    skipped: Type.Integer(),
    failures: Type.Array(Type.Object({ name: Type.String(), message: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false, description: "Counts from the suite's JUnit reports." },
);

export const SuiteResultSchema = Type.Object(
  {
    name: Type.String(),
    status: Type.Union(
      ['passed', 'failed', 'timed-out', 'interrupted', 'error', 'not-run'].map((s) => Type.Literal(s)),
    ),
    reason: Type.String(),
    exitCode: Type.Union([Type.Integer(), Type.Null()]),
    durationMs: Type.Number(),
    tests: Type.Union([Counts, Type.Null()], { description: 'null when the suite wrote no JUnit report.' }),
    reports: Type.Array(Type.String(), { description: 'Report files in the run directory (absolute).' }),
    log: Type.Union([Type.String(), Type.Null()], { description: "The suite's output log (absolute)." }),
    tail: Type.Optional(Type.String({ description: 'Last output of a suite that did not pass.' })),
  },
  { additionalProperties: false },
);

export const TestOutputSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    ok: Type.Boolean({ description: 'Every selected suite passed.' }),
    runId: Type.String({ pattern: '^test-[A-Za-z0-9][A-Za-z0-9._-]*-\\d{8}T\\d{6}Z-[0-9a-f]{4}$' }),
    worktreeId: Type.String(),
    artifactsDir: Type.String({
      description: '<root>/.factory/artifacts/<runId>: per-suite logs and reports, summary.json.',
    }),
    suites: Type.Array(SuiteResultSchema),
    startedServices: Type.Array(Type.String(), {
      description:
        'Needed services this run had to start (their dependencies were started with them); the instance is stopped again afterwards.',
    }),
    totals: Type.Object(
      {
        suites: Type.Integer(),
        passed: Type.Integer(),
        failed: Type.Integer(),
        tests: Type.Integer(),
        testsFailed: Type.Integer(),
      },
      { additionalProperties: false },
    ),
    durationMs: Type.Number(),
  },
  { additionalProperties: false, description: 'Output of `factory test --json` (also <artifactsDir>/summary.json).' },
);
