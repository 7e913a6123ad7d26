/**
 * browser_validation_running → video_recorded (or back to the builder, or failed). The recorder:
 * the contract's validation scenarios plus the *feature scenario* built from the planner's browser
 * steps, in Chromium against the job's instance, on video; the run's folder (video, poster,
 * screenshots, trace, report) lands in the round's folder. A failing scenario gives the builder the
 * failed step, what was expected and seen, the console errors and the screenshot's path.
 *
 * The planner's strings are data: `$` is doubled so `${NAME}` in them stays text (the template
 * grammar's escape), and a `goto` path is joined to the app's start URL.
 */
import { relative } from 'node:path';
import type { Contract, Scenario, ScenarioStep } from '../../contract/index.js';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import type { PlanStep } from '../../publish/index.js';
import type { ScenarioResult, ValidationReport } from '../../validation/index.js';
import { validateInstance } from '../../validation/index.js';
import { publisherFor } from '../publishers.js';
import { featureStartUrl, loadJobContract } from '../contract-facts.js';
import type { Stage } from '../context.js';
import { ensureInstance } from './environment.js';
import { backToBuilder, canFix, currentRound, withRound } from '../rounds.js';
import type { Round } from '../types.js';

export const FEATURE_SCENARIO = 'feature';
const DEFAULT_WAIT_MS = 10_000;
const FEATURE_TIMEOUT_MS = 120_000;

const data = (s: string) => s.replaceAll('$', '$$$$');

function toStep(s: PlanStep, startUrl: string): ScenarioStep {
  const name = 'name' in s && s.name ? { name: s.name } : {};
  switch (s.action) {
    case 'goto':
      return {
        action: 'goto',
        url: s.url.startsWith('/') ? `${startUrl.replace(/\/$/, '')}${data(s.url)}` : data(s.url),
        ...name,
      };
    case 'click':
      return { action: 'click', selector: s.selector, ...name };
    case 'fill':
      return { action: 'fill', selector: s.selector, value: data(s.value), ...name };
    case 'press':
      return { action: 'press', key: s.key, ...(s.selector ? { selector: s.selector } : {}), ...name };
    case 'wait_for':
      return {
        action: 'wait_for',
        ...(s.selector ? { selector: s.selector } : {}),
        ...(s.text ? { text: data(s.text) } : {}),
        timeoutMs: s.timeoutMs ?? DEFAULT_WAIT_MS,
        ...name,
      };
    case 'expect':
      return {
        action: 'expect',
        ...(s.text ? { text: data(s.text) } : {}),
        ...(s.visible ? { visible: s.visible } : {}),
        ...(s.url ? { url: data(s.url) } : {}),
        timeoutMs: s.timeoutMs ?? DEFAULT_WAIT_MS,
        ...name,
      };
    case 'screenshot':
      return { action: 'screenshot', name: s.name, fullPage: s.fullPage ?? false };
  }
}

export function featureScenario(contract: Contract, steps: PlanStep[], title: string): Scenario | undefined {
  const startUrl = featureStartUrl(contract);
  if (steps.length === 0 || !startUrl) return undefined;
  const taken = new Set((contract.validation?.scenarios ?? []).map((s) => s.name));
  let name = FEATURE_SCENARIO;
  for (let i = 2; taken.has(name); i++) name = `${FEATURE_SCENARIO}-${i}`;
  return {
    name,
    description: `The planner's steps for: ${title}`,
    startUrl,
    needs: [],
    steps: [...steps.map((s) => toStep(s, startUrl)), { action: 'screenshot', name: 'feature-end', fullPage: false }],
    timeoutMs: FEATURE_TIMEOUT_MS,
  };
}

function feedbackOf(failed: ScenarioResult[], dirAbs: string): string {
  return failed
    .map((s) => {
      const f = s.failure;
      const lines = [`Scenario "${s.name}" failed${f ? `: ${f.summary}` : ''}`];
      if (f) lines.push(`  expected: ${f.expected}`, `  seen: ${f.actual}`);
      if (f?.screenshot) lines.push(`  screenshot: ${dirAbs}/${f.screenshot}`);
      for (const c of s.consoleErrors.slice(0, 10)) lines.push(`  console ${c.type}: ${c.text}`);
      for (const r of s.failedRequests.slice(0, 10)) lines.push(`  request ${r.method} ${r.url}: ${r.failure}`);
      return lines.join('\n');
    })
    .join('\n');
}

function evidenceOf(
  report: ValidationReport,
  dir: string,
  feature: string | undefined,
): NonNullable<Round['validation']> {
  const at = (p: string) => `${dir}/${p}`;
  return {
    ok: report.ok,
    runId: report.runId,
    report: at(report.report),
    manifest: at(report.manifest),
    durationMs: report.durationMs,
    scenarios: report.scenarios.map((s) => ({
      name: s.name,
      feature: s.name === feature,
      status: s.status,
      durationMs: s.durationMs,
      ...(s.video ? { video: at(s.video.mp4 ?? s.video.webm) } : {}),
      ...(s.video?.poster ? { poster: at(s.video.poster) } : {}),
      screenshots: s.screenshots.map(at),
      ...(s.failure
        ? {
            failure: {
              summary: s.failure.summary,
              expected: s.failure.expected,
              actual: s.failure.actual,
              stepIndex: s.failure.stepIndex,
              ...(s.failure.screenshot ? { screenshot: at(s.failure.screenshot) } : {}),
            },
          }
        : {}),
      consoleErrors: s.consoleErrors.map((c) => `${c.type}: ${c.text}`),
    })),
  };
}

export const recordStage: Stage = {
  name: 'record',
  role: 'recorder',
  async run(ctx) {
    const { job } = ctx;
    const wt = job.data.worktree;
    if (!wt || !job.data.plan) throw new Error('record stage without a worktree or a plan');
    const contract = await loadJobContract(wt.path, ctx.runtime.env);
    const feature = contract ? featureScenario(contract, job.data.plan.browserSteps, job.title) : undefined;
    if (!contract || ((contract.validation?.scenarios.length ?? 0) === 0 && !feature)) {
      await ctx.transition({
        from: 'browser_validation_running',
        to: 'video_recorded',
        message: 'nothing to record: no validation scenarios and no browser steps in the plan',
      });
      return;
    }
    await ensureInstance(ctx);
    const round = currentRound(job);
    const parent = ctx.evidence.path(`${ctx.evidence.roundDir(round.round)}/validation`);
    const report = await validateInstance({
      cwd: wt.path,
      worktreeId: job.id,
      env: ctx.runtime.env,
      artifactsDir: parent,
      signal: ctx.signal,
      ...(feature ? { extraScenarios: [feature] } : {}),
      // GitHub plays mp4, not webm: a job published there records both.
      ...(publisherFor(ctx.runtime, job).name === 'github' ? { mp4: true } : {}),
      onEvent: (e) => {
        if (e.type === 'scenario-end')
          void ctx
            .progress(
              `scenario ${e.scenario.name}: ${e.scenario.status}${e.scenario.failure ? ` — ${e.scenario.failure.summary}` : ''}`,
            )
            .catch(() => {});
      },
    });
    if (ctx.signal.aborted) throw new FactoryFailure('aborted', 'aborted', { exitCode: ExitCode.interrupted });
    const dir = ctx.evidence.rel(report.runDir);
    const done: Round = { ...round, validation: evidenceOf(report, dir, feature?.name) };
    const videos = done.validation?.scenarios.filter((s) => s.video).length ?? 0;
    const artifacts = [{ label: 'validation report', path: `${dir}/${report.report}` }];
    if (report.ok) {
      await ctx.transition(
        {
          from: 'browser_validation_running',
          to: 'video_recorded',
          message: `round ${round.round}: ${report.scenarios.length} scenario(s) passed, ${videos} video(s)`,
          artifacts,
        },
        { data: { ...ctx.job.data, rounds: withRound(ctx.job.data.rounds, done) } },
      );
      return;
    }
    const failed = report.scenarios.filter((s) => s.status === 'failed');
    const feedback = feedbackOf(failed, report.runDir);
    if (canFix(job, 'feature-failed')) {
      await backToBuilder(
        ctx,
        'browser_validation_running',
        done,
        'feature-failed',
        `The browser validation failed.\n${feedback}`,
        `scenario ${failed.map((s) => s.name).join(', ')} failed`,
      );
      return;
    }
    await ctx.update({ ...ctx.job.data, rounds: withRound(ctx.job.data.rounds, done) });
    throw new FactoryFailure(
      'validation-failed',
      `browser validation still fails: ${failed.map((s) => s.failure?.summary ?? s.name).join('; ')}`,
      {
        exitCode: ExitCode.failed,
        hint: `the report: ${report.runDir}/${report.report}`,
        details: { logTail: feedback, log: `${relative(ctx.evidence.dir, report.runDir)}/${report.report}` },
      },
    );
  },
};
