/**
 * Run one scenario in its own browser context: its own video, trace, console and network log, so
 * scenarios never bleed into each other's evidence.
 *
 *   open context → start video (screencast → ffmpeg) → start trace → start_url (step 0)
 *     → steps 1..n, or the script → on the first failure: failure screenshot, skip the rest
 *     → stop video, write trace.zip, close context → probe video (→ mp4)
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Scenario, ScenarioStep } from '../contract/index.js';
import { EvidenceRecorder } from './evidence.js';
import { loadScenarioScript, type ScenarioScriptContext } from './script.js';
import { firstLine, runStep, StepMismatch, stepTarget, type StepContext } from './steps.js';
import type { ScenarioResult, StepAction, StepFailure, StepResult } from './types.js';

export interface ScenarioRunOptions {
  browser: Browser;
  scenario: Scenario;
  /** 1-based position in the run, used for the scenario's folder name. */
  position: number;
  runDir: string;
  root: string;
  viewport: { width: number; height: number };
  /** Absent = no video. */
  video?: { ffmpeg: string; ffprobe: string; mp4: boolean };
  urls: Record<string, string>;
  env: Record<string, string>;
  resolve: (template: string) => string;
  onStep?: (step: StepResult) => void;
}

export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'scenario'
  );
}

/** Thrown into a script's race when the scenario's own time limit is reached. */
class ScenarioTimeout extends Error {}

export async function runScenario(opts: ScenarioRunOptions): Promise<ScenarioResult> {
  const { scenario, browser } = opts;
  const dir = join(opts.runDir, `${String(opts.position).padStart(2, '0')}-${slug(scenario.name)}`);
  await mkdir(join(dir, 'screenshots'), { recursive: true });
  const context = await browser.newContext({ viewport: opts.viewport, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const evidence = new EvidenceRecorder({
    page,
    context,
    dir,
    runDir: opts.runDir,
    video: opts.video,
    viewport: opts.viewport,
  });
  try {
    await evidence.start(scenario.name);
    return await drive(opts, page, evidence);
  } catch (error) {
    // A bug, not a failed step (steps catch their own errors): leave no ffmpeg or context behind.
    await evidence.abort();
    throw error;
  }
}

/** Step 0 (start_url), then the steps or the script, then the evidence. */
async function drive(opts: ScenarioRunOptions, page: Page, evidence: EvidenceRecorder): Promise<ScenarioResult> {
  const { scenario } = opts;

  const startedAt = Date.now();
  const deadline = startedAt + scenario.timeoutMs;
  const startUrl = opts.resolve(scenario.startUrl);
  const steps: StepResult[] = [];
  // A script that outlived its timeout may still call step() while the context closes under it;
  // nothing it records after the scenario ended may change the result.
  let ended = false;
  const record = (step: StepResult) => {
    if (ended) return;
    steps.push(step);
    opts.onStep?.(step);
  };

  const fail = async (
    index: number,
    action: StepAction,
    target: string,
    expected: string,
    actual: string,
    message: string,
  ): Promise<StepFailure> => {
    const screenshot = await evidence.failureScreenshot();
    const where = `step ${index} (${action} ${target})`;
    return {
      summary: `scenario "${scenario.name}" failed at ${where}: expected ${expected}, but ${actual}`,
      expected,
      actual,
      message,
      ...(screenshot ? { screenshot } : {}),
    };
  };

  const stepContext: StepContext = {
    page,
    resolve: opts.resolve,
    baseUrl: startUrl,
    clamp: (ms) => Math.max(1, Math.min(ms, deadline - Date.now())),
    screenshot: (name, fullPage) => evidence.screenshot(name, fullPage),
  };

  /** Run one declarative step and record it; false when it failed. */
  const declarative = async (index: number, step: ScenarioStep): Promise<boolean> => {
    const t = Date.now();
    const target = stepTarget(step, opts.resolve);
    const base = {
      index,
      action: step.action,
      target,
      ...(step.name ? { name: step.name } : {}),
      startMs: evidence.offset(t),
    };
    if (Date.now() >= deadline) {
      const failure = await fail(
        index,
        step.action,
        target,
        `the scenario to finish within ${scenario.timeoutMs} ms`,
        'its time limit was reached before this step',
        'scenario timeout',
      );
      record({ ...base, status: 'failed', durationMs: 0, failure });
      return false;
    }
    try {
      const { screenshot } = await runStep(step, stepContext);
      record({ ...base, status: 'passed', durationMs: Date.now() - t, ...(screenshot ? { screenshot } : {}) });
      return true;
    } catch (error) {
      const expected = error instanceof StepMismatch ? error.expected : 'the step to succeed';
      const actual = error instanceof StepMismatch ? error.actual : firstLine(error);
      const failure = await fail(
        index,
        step.action,
        target,
        expected,
        actual,
        error instanceof Error ? error.message : String(error),
      );
      record({ ...base, status: 'failed', durationMs: Date.now() - t, failure });
      return false;
    }
  };

  let ok = await declarative(0, { action: 'goto', url: scenario.startUrl, name: 'open start_url' });
  if (scenario.script !== undefined) {
    if (ok) ok = await runScript(scenario.script);
  } else {
    for (const [i, step] of scenario.steps.entries()) {
      if (!ok) {
        record({
          index: i + 1,
          action: step.action,
          target: stepTarget(step, opts.resolve),
          ...(step.name ? { name: step.name } : {}),
          status: 'skipped',
          startMs: evidence.offset(Date.now()),
          durationMs: 0,
        });
        continue;
      }
      ok = await declarative(i + 1, step);
    }
  }

  async function runScript(path: string): Promise<boolean> {
    let index = 0;
    /** The step() in flight, which a timeout interrupts. */
    let inflight: { index: number; name: string; t: number } | undefined;
    const recorded = new WeakSet<object>();
    const ctx: ScenarioScriptContext = {
      page,
      urls: opts.urls,
      env: opts.env,
      screenshot: (name, o) => evidence.screenshot(name, o?.fullPage ?? false),
      step: async (name, fn) => {
        index++;
        const t = Date.now();
        const base = { index, action: 'script-step' as const, target: name, name, startMs: evidence.offset(t) };
        inflight = { index, name, t };
        try {
          const value = await fn();
          record({ ...base, status: 'passed', durationMs: Date.now() - t });
          return value;
        } catch (error) {
          const failure = await fail(
            index,
            'script-step',
            name,
            `"${name}" to complete`,
            firstLine(error),
            error instanceof Error ? error.message : String(error),
          );
          record({ ...base, status: 'failed', durationMs: Date.now() - t, failure });
          if (typeof error === 'object' && error !== null) recorded.add(error);
          throw error;
        } finally {
          inflight = undefined;
        }
      },
    };
    const t = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const script = await loadScenarioScript(opts.root, path);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ScenarioTimeout()), Math.max(1, deadline - Date.now()));
      });
      const running = script(ctx);
      // After a timeout the script keeps running until the context closes under it; its late
      // rejection is expected and must not become an unhandled one.
      running.catch(() => {});
      await Promise.race([running, timeout]);
      return true;
    } catch (error) {
      if (typeof error === 'object' && error !== null && recorded.has(error)) return false;
      const timedOut = error instanceof ScenarioTimeout;
      if (timedOut && inflight) {
        const { index: i, name, t: at } = inflight;
        const failure = await fail(
          i,
          'script-step',
          name,
          `"${name}" to complete within the scenario's ${scenario.timeoutMs} ms`,
          "the scenario's time limit was reached",
          'scenario timeout',
        );
        record({
          index: i,
          action: 'script-step',
          target: name,
          name,
          status: 'failed',
          startMs: evidence.offset(at),
          durationMs: Date.now() - at,
          failure,
        });
        return false;
      }
      const expected = timedOut
        ? `the script to finish within ${scenario.timeoutMs} ms`
        : `script ${path} to run to completion`;
      const actual = timedOut ? 'its time limit was reached' : `it threw: ${firstLine(error)}`;
      const failure = await fail(
        index + 1,
        'script',
        path,
        expected,
        actual,
        error instanceof Error ? (error.stack ?? error.message) : String(error),
      );
      record({
        index: index + 1,
        action: 'script',
        target: path,
        status: 'failed',
        startMs: evidence.offset(t),
        durationMs: Date.now() - t,
        failure,
      });
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  ended = true;
  const artifacts = await evidence.stop();
  // A script may catch a failed step() and carry on; the step still failed, and so did the scenario.
  const failed = steps.find((s) => s.failure);
  return {
    name: scenario.name,
    ...(scenario.description ? { description: scenario.description } : {}),
    status: ok && !failed ? 'passed' : 'failed',
    startUrl,
    ...(scenario.script !== undefined ? { script: scenario.script } : {}),
    durationMs: Date.now() - startedAt,
    steps,
    ...(failed?.failure ? { failure: { ...failed.failure, stepIndex: failed.index } } : {}),
    ...artifacts,
  };
}

export type { Page };
