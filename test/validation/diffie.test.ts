/**
 * The diffie example's own validation scenario, run by the real binary against a real diffie
 * instance (PostgreSQL, api, worker, realtime, web app): create a project in the web app and see the
 * worker's summary arrive through the realtime update; the evidence is checked with ffprobe.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVideo } from '../../src/validation/video.js';
import type { ValidationReport } from '../../src/validation/types.js';
import { diffieFixture, type DiffieFixture } from '../diffie/fixture.js';
import { grayThumb, meanAbsDiff, pngSize, stddev } from './helpers.js';

const ID = 'validate-diffie';
let fx: DiffieFixture;

beforeAll(async () => {
  fx = await diffieFixture();
  const setup = await fx.factory(['setup', '--worktree-id', ID], 300_000);
  if (setup.code !== 0) throw new Error(`factory setup failed: ${setup.stderr}`);
  fx.track(ID);
  const start = await fx.factory(['start', '--worktree-id', ID], 180_000);
  if (start.code !== 0) throw new Error(`factory start failed: ${start.stderr}`);
}, 600_000);

afterAll(async () => {
  await fx?.dispose();
}, 120_000);

describe('diffie: factory validate', { timeout: 180_000 }, () => {
  it('creates a project and sees its summary arrive through the realtime update, on video', async () => {
    const r = await fx.factory(['validate', '--worktree-id', ID, '--scenario', 'create-project', '--json'], 180_000);
    const report = JSON.parse(r.stdout) as ValidationReport;
    const s = report.scenarios[0]!;
    expect(s.failure).toBeUndefined();
    expect(r.code).toBe(0);
    expect(s.steps.map((st) => [st.index, st.name ?? st.action, st.status])).toEqual([
      [0, 'open start_url', 'passed'],
      [1, 'realtime connected', 'passed'],
      [2, 'fill', 'passed'],
      [3, 'fill', 'passed'],
      [4, 'form-filled', 'passed'],
      [5, 'click', 'passed'],
      [6, 'the project is listed', 'passed'],
      [7, 'its summary arrives through realtime', 'passed'],
      [8, 'project-created', 'passed'],
    ]);
    expect(s.consoleErrors).toEqual([]);
    expect(s.failedRequests).toEqual([]);

    for (const shot of s.screenshots) expect(pngSize(join(report.runDir, shot))).toEqual({ width: 1280, height: 800 });
    const webm = join(report.runDir, s.video!.webm);
    const probe = await probeVideo('ffprobe', webm);
    expect(probe.durationMs).toBeGreaterThan(1000);
    expect(probe.frames).toBeGreaterThan(10);
    // The video ends on the page the last screenshot shows (the project with its summary).
    const last = grayThumb(webm, 0.3);
    expect(stddev(last)).toBeGreaterThan(5);
    expect(meanAbsDiff(last, grayThumb(join(report.runDir, s.screenshots.at(-1)!)))).toBeLessThan(6);
  });
});
