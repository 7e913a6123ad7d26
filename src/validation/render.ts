/**
 * Human rendering of a validation: progress lines on stderr while it runs, and the verdict on
 * stdout. The --json renderer is `printJson(report)`; both read the same events and report.
 */
import { relative } from 'node:path';
import { colors } from '../lib/output.js';
import { formatMs } from '../lib/html.js';
import type { ScenarioResult, StepResult, ValidationEvent, ValidationReport } from './types.js';

const mark = (status: StepResult['status'] | ScenarioResult['status']) =>
  status === 'passed' ? colors.green('✓') : status === 'failed' ? colors.red('✗') : colors.dim('–');

/** One progress line per event, for stderr. */
export function progressLine(event: ValidationEvent): string | undefined {
  switch (event.type) {
    case 'run-start':
      return colors.dim(
        `validating ${event.scenarios.length} scenario${event.scenarios.length === 1 ? '' : 's'} → ${event.runDir}`,
      );
    case 'scenario-start':
      return `${colors.bold(event.scenario)} ${colors.dim(event.startUrl)}`;
    case 'step-end': {
      const s = event.step;
      if (s.status === 'skipped')
        return `  ${mark(s.status)} ${colors.dim(`${s.index} ${s.action} ${s.target} (skipped)`)}`;
      return `  ${mark(s.status)} ${s.index} ${s.action} ${s.target} ${colors.dim(formatMs(s.durationMs))}`;
    }
    case 'scenario-end':
    case 'run-end':
      return undefined;
  }
}

/** The verdict: per scenario its status, and for a failure the step, expected, seen and screenshot. */
export function summaryLines(report: ValidationReport, cwd: string): string[] {
  const at = (p: string) => relative(cwd, `${report.runDir}/${p}`) || '.';
  const lines: string[] = [];
  for (const s of report.scenarios) {
    lines.push(`${mark(s.status)} ${colors.bold(s.name)} ${colors.dim(formatMs(s.durationMs))}`);
    if (s.failure) {
      const step = s.steps.find((st) => st.index === s.failure?.stepIndex);
      lines.push(
        `    ${colors.red('failed at')} step ${s.failure.stepIndex}${step ? ` (${step.action} ${step.target})` : ''}`,
      );
      lines.push(`    ${colors.cyan('expected')} ${s.failure.expected}`);
      lines.push(`    ${colors.cyan('seen')}     ${s.failure.actual}`);
      if (s.failure.screenshot) lines.push(`    ${colors.cyan('screenshot')} ${at(s.failure.screenshot)}`);
    }
    if (s.video) lines.push(`    ${colors.dim('video')} ${at(s.video.mp4 ?? s.video.webm)}`);
    else if (s.videoError) lines.push(`    ${colors.yellow('no video:')} ${s.videoError}`);
    if (s.consoleErrors.length > 0)
      lines.push(
        `    ${colors.yellow(`${s.consoleErrors.length} console error(s)`)}, first: ${s.consoleErrors[0]?.text.split('\n')[0] ?? ''}`,
      );
    if (s.failedRequests.length > 0) {
      const r = s.failedRequests[0];
      lines.push(
        `    ${colors.yellow(`${s.failedRequests.length} failed request(s)`)}, first: ${r ? `${r.method} ${r.url} → ${r.failure}` : ''}`,
      );
    }
  }
  const passed = report.scenarios.filter((s) => s.status === 'passed').length;
  lines.push('');
  lines.push(
    report.ok
      ? colors.green(`${passed}/${report.scenarios.length} scenarios passed`)
      : colors.red(`${report.scenarios.length - passed} of ${report.scenarios.length} scenarios failed`),
  );
  lines.push(`report: ${at(report.report)}`);
  return lines;
}
