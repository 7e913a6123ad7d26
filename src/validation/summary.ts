/**
 * The verdict of a validation run in a few fields, for readers that should not wade through the
 * whole report (the MCP tool `validate`, an agent's next step): pass/fail, where the report is,
 * and per scenario the failed step, console errors and failed requests. Paths are absolute.
 * Published as schema/validation-summary.schema.json.
 */
import { join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import type { ValidationReport } from './types.js';

const closed = { additionalProperties: false } as const;

const FailedStep = Type.Object(
  {
    index: Type.Integer({ description: '1-based step number in the scenario.' }),
    summary: Type.String(),
    expected: Type.String(),
    actual: Type.String({ description: 'What the browser showed instead.' }),
    screenshot: Type.Union([Type.String(), Type.Null()], { description: 'Absolute path of the failure screenshot.' }),
  },
  closed,
);

export const ValidationSummarySchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    ok: Type.Boolean({ description: 'Every selected scenario passed.' }),
    runId: Type.String(),
    reportPath: Type.String({ description: 'Absolute path of report.html (video, screenshots, steps).' }),
    manifestPath: Type.String({
      description: 'Absolute path of manifest.json: the full report (`factory validate --json`).',
    }),
    scenarios: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          status: Type.Union([Type.Literal('passed'), Type.Literal('failed')]),
          durationMs: Type.Number(),
          failedStep: Type.Union([FailedStep, Type.Null()]),
          consoleErrors: Type.Array(Type.String(), { description: 'console.error and uncaught exceptions, as text.' }),
          failedRequests: Type.Array(Type.String(), { description: '"GET url → failure" for each failed request.' }),
          video: Type.Union([Type.String(), Type.Null()], { description: 'Absolute path of the scenario video.' }),
        },
        closed,
      ),
    ),
  },
  { ...closed, description: 'The verdict of a validation run (the MCP tool `validate`); paths absolute.' },
);
export type ValidationSummary = Static<typeof ValidationSummarySchema>;

export function summarizeReport(report: ValidationReport): ValidationSummary {
  const abs = (p: string | undefined) => (p ? join(report.runDir, p) : null);
  return {
    schemaVersion: 1,
    ok: report.ok,
    runId: report.runId,
    reportPath: join(report.runDir, report.report),
    manifestPath: join(report.runDir, report.manifest),
    scenarios: report.scenarios.map((s) => ({
      name: s.name,
      status: s.status,
      durationMs: s.durationMs,
      failedStep: s.failure
        ? {
            index: s.failure.stepIndex,
            summary: s.failure.summary,
            expected: s.failure.expected,
            actual: s.failure.actual,
            screenshot: abs(s.failure.screenshot),
          }
        : null,
      consoleErrors: s.consoleErrors.filter((c) => c.type !== 'warning').map((c) => c.text),
      failedRequests: s.failedRequests.map((r) => `${r.method} ${r.url} → ${r.failure}`),
      video: abs(s.video?.webm),
    })),
  };
}
