/**
 * The validation engine as a library: given scenarios and an instance's URLs and environment, drive
 * Chromium through them and leave the evidence under `<artifactsDir>/<runId>/`. It does not start or
 * look up services (that is src/services' job, see src/commands/validate.ts); tests call it against
 * any HTTP server.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { resolveTemplate, type Scenario, type ValidationSpec } from '../contract/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { SCHEMA_VERSION } from '../lib/output.js';
import { listFiles } from './files.js';
import { renderReportHtml } from './report-html.js';
import { createRunDir } from './run-dir.js';
import { runScenario } from './scenario.js';
import { firstLine } from './steps.js';
import { CHROMIUM_ARGS, findChromium, findFfmpegTool } from './tools.js';
import type { ScenarioResult, ValidationEvent, ValidationReport } from './types.js';

export interface RunValidationOptions {
  /** The worktree root; scenario scripts resolve from here. */
  root: string;
  worktreeId: string;
  scenarios: Scenario[];
  browser: Omit<ValidationSpec, 'scenarios'>;
  /** Service name → URL of the running instance (shown in the report, given to scripts). */
  urls: Record<string, string>;
  /** The instance's variables; `${NAME}` in start_url, goto, fill and expect url resolve from here. */
  env: Record<string, string>;
  /** Parent of the run directory; default `<root>/.factory/artifacts`. */
  artifactsDir?: string;
  /** The `--feature` text that selected the scenarios, recorded in the report. */
  feature?: string;
  /** Where to look for FACTORY_CHROMIUM / FACTORY_FFMPEG / PATH; default process.env. */
  processEnv?: NodeJS.ProcessEnv;
  onEvent?: (event: ValidationEvent) => void;
  /**
   * Abort closes the browser at once (a waiting step fails with it) and the run rejects with
   * `aborted` instead of writing a report: what a cancelled job needs.
   */
  signal?: AbortSignal;
}

export const MANIFEST_FILE = 'manifest.json';
export const REPORT_FILE = 'report.html';

export async function runValidation(opts: RunValidationOptions): Promise<ValidationReport> {
  const processEnv = opts.processEnv ?? process.env;
  // Find every program and start the browser before creating anything, so a missing or broken one
  // fails fast and leaves no empty run directory behind.
  const executablePath = findChromium(processEnv);
  const video = opts.browser.recordVideo
    ? {
        ffmpeg: findFfmpegTool('ffmpeg', processEnv),
        ffprobe: findFfmpegTool('ffprobe', processEnv),
        mp4: opts.browser.mp4,
      }
    : undefined;
  const resolve = (t: string) => resolveTemplate(t, opts.env);

  const { chromium } = await import('playwright-core');
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
  } catch (error) {
    throw new FactoryFailure(
      'browser-launch-failed',
      `Chromium (${executablePath}) did not start: ${firstLine(error)}`,
      {
        exitCode: ExitCode.unavailable,
        hint: `try "${executablePath} --headless --no-sandbox --dump-dom about:blank" to see why, or set FACTORY_CHROMIUM to another build`,
      },
    );
  }

  const artifactsDir = opts.artifactsDir ?? join(opts.root, '.factory', 'artifacts');
  let runId: string;
  let runDir: string;
  try {
    ({ runId, runDir } = await createRunDir(artifactsDir, opts.worktreeId));
  } catch (error) {
    await browser.close();
    throw error;
  }
  const started = new Date();
  opts.onEvent?.({ type: 'run-start', runId, runDir, scenarios: opts.scenarios.map((s) => s.name) });

  const results: ScenarioResult[] = [];
  const onAbort = () => void browser.close().catch(() => {});
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (const [i, scenario] of opts.scenarios.entries()) {
      if (opts.signal?.aborted) break;
      opts.onEvent?.({ type: 'scenario-start', scenario: scenario.name, startUrl: resolve(scenario.startUrl) });
      const result = await runScenario({
        browser,
        scenario,
        position: i + 1,
        runDir,
        root: opts.root,
        viewport: opts.browser.viewport,
        ...(video ? { video } : {}),
        urls: opts.urls,
        env: opts.env,
        resolve,
        onStep: (step) => opts.onEvent?.({ type: 'step-end', scenario: scenario.name, step }),
      });
      results.push(result);
      opts.onEvent?.({ type: 'scenario-end', scenario: result });
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await browser.close();
  }
  if (opts.signal?.aborted) {
    throw new FactoryFailure('aborted', 'the validation was aborted; the browser was closed', {
      exitCode: ExitCode.interrupted,
      details: { runDir },
    });
  }

  const finished = new Date();
  const report: ValidationReport = {
    runId,
    worktreeId: opts.worktreeId,
    ok: results.length > 0 && results.every((r) => r.status === 'passed'),
    feature: opts.feature ?? null,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    runDir,
    report: REPORT_FILE,
    manifest: MANIFEST_FILE,
    browser: { executablePath, version: browser.version() },
    urls: opts.urls,
    scenarios: results,
    files: [],
  };
  await writeFile(join(runDir, REPORT_FILE), renderReportHtml(report));
  report.files = await listFiles(runDir, [MANIFEST_FILE]);
  await writeFile(
    join(runDir, MANIFEST_FILE),
    `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...report }, null, 2)}\n`,
  );
  opts.onEvent?.({ type: 'run-end', report });
  return report;
}
