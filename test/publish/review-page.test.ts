import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { acceptanceChecklist, createRedactor, localPublisher, renderReviewPage } from '../../src/publish/index.js';
import { CHROMIUM_ARGS } from '../../src/validation/tools.js';
import { expectSchema } from '../services/helpers.js';
import { GH_TOKEN, type JobFolder, makeJobFolder, SECRET } from './fixture.js';

let job: JobFolder;
let browser: Browser;

beforeAll(async () => {
  job = makeJobFolder();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
});
afterAll(async () => {
  await browser?.close();
  rmSync(job.dir, { recursive: true, force: true });
});

describe('the evidence fixture', () => {
  test('matches the published job manifest schema', () => {
    expectSchema('job', job.manifest);
  });
});

describe('acceptance checklist', () => {
  test('ticks a criterion only where evidence exists', () => {
    const items = acceptanceChecklist(job.manifest);
    expect(items.map((i) => [i.criterion.id, i.met])).toEqual([
      ['AC1', true],
      ['AC2', true],
      ['AC3', true],
    ]);
    expect(items[0]?.evidence.map((e) => e.label)).toEqual(['video', 'screenshot', 'validation report']);
    expect(items[1]?.evidence.map((e) => e.path)).toEqual(['tests/r2/unit.log', 'tests/r2/unit.xml']);
  });

  test('no validation, no tests, no review: nothing is ticked', () => {
    const m = { ...job.manifest, rounds: [], review: null };
    expect(acceptanceChecklist(m).map((i) => i.met)).toEqual([null, null, null]);
  });

  test('a failed feature scenario and a reviewer saying "not met" untick', () => {
    const round = job.manifest.rounds[1];
    if (!round?.validation || !round.review) throw new Error('fixture');
    const failedFeature = {
      ...round.validation,
      ok: false,
      scenarios: round.validation.scenarios.map((s) =>
        s.feature
          ? {
              ...s,
              status: 'failed' as const,
              failure: { summary: 'no #project-count', expected: 'visible', actual: 'missing', stepIndex: 2 },
            }
          : s,
      ),
    };
    const review = {
      ...round.review,
      verdict: { ...round.review.verdict, criteria: [{ id: 'AC2', met: false, note: 'tests do not cover it' }] },
    };
    const m = { ...job.manifest, rounds: [{ ...round, validation: failedFeature, review }], review };
    const items = acceptanceChecklist(m);
    expect(items.map((i) => [i.met, i.note])).toEqual([
      [false, 'no #project-count'],
      [false, 'tests do not cover it'],
      [null, 'not reviewed yet'],
    ]);
  });
});

describe('review.html', () => {
  test('the local publisher writes a self-contained, redacted page and returns its file URL', async () => {
    const publisher = localPublisher({ redactor: createRedactor({ env: { DIFFIE_API_SECRET: SECRET } }) });
    const req = await publisher.publish({ manifest: job.manifest, evidenceDir: job.dir });
    expect(req.publisher).toBe('local');
    expect(req.path).toBe(join(job.dir, 'review.html'));
    expect(req.url).toBe(`file://${join(job.dir, 'review.html')}`);
    const html = readFileSync(join(job.dir, 'review.html'), 'utf8');
    // Planted in the request, a timeline message, a test tail, a finding and the patch.
    expect(html).not.toContain(SECRET);
    expect(html).not.toContain(GH_TOKEN);
    expect(html).toContain('[redacted]');
    // The request is data: shown literally, escaped.
    expect(html).toContain('Use {{this}} and !`rm -rf /` literally.');
    // Nothing is fetched from the network.
    expect(html).not.toMatch(/(src|href)="https?:\/\/(?!127\.0\.0\.1)/);
    // A second publish rewrites the same page.
    const again = await publisher.publish({ manifest: { ...job.manifest, title: 'Renamed' }, evidenceDir: job.dir });
    expect(again.path).toBe(req.path);
    expect(readFileSync(join(job.dir, 'review.html'), 'utf8')).toContain('<h1>Renamed</h1>');
    await publisher.publish({ manifest: job.manifest, evidenceDir: job.dir });
  });

  test('renders in Chromium with every section a reviewer needs, and the video plays', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`file://${join(job.dir, 'review.html')}`);
      const text = (sel: string) => page.locator(sel).innerText();
      expect(await text('header.top h1')).toBe('Show the number of projects in the page header');
      expect(await text('header.top .chip.state')).toBe('ready for human review');
      for (const id of [
        'request',
        'checklist',
        'video',
        'preview',
        'tests',
        'review',
        'risks',
        'files',
        'rounds',
        'timeline',
        'usage',
      ])
        expect(await page.locator(`section#${id}`).count(), id).toBe(1);
      expect(await page.locator('li.criterion.met').count()).toBe(3);
      expect(await page.locator('.finding.minor').innerText()).toContain('app/src/header.tsx:6');
      expect(await page.locator('table.diff tr.add').count()).toBe(6);
      expect(await page.locator('table.diff tr.del').count()).toBe(1);
      expect(await page.locator('ol.timeline li').count()).toBe(job.manifest.timeline.length);
      expect(await text('#preview')).toContain('http://127.0.0.1:20410');
      expect(await text('#usage')).toContain('$0.0492');
      // The video is a real file beside the page: its metadata loads and it has a duration.
      const duration = await page.locator('#feature-video').evaluate(
        (v: HTMLVideoElement) =>
          new Promise<number>((resolve) => {
            if (v.readyState >= 1) resolve(v.duration);
            else v.addEventListener('loadedmetadata', () => resolve(v.duration), { once: true });
            setTimeout(() => resolve(-1), 10_000);
          }),
      );
      expect(duration).toBeGreaterThan(1);
      // Every image on the page loaded (relative links resolve inside the job folder).
      const broken = await page.$$eval(
        'img',
        (imgs) =>
          imgs.filter((i) => !(i as HTMLImageElement).complete || (i as HTMLImageElement).naturalWidth === 0).length,
      );
      expect(broken).toBe(0);
      // Nothing wider than the viewport at 1280 px.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
      const shot = join(job.dir, 'review-page.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
    } finally {
      await page.close();
    }
  });

  test('a failed job shows the failing stage, the log tail and what was cleaned up first', () => {
    const html = renderReviewPage({
      manifest: {
        ...job.manifest,
        state: 'failed',
        stoppedAt: 'tests_running',
        failure: {
          stage: 'test',
          state: 'tests_running',
          code: 'tests-failed',
          message: 'unit failed after 2 fix rounds',
          logTail: 'FAIL header.test.ts',
          log: 'tests/r2/unit.log',
        },
        cleanup: {
          agentStopped: true,
          instanceStopped: true,
          portsReleased: true,
          worktreeKept: '/work/diffie/.factory/worktrees/job_1',
          branchKept: 'factory/job_1',
          notes: [],
        },
      },
      patch: null,
    });
    const main = html.slice(html.indexOf('<main>'));
    expect(main.indexOf('id="failure"')).toBeLessThan(main.indexOf('id="request"'));
    expect(html).toContain('Failed at test');
    expect(html).toContain('FAIL header.test.ts');
    expect(html).toContain('branch kept: <code>factory/job_1</code>');
    expect(html).toContain('The patch file is missing.');
    expect(html).toContain('<span class="chip bad">failed</span>');
  });

  test('a patch path that leaves the job folder is not read', async () => {
    const outside = { ...job.manifest, diff: job.manifest.diff && { ...job.manifest.diff, patch: '../../etc/passwd' } };
    await localPublisher().publish({ manifest: outside, evidenceDir: job.dir });
    const html = readFileSync(join(job.dir, 'review.html'), 'utf8');
    expect(html).not.toContain('root:x:0:0');
    expect(html).toContain('The patch file is missing.');
    expect(existsSync(join(job.dir, 'review.html'))).toBe(true);
  });
});
