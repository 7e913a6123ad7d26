/**
 * The dashboard in a real Chromium, on real jobs: a copy of examples/diffie, the fake agent as
 * planner, builder and reviewer, a real `factory worker`, real instances. One job goes all the way
 * to ready_for_human_review (its page: checklist, timeline, the video playing, screenshots, the
 * verdict, the diff, review.html at its stable URL); a second one runs while the pages are open: its
 * state changes appear without a reload, the instances page lists it, and Cancel on its page
 * cancels it. Screenshots go to node_modules/.cache/factory-server-tests/ (with
 * FACTORY_UPDATE_DOCS=1 the job page's also to docs/images/dashboard-job.png, the README's).
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { approve, countSteps, diffieRig, jobIn, plan, request, showCount, type Rig } from '../jobs/harness.js';
import { basePort } from '../services/helpers.js';
import { ARTIFACTS, launchChromium, serve, type Served } from './helpers.js';

let rig: Rig;
let server: Served;
let browser: Browser;
let done = '';

beforeAll(async () => {
  rig = diffieRig();
  browser = await launchChromium();
  const text = request('Show the number of projects in the page header', {
    planner: plan(countSteps),
    builder: showCount,
    reviewer: approve('The header shows the count; tests and the feature scenario pass.'),
  });
  const r = await rig.factory(['job', 'run', text, '--json', '--port-range', String(basePort(61))], 600_000);
  expect(r.code, r.stderr).toBe(0);
  done = JSON.parse(r.stdout).id;
  server = await serve(['--port', String(basePort(63))], rig.env, rig.repo);
}, 700_000);

afterAll(async () => {
  await server?.stop();
  await browser?.close();
  await rig?.dispose();
});

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(new URL(path, server.url).href);
  return page;
}

async function shot(page: Page, name: string): Promise<string> {
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  expect(statSync(path).size).toBeGreaterThan(10_000);
  return path;
}

describe('a finished job', () => {
  it('its page shows the state, checklist, timeline, verdict, diff and preview; the video plays', {
    timeout: 120_000,
  }, async () => {
    const page = await open(`/jobs/${done}`);
    try {
      expect(await page.locator('header.top .chip.state').innerText()).toBe('ready for human review');
      expect(await page.locator('header.top h1').innerText()).toBe('Show the number of projects in the page header');
      expect(await page.locator('li.criterion').count()).toBe(2);
      expect(await page.locator('ol.timeline li').count()).toBe(13);
      expect(await page.locator('ol.timeline li .dur').first().innerText()).toMatch(/\d+(\.\d)? (ms|s|min)/);
      expect(await page.locator('section#review').innerText()).toContain('The header shows the count');
      expect(await page.locator('table.diff tr.add').count()).toBeGreaterThan(0);
      expect(await page.locator('section#tests').innerText()).toContain('unit');
      expect(await page.locator('.gallery img').count()).toBeGreaterThan(0);
      expect(await page.locator('button[data-action="close"]').count()).toBe(1);
      expect(await page.locator('button[data-action="cancel"]').count()).toBe(0);
      const preview = page.locator('section#preview a').first();
      expect(await preview.getAttribute('href')).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
      // The video loads through the server (byte ranges) and plays.
      const video = page.locator('video#feature-video');
      await video.evaluate((v: HTMLVideoElement) => v.play());
      await page.waitForFunction(() => {
        const v = document.querySelector('video') as HTMLVideoElement;
        return v.readyState >= 1 && v.duration > 0 && v.currentTime > 0;
      });
      expect(await video.evaluate((v: HTMLVideoElement) => v.duration)).toBeGreaterThan(0);
      // For the picture: a frame from the end of the video, and every screenshot loaded.
      await video.evaluate(
        (v: HTMLVideoElement) =>
          new Promise((resolve) => {
            v.pause();
            v.addEventListener('seeked', resolve, { once: true });
            v.currentTime = Number.isFinite(v.duration) ? v.duration * 0.9 : 1;
          }),
      );
      await page.evaluate(async () => {
        const images = Array.from(document.images);
        for (const i of images) i.loading = 'eager';
        await Promise.all(images.map((i) => (i.complete ? null : new Promise((r) => i.addEventListener('load', r)))));
      });
      expect(await page.evaluate(() => Array.from(document.images).every((i) => i.naturalWidth > 0))).toBe(true);
      const path = await shot(page, 'job');
      if (process.env.FACTORY_UPDATE_DOCS === '1') {
        mkdirSync(join(REPO_ROOT, 'docs', 'images'), { recursive: true });
        copyFileSync(path, join(REPO_ROOT, 'docs', 'images', 'dashboard-job.png'));
      }
    } finally {
      await page.close();
    }
  });

  it('its review.html is served at a stable URL, with its media', async () => {
    const page = await open(`/jobs/${done}/review.html`);
    try {
      expect(await page.locator('header.top h1').innerText()).toBe('Show the number of projects in the page header');
      await page.waitForFunction(
        () => (document.querySelector('video') as HTMLVideoElement | null)?.readyState ?? 0 >= 1,
      );
      expect(await page.locator('video').evaluate((v: HTMLVideoElement) => v.duration)).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });
});

describe('a running job', () => {
  let running = '';

  it('the open job page follows its states without a reload; the list and instances pages show it', {
    timeout: 600_000,
  }, async () => {
    const text = request('Add a footer with the version', {
      planner: plan(countSteps),
      builder: [{ say: 'working on it' }, { sleep: 600_000 }],
      reviewer: approve(),
    });
    const r = await rig.factory(['job', 'new', text, '--json', '--port-range', String(basePort(62))]);
    expect(r.code, r.stderr).toBe(0);
    running = JSON.parse(r.stdout).id;
    const page = await open(`/jobs/${running}`);
    try {
      expect(await page.locator('body').getAttribute('data-state')).toBe('received');
      await page.waitForSelector('#live-status[data-state="live"]');
      await page.evaluate(() => {
        (window as unknown as { stayed: boolean }).stayed = true;
      });
      rig.worker(['--concurrency', '1']);
      await page.waitForSelector('body[data-state="implementation_in_progress"]', { timeout: 540_000 });
      await page.waitForSelector('header.top .chip.state:text-is("implementation in progress")');
      // The same document: it was updated, not reloaded.
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
      expect(await page.locator('#live-log').innerText()).toContain('→ implementation in progress');
      expect(await page.locator('ol.timeline li').count()).toBeGreaterThanOrEqual(7);
      await page.waitForSelector('#live-log :text("working on it")');
      await shot(page, 'job-running');

      const list = await open('/');
      expect(await list.locator(`tr.job[data-id="${running}"] .chip.state`).innerText()).toBe(
        'implementation in progress',
      );
      expect(await list.locator(`tr.job[data-id="${done}"] .chip.state`).innerText()).toBe('ready for human review');
      await list.selectOption('select[name="state"]', 'live');
      await Promise.all([list.waitForURL(/state=live/), list.click('#filters button[type="submit"]')]);
      expect(await list.locator('tr.job').count()).toBe(2);
      await list.selectOption('select[name="state"]', 'failed');
      await Promise.all([list.waitForURL(/state=failed/), list.click('#filters button[type="submit"]')]);
      expect(await list.locator('tr.job').count()).toBe(0);
      await list.goto(server.url);
      await shot(list, 'jobs');
      await list.close();

      const inst = await open('/instances');
      for (const id of [done, running]) {
        const row = inst.locator(`tr.instance[data-id="${id}"]`);
        expect(await row.getAttribute('data-running')).toBe('true');
        expect(await row.locator('.services .chip').count()).toBeGreaterThan(0);
        expect(await row.locator('button:text-is("Stop")').count()).toBe(1);
        expect(await row.innerText()).toContain('job preview');
      }
      await shot(inst, 'instances');
      await inst.close();

      // Cancel from the page: the worker stops it, and the page shows it.
      await page.click('button[data-action="cancel"]');
      await page.waitForSelector('body[data-state="cancelled"]', { timeout: 240_000 });
      expect((await jobIn(rig.store(), ['cancelled'], running)).state).toBe('cancelled');
      expect(await page.locator('button[data-action="retry"]').count()).toBe(1);
    } finally {
      await page.close();
    }
  });
});
