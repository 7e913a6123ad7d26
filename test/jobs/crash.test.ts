/**
 * Crash safety: a worker killed with -9 mid-stage leaves a job the next worker resumes from its
 * last durable state — during the build (an orphaned agent is reaped, no commit is made twice) and
 * during the tests (the orphaned suite is reaped, the tests run again). Sandbox `none`, so nothing
 * but the job's own marker ties the orphans to it.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesWithEnv } from '../../src/services/proc.js';
import { processesWith } from '../agent-loop/helpers.js';
import { basePort } from '../services/helpers.js';
import { approve, countSteps, diffieRig, git, jobIn, plan, request, showCount, waitFor, type Rig } from './harness.js';

let rig: Rig;
beforeAll(() => {
  rig = diffieRig();
});
afterAll(async () => {
  await rig?.dispose();
});

const edits = showCount.slice(0, 3);
const done = { say: '<promise>COMPLETE</promise>' };

async function queue(text: string): Promise<string> {
  const r = await rig.factory([
    'job',
    'new',
    text,
    '--json',
    '--sandbox',
    'none',
    '--test',
    'unit',
    '--port-range',
    String(basePort(52)),
  ]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).id as string;
}

function killed(child: import('node:child_process').ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('kill -9 the worker', () => {
  it('during implementation: the next worker resumes, reaps the orphaned agent, commits nothing twice', {
    timeout: 600_000,
  }, async () => {
    const store = rig.store();
    const id = await queue(
      request('Show the number of projects in the page header', {
        planner: plan(countSteps),
        // The factory's own words on a resumed attempt (with a real newline, which the request's JSON
        // cannot contain, so the script below does not match itself).
        builder: [{ ifPrompt: 'It already committed:\n', do: [done], otherwise: [...edits, { sleep: 600_000 }, done] }],
        reviewer: approve(),
      }),
    );
    const w1 = rig.worker(['--lease', '3s']);
    await jobIn(store, ['implementation_in_progress'], id);
    await waitFor('the builder commit', () =>
      git(rig.repo, 'rev-list', '--count', `main..factory/${id}`) === '1' ? true : undefined,
    );
    expect(processesWithEnv('FACTORY_JOB_ID', id).length).toBeGreaterThan(0);
    await killed(w1.child);
    // The orphaned agent still sleeps: only its job marker ties it to the job.
    expect(processesWithEnv('FACTORY_JOB_ID', id).length).toBeGreaterThan(0);
    const w2 = rig.worker(['--lease', '3s']);
    const job = await jobIn(store, ['ready_for_human_review', 'failed'], id);
    expect(job.state, w2.output()).toBe('ready_for_human_review');
    expect(git(rig.repo, 'log', '--format=%s', `main..factory/${id}`)).toBe(
      'Show the number of projects in the page header',
    );
    expect(processesWithEnv('FACTORY_JOB_ID', id)).toEqual([]);
    const events = await store.events({ jobId: id });
    expect(events.some((e) => e.type === 'control' && /resumes it at implementation_in_progress/.test(e.message))).toBe(
      true,
    );
    const m = rig.manifest(id);
    expect(m.rounds[0]?.build?.attempts).toBe(2);
    expect(m.rounds[0]?.validation?.ok).toBe(true);
    await killed(w2.child);
    expect((await rig.factory(['job', 'close', id])).code).toBe(0);
  });

  it('during the tests: the next worker reaps the orphaned suite and runs the tests again', {
    timeout: 600_000,
  }, async () => {
    const store = rig.store();
    const hold = join(rig.root, 'hold');
    writeFileSync(hold, '');
    const holdTest = `import { test } from 'node:test';\nimport { existsSync } from 'node:fs';\n\ntest('waits while held', async () => {\n  while (existsSync(${JSON.stringify(hold)})) await new Promise((r) => setTimeout(r, 100));\n});\n`;
    const id = await queue(
      request('Show the number of projects in the page header', {
        planner: plan(countSteps),
        builder: [
          ...edits,
          { write: 'test/unit/hold.test.mjs', content: holdTest },
          { commit: 'A test that waits' },
          done,
        ],
        reviewer: approve(),
      }),
    );
    const w1 = rig.worker(['--lease', '3s']);
    await jobIn(store, ['tests_running'], id);
    await waitFor('the held suite', () => (processesWith('hold.test.mjs').length > 0 ? true : undefined));
    await killed(w1.child);
    const w2 = rig.worker(['--lease', '3s']);
    await waitFor(
      () => `the second worker to take the job; its output:\n${w2.output()}`,
      async () =>
        (await store.events({ jobId: id })).some(
          (e) => e.type === 'control' && /resumes it at tests_running/.test(e.message),
        )
          ? true
          : undefined,
    );
    rmSync(hold);
    const job = await jobIn(store, ['ready_for_human_review', 'failed'], id);
    expect(job.state, w2.output()).toBe('ready_for_human_review');
    expect(git(rig.repo, 'log', '--format=%s', `main..factory/${id}`).split('\n')).toEqual([
      'A test that waits',
      'Show the number of projects in the page header',
    ]);
    const m = rig.manifest(id);
    expect(m.rounds).toHaveLength(1);
    expect(m.rounds[0]?.tests?.ok).toBe(true);
    expect(processesWithEnv('FACTORY_JOB_ID', id)).toEqual([]);
    expect(existsSync(hold)).toBe(false);
    await killed(w2.child);
    expect((await rig.factory(['job', 'close', id])).code).toBe(0);
  });
});
