/**
 * Two jobs on one repository at once (one worker, concurrency 2): each gets its own worktree and
 * branch, its own instance with its own ports and PostgreSQL cluster, and both complete.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basePort } from '../services/helpers.js';
import { approve, countSteps, diffieRig, git, jobIn, plan, request, showCount, type Rig } from './harness.js';

let rig: Rig;
beforeAll(() => {
  rig = diffieRig();
});
afterAll(async () => {
  await rig?.dispose();
});

describe('two jobs at once', () => {
  it('get distinct ports, databases and branches, and both complete', { timeout: 900_000 }, async () => {
    const store = rig.store();
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const r = await rig.factory([
        'job',
        'new',
        request(`Show the number of projects in the page header (${n})`, {
          planner: plan(countSteps),
          builder: showCount,
          reviewer: approve(),
        }),
        '--json',
        '--test',
        'unit',
        '--port-range',
        String(basePort(54)),
      ]);
      expect(r.code, r.stderr).toBe(0);
      ids.push(JSON.parse(r.stdout).id);
    }
    const w = rig.worker(['--concurrency', '2']);
    // Both are taken before either ends: they run side by side.
    const both = await Promise.all(
      ids.map((id) =>
        jobIn(
          store,
          [
            'implementation_in_progress',
            'tests_running',
            'browser_validation_running',
            'video_recorded',
            'pr_opened',
            'review_running',
            'ready_for_human_review',
            'failed',
          ],
          id,
        ),
      ),
    );
    expect(both.every((j) => j.state !== 'failed')).toBe(true);
    const done = await Promise.all(ids.map((id) => jobIn(store, ['ready_for_human_review', 'failed'], id)));
    expect(
      done.map((j) => j.state),
      w.output(),
    ).toEqual(['ready_for_human_review', 'ready_for_human_review']);
    const [a, b] = ids.map((id) => rig.manifest(id));
    if (!a || !b) throw new Error('no manifests');
    // Distinct branches, each with its own one commit.
    expect(a.branch).not.toBe(b.branch);
    for (const m of [a, b]) expect(git(rig.repo, 'rev-list', '--count', `main..${m.branch}`)).toBe('1');
    // Distinct ports: no URL of one instance is a URL of the other.
    const ports = (m: typeof a) => Object.values(m.preview?.urls ?? {}).map((u) => new URL(u).port);
    expect(ports(a).filter((p) => ports(b).includes(p))).toEqual([]);
    // Distinct databases: each instance's PostgreSQL cluster lives in its own data dir, on its own port.
    const pgPort = (id: string) => {
      const state = JSON.parse(
        readFileSync(join(rig.repo, '.factory', 'worktrees', id, '.factory', 'instances', id, 'state.json'), 'utf8'),
      );
      return state.ports.postgres as number;
    };
    expect(pgPort(a.id)).not.toBe(pgPort(b.id));
    // They overlapped in time.
    const span = (m: typeof a) =>
      [Date.parse(m.timeline[1]?.at ?? ''), Date.parse(m.timeline.at(-1)?.at ?? '')] as const;
    const [a0, a1] = span(a);
    const [b0, b1] = span(b);
    expect(a0 < b1 && b0 < a1).toBe(true);
    w.child.kill('SIGTERM');
    for (const id of ids) expect((await rig.factory(['job', 'close', id])).code).toBe(0);
  });
});
