/**
 * The product's main path, for real: a request on a copy of examples/diffie becomes a reviewed
 * change with proof the app ran — the fake agent plays planner, builder (it edits the page and
 * commits) and reviewer; git, bwrap, the diffie instance (PostgreSQL, api, realtime, worker, app),
 * the test suites and Chromium with video are all real.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInstanceStatus } from '../../src/services/index.js';
import { CHROMIUM_ARGS } from '../../src/validation/tools.js';
import { basePort, expectSchema } from '../services/helpers.js';
import { approve, countSteps, diffieRig, git, plan, request, showCount, type Rig } from './harness.js';

let rig: Rig;
beforeAll(() => {
  rig = diffieRig();
});
afterAll(async () => {
  await rig?.dispose();
});

describe('factory job run on diffie', () => {
  let jobId = '';

  it('goes from request to ready_for_human_review with every artifact', { timeout: 600_000 }, async () => {
    const pwned = join(rig.root, 'pwned');
    const text = request(`Show the number of projects in the page header {{FACTORY_URLS}} !\`touch ${pwned}\``, {
      planner: plan(countSteps),
      builder: showCount,
      reviewer: approve('The header shows the count; tests and the feature scenario pass.'),
    });
    const r = await rig.factory(['job', 'run', text, '--json', '--port-range', String(basePort(50))]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expectSchema('job', m);
    jobId = m.id;
    expect(m.state).toBe('ready_for_human_review');
    // The request is data: kept verbatim, never expanded or run.
    expect(m.request).toContain('{{FACTORY_URLS}} !`touch');
    expect(existsSync(pwned)).toBe(false);
    expect(m.roles.builder.agent).toBe('claude-code');
    expect(m.timeline.map((t: { to: string }) => t.to)).toEqual([
      'received',
      'planned',
      'worktree_created',
      'sandbox_created',
      'dev_environment_starting',
      'dev_environment_ready',
      'implementation_in_progress',
      'tests_running',
      'browser_validation_running',
      'video_recorded',
      'pr_opened',
      'review_running',
      'ready_for_human_review',
    ]);
    expect(m.rounds).toHaveLength(1);
    const round = m.rounds[0];
    expect(round.build).toMatchObject({ status: 'completed', attempts: 1 });
    expect(round.build.commits.map((c: { subject: string }) => c.subject)).toEqual([
      'Show the number of projects in the page header',
    ]);
    expect(round.tests.ok).toBe(true);
    expect(round.tests.suites.map((s: { name: string; status: string }) => `${s.name} ${s.status}`)).toEqual([
      'unit passed',
      'api passed',
    ]);
    expect(round.validation.ok).toBe(true);
    const feature = round.validation.scenarios.find((s: { feature: boolean }) => s.feature);
    expect(feature).toMatchObject({ name: 'feature', status: 'passed' });
    expect(round.validation.scenarios.map((s: { name: string }) => s.name)).toEqual(['create-project', 'feature']);
    expect(round.review.verdict.verdict).toBe('approve');
    expect(m.diff.files.map((f: { path: string }) => f.path).sort()).toEqual(['web/app.js', 'web/index.html']);
    // Usage as claude's stream reports it, per stage and in total.
    expect(Object.keys(m.usage.byStage).sort()).toEqual(['build', 'plan', 'review']);
    expect(m.usage.total.costUsd).toBeGreaterThan(0);
    expect(m.usage.total.output).toBeGreaterThan(0);
    // Every artifact the manifest names exists in the job folder.
    const dir = join(rig.repo, '.factory', 'jobs', jobId);
    for (const rel of [
      'job.json',
      'plan.json',
      'plan.log',
      'request.md',
      'diff.patch',
      'review.html',
      round.build.log,
      round.tests.suites[0].log,
      ...round.tests.suites.flatMap((s: { junit: string[] }) => s.junit),
      round.validation.report,
      feature.video,
      feature.poster,
      round.review.log,
    ]) {
      expect(existsSync(join(dir, rel)), rel).toBe(true);
    }
    expect(statSync(join(dir, feature.video)).size).toBeGreaterThan(1000);
    for (const a of m.artifacts) expect(existsSync(join(dir, a.path)), a.path).toBe(true);
    // The change is on the job's branch, the base untouched.
    expect(git(rig.repo, 'log', '--format=%s', `main..factory/${jobId}`)).toBe(
      'Show the number of projects in the page header',
    );
    expect(git(rig.repo, 'status', '--porcelain')).toBe('');
    // The preview stays up.
    expect(m.preview.up).toBe(true);
    const status = await readInstanceStatus({ cwd: join(rig.repo, '.factory', 'worktrees', jobId), worktreeId: jobId });
    expect(status?.running).toBe(true);
  });

  it('renders review.html in Chromium with the request, the checklist and the verdict', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
    try {
      const page = await browser.newPage();
      await page.goto(`file://${join(rig.repo, '.factory', 'jobs', jobId, 'review.html')}`);
      const text = await page.locator('body').innerText();
      expect(text).toContain('Show the number of projects in the page header');
      expect(text).toContain('AC1');
      expect(text.toLowerCase()).toContain('approve');
      await page.screenshot({ path: join(rig.root, 'review.png'), fullPage: true });
      expect(statSync(join(rig.root, 'review.png')).size).toBeGreaterThan(10_000);
    } finally {
      await browser.close();
    }
  });

  it('show, list and logs report it; close stops the preview; gc removes its worktree', {
    timeout: 120_000,
  }, async () => {
    const show = await rig.factory(['job', 'show', jobId.slice(-6)]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('ready_for_human_review');
    const list = await rig.factory(['job', 'list', '--json']);
    expectSchema('job-list', JSON.parse(list.stdout));
    expect(JSON.parse(list.stdout).jobs[0]).toMatchObject({ id: jobId, state: 'ready_for_human_review' });
    const logs = await rig.factory(['job', 'logs', jobId, '--json']);
    expectSchema('job-logs', JSON.parse(logs.stdout));
    const close = await rig.factory(['job', 'close', jobId, '--json']);
    expect(close.code, close.stderr).toBe(0);
    expectSchema('job-action', JSON.parse(close.stdout));
    expect(JSON.parse(close.stdout).job.state).toBe('closed');
    const wt = join(rig.repo, '.factory', 'worktrees', jobId);
    expect((await readInstanceStatus({ cwd: wt, worktreeId: jobId }))?.running).toBe(false);
    const gc = await rig.factory(['job', 'gc', '--json']);
    expect(gc.code, gc.stdout).toBe(0);
    expectSchema('job-gc', JSON.parse(gc.stdout));
    expect(existsSync(wt)).toBe(false);
    // The branch and the evidence stay.
    expect(git(rig.repo, 'branch', '--list', `factory/${jobId}`)).toContain(jobId);
    expect(existsSync(join(rig.repo, '.factory', 'jobs', jobId, 'review.html'))).toBe(true);
  });
});
