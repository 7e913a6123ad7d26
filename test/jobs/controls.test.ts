/**
 * What a person does to a running job, on diffie: cancel it in the middle of the browser stage
 * (nothing of it keeps running or listening), and an approval gate that holds a change touching
 * gated paths until `factory job approve`.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInstanceStatus } from '../../src/services/index.js';
import { processesWithEnv } from '../../src/services/proc.js';
import { basePort, expectSchema } from '../services/helpers.js';
import { approve, countSteps, diffieRig, jobIn, plan, request, showCount, waitFor, type Rig } from './harness.js';

let rig: Rig;
beforeAll(() => {
  rig = diffieRig();
});
afterAll(async () => {
  await rig?.dispose();
});

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

async function queue(text: string, extra: string[] = []): Promise<string> {
  const r = await rig.factory([
    'job',
    'new',
    text,
    '--json',
    '--test',
    'unit',
    '--port-range',
    String(basePort(53)),
    ...extra,
  ]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).id as string;
}

describe('job controls', () => {
  it('cancel during the browser stage: cancelled, no process or port left, worktree and branch kept', {
    timeout: 600_000,
  }, async () => {
    const store = rig.store();
    const never = { action: 'wait_for', selector: '#never-there', timeoutMs: 110_000, name: 'waits for ever' };
    const id = await queue(
      request('Show the number of projects in the page header', {
        planner: plan([...countSteps.slice(0, 2), never]),
        builder: showCount,
        reviewer: approve(),
      }),
    );
    const w = rig.worker();
    await jobIn(store, ['browser_validation_running'], id);
    await waitFor('the feature scenario to start', async () =>
      (await store.events({ jobId: id })).some(
        (e) => e.type === 'progress' && /scenario create-project: passed/.test(e.message),
      )
        ? true
        : undefined,
    );
    const r = await rig.factory(['job', 'cancel', id, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expectSchema('job-action', out);
    expect(out).toMatchObject({
      action: 'cancel',
      immediate: false,
      job: { state: 'cancelled', stoppedAt: 'browser_validation_running' },
    });
    const m = rig.manifest(id);
    expect(m.cleanup).toMatchObject({
      agentStopped: true,
      instanceStopped: true,
      portsReleased: true,
      branchKept: `factory/${id}`,
    });
    expect(m.cleanup?.worktreeKept).toBe(join(rig.repo, '.factory', 'worktrees', id));
    const wt = join(rig.repo, '.factory', 'worktrees', id);
    expect((await readInstanceStatus({ cwd: wt, worktreeId: id }))?.running).toBe(false);
    for (const url of Object.values(m.preview?.urls ?? {}))
      expect(await refused(Number(new URL(url).port)), url).toBe(true);
    expect(processesWithEnv('FACTORY_JOB_ID', id)).toEqual([]);
    // The worker is still there for the next job, and gc reports no leak.
    expect(w.child.exitCode).toBe(null);
    const gc = await rig.factory(['job', 'gc', '--json']);
    expect(JSON.parse(gc.stdout).leaks).toEqual([]);
    w.child.kill('SIGTERM');
  });

  it('a change touching a gated path waits in awaiting_approval, then continues after job approve', {
    timeout: 600_000,
  }, async () => {
    const store = rig.store();
    const id = await queue(
      request('Show the number of projects in the page header', {
        planner: plan(countSteps),
        builder: showCount,
        reviewer: approve(),
      }),
      ['--approval-path', 'web/*.html'],
    );
    const w = rig.worker();
    const waiting = await jobIn(store, ['awaiting_approval', 'failed'], id);
    expect(waiting.state, w.output()).toBe('awaiting_approval');
    expect(waiting.runnable).toBe(false);
    expect(rig.manifest(id).approval).toMatchObject({
      paths: ['web/*.html'],
      matched: ['web/index.html'],
      approvedAt: null,
    });
    // No worker takes it while it waits.
    const show = await rig.factory(['job', 'show', id]);
    expect(show.stdout).toContain(`factory job approve ${id}`);
    expect((await store.get(id))?.state).toBe('awaiting_approval');
    const r = await rig.factory(['job', 'approve', id, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).job.runnable).toBe(true);
    const done = await jobIn(store, ['ready_for_human_review', 'failed'], id);
    expect(done.state, w.output()).toBe('ready_for_human_review');
    const m = rig.manifest(id);
    expect(m.approval?.approvedBy).toBeTruthy();
    expect(m.timeline.map((t) => t.to)).toEqual(
      expect.arrayContaining(['video_recorded', 'awaiting_approval', 'pr_opened']),
    );
    const at = m.timeline.findIndex((t) => t.to === 'awaiting_approval');
    expect(m.timeline[at + 1]?.to).toBe('pr_opened');
    w.child.kill('SIGTERM');
    expect((await rig.factory(['job', 'close', id])).code).toBe(0);
  });
});
