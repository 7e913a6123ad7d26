/**
 * The engine against a real HTTP server and the real Chromium and ffmpeg: a passing scenario with its
 * whole evidence, failing steps that explain themselves, script scenarios, and concurrent runs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { isFactoryFailure } from '../../src/lib/failure.js';
import { ValidationReportSchema } from '../../src/validation/schema.js';
import { runValidation, type RunValidationOptions } from '../../src/validation/run.js';
import { CHROMIUM_ARGS } from '../../src/validation/tools.js';
import type { ValidationReport } from '../../src/validation/types.js';
import { probeVideo } from '../../src/validation/video.js';
import { startTestApp, type TestApp } from '../fixtures/validation/app.mjs';
import { BROWSER, grayThumb, meanAbsDiff, pngSize, scenario, stddev } from './helpers.js';

let app: TestApp;
let root: string;
/** The passing run of the first test, opened as a page by a later one. */
let passingRun: ValidationReport | undefined;

beforeAll(async () => {
  app = await startTestApp();
  root = mkdtempSync(join(tmpdir(), 'factory-validation-'));
});
afterAll(async () => {
  await app?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const validateManifest = new Ajv({ strict: false, allErrors: true }).compile(ValidationReportSchema);

/** manifest.json of a run, checked against its published JSON Schema. */
function manifestOf(runDir: string): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  if (!validateManifest(manifest))
    throw new Error(`manifest.json does not match its schema: ${JSON.stringify(validateManifest.errors)}`);
  return manifest;
}

function options(extra: Partial<RunValidationOptions>): RunValidationOptions {
  return {
    root,
    worktreeId: 'wt-a',
    scenarios: [],
    browser: BROWSER,
    urls: { web: app.url },
    env: { WEB_URL: app.url },
    ...extra,
  };
}

const createItem = scenario(
  'create-item',
  [
    { action: 'wait_for', text: 'live', timeoutMs: 10_000 },
    { action: 'fill', selector: '#name', value: 'Buy milk for ${WORKTREE_ID}' },
    { action: 'screenshot', name: 'filled', fullPage: false },
    { action: 'click', selector: '#create', name: 'create it' },
    { action: 'wait_for', text: 'Buy milk for wt-a', timeoutMs: 10_000 },
    { action: 'expect', visible: 'li[data-id]', timeoutMs: 5_000 },
    { action: 'expect', url: '/?noise=1', timeoutMs: 5_000 },
    { action: 'screenshot', name: 'created', fullPage: false },
  ],
  { startUrl: '${WEB_URL}?noise=1', description: 'Create an item and see it arrive over the realtime channel' },
);

describe('runValidation', { timeout: 120_000 }, () => {
  it('runs a passing scenario and leaves video, screenshots, trace, logs, manifest and report', async () => {
    const events: string[] = [];
    const report = await runValidation(
      options({
        scenarios: [createItem],
        env: { WEB_URL: app.url, WORKTREE_ID: 'wt-a' },
        onEvent: (e) => events.push(e.type),
      }),
    );
    const s = report.scenarios[0]!;
    expect(s.failure).toBeUndefined();
    expect(report.ok).toBe(true);
    passingRun = report;
    expect(s.steps.map((st) => [st.index, st.action, st.status])).toEqual([
      [0, 'goto', 'passed'],
      [1, 'wait_for', 'passed'],
      [2, 'fill', 'passed'],
      [3, 'screenshot', 'passed'],
      [4, 'click', 'passed'],
      [5, 'wait_for', 'passed'],
      [6, 'expect', 'passed'],
      [7, 'expect', 'passed'],
      [8, 'screenshot', 'passed'],
    ]);
    expect(app.items.map((i) => i.name)).toContain('Buy milk for wt-a');
    expect(events[0]).toBe('run-start');
    expect(events.at(-1)).toBe('run-end');
    expect(report.runId).toMatch(/^validate-wt-a-\d{8}T\d{9}Z-[0-9a-f]{4}$/);
    expect(report.runDir).toBe(join(root, '.factory', 'artifacts', report.runId));

    // Screenshots are PNGs of the page at the viewport size.
    expect(s.screenshots).toEqual([
      '01-create-item/screenshots/01-filled.png',
      '01-create-item/screenshots/02-created.png',
    ]);
    for (const shot of s.screenshots) expect(pngSize(join(report.runDir, shot))).toEqual({ width: 1280, height: 720 });

    // The video is valid, long enough, and its last frame shows what the last screenshot shows.
    const video = s.video!;
    const probe = await probeVideo('ffprobe', join(report.runDir, video.webm));
    expect(probe.codec).toBe('vp9');
    expect(probe.durationMs).toBeGreaterThan(1000);
    expect(probe.frames).toBeGreaterThan(10);
    expect(video.frames).toBe(probe.frames);
    const lastFrame = grayThumb(join(report.runDir, video.webm), 0.3);
    const created = grayThumb(join(report.runDir, s.screenshots[1]!));
    expect(stddev(lastFrame)).toBeGreaterThan(5); // not a blank frame
    expect(meanAbsDiff(lastFrame, created)).toBeLessThan(6);

    // Console errors and failed requests of the page are captured.
    expect(s.consoleErrors.map((c) => c.text)).toContain('noise: the widget failed to load');
    expect(s.failedRequests).toContainEqual(
      expect.objectContaining({ method: 'GET', url: `${app.url}api/missing`, status: 404 }),
    );

    // Trace, manifest and report.
    const trace = readFileSync(join(report.runDir, s.trace!));
    expect(trace.subarray(0, 2).toString()).toBe('PK');
    // Zip entry names are stored as plain text: the trace events and the network log are inside.
    expect(trace.includes('trace.trace')).toBe(true);
    expect(trace.includes('trace.network')).toBe(true);
    const manifest = manifestOf(report.runDir);
    expect(manifest.schemaVersion).toBe(1);
    expect(manifest.runId).toBe(report.runId);
    expect(report.files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'report.html',
        '01-create-item/video.webm',
        '01-create-item/trace.zip',
        ...s.screenshots,
      ]),
    );
    const html = readFileSync(join(report.runDir, 'report.html'), 'utf8');
    expect(html).toContain('<source src="01-create-item/video.webm" type="video/webm">');
    expect(html).toContain('All scenarios passed');
    for (const target of ['#name', '#create', 'li[data-id]', 'noise: the widget failed to load'])
      expect(html).toContain(target);
  });

  it('serves a report page whose video plays and whose steps seek it', async () => {
    const report = passingRun!;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
    try {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(join(report.runDir, 'report.html')).href);
      const video = page.locator('video#s1');
      await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThanOrEqual(1);
      expect(await video.evaluate((v: HTMLVideoElement) => v.duration)).toBeGreaterThan(1);
      const click = page.locator('.step', { hasText: '#create' });
      await click.click();
      const start = Number(await click.getAttribute('data-start')) / 1000;
      await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThanOrEqual(start);
      await video.evaluate((v: HTMLVideoElement) => v.pause());
      await expect.poll(() => page.locator('.step.playing').count()).toBe(1);
    } finally {
      await browser.close();
    }
  });

  it('fails a scenario at the step that did not happen, with expectation, observation and screenshot', async () => {
    const report = await runValidation(
      options({
        scenarios: [
          scenario(
            'delete-item',
            [
              { action: 'wait_for', text: 'live', timeoutMs: 10_000 },
              { action: 'click', selector: '#delete' },
              { action: 'screenshot', name: 'never', fullPage: false },
            ],
            { timeoutMs: 4_000 },
          ), // bounds the click's 10 s wait for #delete
          scenario('missing-text', [{ action: 'expect', text: 'Nothing like this', timeoutMs: 300 }]),
        ],
        feature: 'delete',
      }),
    );
    expect(report.ok).toBe(false);
    expect(report.feature).toBe('delete');
    expect(manifestOf(report.runDir).ok).toBe(false);
    const [del, missing] = report.scenarios;
    expect(del!.status).toBe('failed');
    expect(del!.failure).toMatchObject({
      stepIndex: 2,
      expected: 'one visible, enabled element matching #delete to click',
      actual: `no element matches #delete on ${app.url}`,
      screenshot: '01-delete-item/failure.png',
    });
    expect(del!.failure!.summary).toBe(
      `scenario "delete-item" failed at step 2 (click #delete): expected one visible, enabled element matching #delete to click, but no element matches #delete on ${app.url}`,
    );
    expect(pngSize(join(report.runDir, del!.failure!.screenshot!))).toEqual({ width: 1280, height: 720 });
    expect(del!.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'failed', 'skipped']);
    // The video covers the whole scenario, including the seconds the page sat still while the
    // click waited for #delete (the encoder holds the last picture).
    const failedStep = del!.steps[2]!;
    expect(del!.video!.durationMs).toBeGreaterThanOrEqual(failedStep.startMs + failedStep.durationMs - 100);
    expect(missing!.failure).toMatchObject({
      stepIndex: 1,
      expected: 'text "Nothing like this" visible on the page within 300 ms',
    });
    expect(missing!.failure!.actual).toMatch(/^the text did not appear; the page shows: "Items .*Create/);
    const html = readFileSync(join(report.runDir, 'report.html'), 'utf8');
    expect(html).toContain('2 of 2 scenarios failed');
    expect(html).toContain('no element matches #delete');
    expect(html).toContain('01-delete-item/failure.png');
  });

  it('covers press, relative goto and url expectations; a 404 page fails its goto', async () => {
    const report = await runValidation(
      options({
        browser: { ...BROWSER, recordVideo: false },
        scenarios: [
          scenario('keyboard', [
            { action: 'wait_for', text: 'live', timeoutMs: 10_000 },
            { action: 'fill', selector: '#name', value: 'typed' },
            { action: 'press', key: 'Enter', selector: '#name' },
            { action: 'wait_for', selector: 'li:text-is("typed")', timeoutMs: 10_000 },
            { action: 'goto', url: '/?from=keyboard' },
            { action: 'expect', url: '*from=keyboard', timeoutMs: 2_000 },
            { action: 'press', key: 'Tab' },
          ]),
          scenario('missing-page', [{ action: 'goto', url: '/nope' }]),
        ],
      }),
    );
    const [keyboard, missing] = report.scenarios;
    expect(keyboard!.failure).toBeUndefined();
    expect(keyboard!.steps.map((s) => s.target)).toEqual([
      app.url,
      'text "live"',
      '#name ← "typed"',
      'Enter in #name',
      'li:text-is("typed")',
      '/?from=keyboard',
      'url *from=keyboard',
      'Tab',
    ]);
    expect(missing!.failure).toMatchObject({
      stepIndex: 1,
      expected: `${app.url}nope to load with HTTP status < 400`,
      actual: 'the server answered HTTP 404 Not Found',
    });
  });

  it('runs script scenarios (.mjs and .ts) and records their steps', async () => {
    const fixtures = join(import.meta.dirname, '..', 'fixtures', 'validation');
    const report = await runValidation(
      options({
        browser: { ...BROWSER, recordVideo: false },
        scenarios: [
          scenario('script-create', [], { script: join(fixtures, 'create-item.mjs') }),
          scenario('script-broken', [], { script: 'broken-step.ts' }),
        ],
        root: fixtures,
        artifactsDir: join(root, 'scripts'),
      }),
    );
    manifestOf(report.runDir);
    const [created, broken] = report.scenarios;
    expect(created!.status).toBe('passed');
    expect(created!.steps.map((s) => [s.index, s.action, s.target, s.status])).toEqual([
      [0, 'goto', app.url, 'passed'],
      [1, 'script-step', 'type the item name', 'passed'],
      [2, 'script-step', 'submit', 'passed'],
      [3, 'script-step', 'see it arrive', 'passed'],
    ]);
    expect(created!.screenshots).toEqual(['01-script-create/screenshots/01-script-created.png']);
    expect(created!.video).toBeUndefined();
    expect(broken!.status).toBe('failed');
    expect(broken!.failure).toMatchObject({
      stepIndex: 2,
      expected: '"find the delete button" to complete',
      screenshot: '02-script-broken/failure.png',
    });
    expect(broken!.failure!.actual).toMatch(/Timeout 1000ms exceeded/);
  });

  it('fails a script that swallowed a failed step, and one that outlived its time limit', async () => {
    const fixtures = join(import.meta.dirname, '..', 'fixtures', 'validation');
    const report = await runValidation(
      options({
        browser: { ...BROWSER, recordVideo: false },
        root: fixtures,
        scenarios: [
          scenario('stubborn', [], { script: 'stubborn.mjs' }),
          scenario('slow', [], { script: 'slow.mjs', timeoutMs: 3_000 }),
        ],
      }),
    );
    const [stubborn, slow] = report.scenarios;
    expect(stubborn!.status).toBe('failed');
    expect(stubborn!.steps.map((s) => [s.index, s.status])).toEqual([
      [0, 'passed'],
      [1, 'failed'],
      [2, 'passed'],
    ]);
    expect(stubborn!.failure).toMatchObject({ stepIndex: 1, expected: '"click a missing button" to complete' });
    expect(slow!.status).toBe('failed');
    expect(slow!.steps.map((s) => [s.index, s.target, s.status])).toEqual([
      [0, app.url, 'passed'],
      [1, 'wait for what never comes', 'failed'],
    ]);
    expect(slow!.failure).toMatchObject({
      stepIndex: 1,
      expected: `"wait for what never comes" to complete within the scenario's 3000 ms`,
      actual: "the scenario's time limit was reached",
    });
  });

  it('writes two concurrent runs of two instances into separate directories', async () => {
    const one = scenario('one', [{ action: 'expect', text: 'Items', timeoutMs: 5_000 }]);
    const [a, b] = await Promise.all([
      runValidation(options({ scenarios: [one], worktreeId: 'wt-a' })),
      runValidation(options({ scenarios: [one], worktreeId: 'wt-b' })),
    ]);
    expect(a!.runDir).not.toBe(b!.runDir);
    for (const r of [a!, b!]) {
      expect(r.ok).toBe(true);
      expect(existsSync(join(r.runDir, 'manifest.json'))).toBe(true);
      expect(existsSync(join(r.runDir, r.scenarios[0]!.video!.webm))).toBe(true);
    }
  });

  it('converts the video to mp4 when asked', async () => {
    const report = await runValidation(
      options({
        browser: { ...BROWSER, mp4: true },
        scenarios: [scenario('mp4', [{ action: 'expect', text: 'Items', timeoutMs: 5_000 }])],
      }),
    );
    const mp4 = report.scenarios[0]!.video!.mp4!;
    expect(mp4).toBe('01-mp4/video.mp4');
    expect((await probeVideo('ffprobe', join(report.runDir, mp4))).codec).toBe('h264');
  });

  it('names the install command when Chromium is missing, and creates no run directory', async () => {
    const error = await runValidation(
      options({
        scenarios: [createItem],
        artifactsDir: join(root, 'none'),
        processEnv: { ...process.env, FACTORY_CHROMIUM: '/nonexistent/chromium' },
      }),
    ).catch((e: unknown) => e);
    expect(isFactoryFailure(error) && error.code).toBe('browser-missing');
    expect(isFactoryFailure(error) && error.exitCode).toBe(3);
    expect(existsSync(join(root, 'none'))).toBe(false);
  });
});
