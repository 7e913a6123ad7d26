/**
 * The feedback loop on diffie: failing tests send the job back to the builder with their output,
 * and an unfixable change fails the job at tests_running with the log tail and what was cleaned.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basePort, expectSchema } from '../services/helpers.js';
import { approve, diffieRig, git, plan, request, type Rig } from './harness.js';

let rig: Rig;
beforeAll(() => {
  rig = diffieRig();
});
afterAll(async () => {
  await rig?.dispose();
});

const wrong = [
  { write: 'lib/count.mjs', content: 'export const countLabel = (n) => `${n} project`;\n' },
  {
    write: 'test/unit/count.test.mjs',
    content:
      "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { countLabel } from '../../lib/count.mjs';\n\ntest('countLabel pluralises', () => {\n  assert.equal(countLabel(2), '2 projects');\n});\n",
  },
  { commit: 'Add countLabel' },
  { say: '<promise>COMPLETE</promise>' },
];
const fixIfTold = [
  {
    // A line of node's assertion diff, which only the failing test's output (the feedback) holds:
    // with a real newline, which the request's JSON (where this script travels) cannot contain.
    ifPrompt: "'2 project'\n",
    do: [
      { write: 'lib/count.mjs', content: "export const countLabel = (n) => `${n} project${n === 1 ? '' : 's'}`;\n" },
      { commit: 'countLabel: plural for n != 1' },
    ],
  },
  { say: '<promise>COMPLETE</promise>' },
];

const run = (text: string, extra: string[]) =>
  rig.factory(['job', 'run', text, '--json', '--test', 'unit', '--port-range', String(basePort(51)), ...extra]);

describe('fix rounds', () => {
  it('tests failing in round 1 go back to the builder with their output; round 2 passes', {
    timeout: 600_000,
  }, async () => {
    const r = await run(
      request('Add a countLabel helper for "N projects"', {
        planner: plan(),
        builder: { rounds: [wrong, fixIfTold] },
        reviewer: approve(),
      }),
      [],
    );
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expectSchema('job', m);
    expect(m.state).toBe('ready_for_human_review');
    expect(m.rounds.map((x: { round: number; reason: string }) => `${x.round} ${x.reason}`)).toEqual([
      '1 initial',
      '2 tests-failed',
    ]);
    expect(m.rounds[0].tests.ok).toBe(false);
    expect(m.rounds[0].tests.tail).toContain("'2 projects'");
    expect(m.rounds[1].feedback).toContain("'2 project'\n");
    expect(m.rounds[1].tests.ok).toBe(true);
    expect(m.rounds[1].build.commits.map((c: { subject: string }) => c.subject)).toEqual([
      'countLabel: plural for n != 1',
    ]);
    // Both rounds are in the timeline: back to implementation once, tests twice.
    const states = m.timeline.map((t: { to: string; round: number }) => `${t.to}@${t.round}`);
    expect(states).toContain('implementation_in_progress@2');
    expect(states.filter((s: string) => s.startsWith('tests_running'))).toEqual(['tests_running@1', 'tests_running@2']);
    expect(git(rig.repo, 'log', '--format=%s', `main..factory/${m.id}`).split('\n')).toEqual([
      'countLabel: plural for n != 1',
      'Add countLabel',
    ]);
    expect((await rig.factory(['job', 'close', m.id])).code).toBe(0);
  });

  it('an unfixable change fails at tests_running with the log tail and the cleanup status', {
    timeout: 600_000,
  }, async () => {
    const r = await run(
      request('Add a countLabel helper for "N projects"', { planner: plan(), builder: wrong, reviewer: approve() }),
      ['--max-fix-rounds', '1'],
    );
    expect(r.code, r.stderr).toBe(1);
    const m = JSON.parse(r.stdout);
    expectSchema('job', m);
    expect(m).toMatchObject({ state: 'failed', stoppedAt: 'tests_running' });
    expect(m.rounds).toHaveLength(2);
    expect(m.failure).toMatchObject({ stage: 'test', state: 'tests_running', code: 'tests-failed' });
    expect(m.failure.logTail).toContain("'2 projects'");
    expect(m.cleanup).toMatchObject({ agentStopped: true, instanceStopped: true, portsReleased: true });
    expect(existsSync(m.cleanup.worktreeKept)).toBe(true);
    expect(m.cleanup.branchKept).toBe(`factory/${m.id}`);
    expect(m.preview.up).toBe(false);
    const show = await rig.factory(['job', 'show', m.id]);
    expect(show.stdout).toContain('failed at tests_running (test, tests-failed)');
    expect(show.stdout).toContain("'2 projects'");
  });
});
