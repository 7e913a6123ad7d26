/**
 * Retry policy, time budget and `job retry`, on a repository without a factory.yaml (nothing to
 * start, test or record: the agent stages alone): an agent's bad answer is retried once with its
 * failure in the prompt; a deterministic failure is not retried; the job-wide budget stops a job;
 * `job retry --run` resumes a failed job where it stopped.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSchema } from '../services/helpers.js';
import { approve, diffieRig, git, plan, request, waitFor, type Rig } from './harness.js';

let rig: Rig;
beforeAll(() => {
  rig = diffieRig({ plain: true });
});
afterAll(async () => {
  await rig?.dispose();
});

const build = [
  { write: 'hello.txt', content: 'hello\n' },
  { commit: 'Add hello.txt' },
  { say: '<promise>COMPLETE</promise>' },
];
const run = async (roles: Record<string, unknown>, extra: string[] = []) => {
  const r = await rig.factory(
    ['job', 'run', request('Add a greeting file', roles), '--json', '--sandbox', 'none', ...extra],
    120_000,
  );
  const m = JSON.parse(r.stdout);
  expectSchema('job', m);
  return { code: r.code, m, stderr: r.stderr };
};

describe('retry policy', () => {
  it("a planner's invalid answer is retried once, with the reason in its prompt", async () => {
    const { code, m, stderr } = await run({
      planner: [
        // The factory's retry sentence begins on a line of its own: a real newline the request's JSON cannot hold.
        { ifPrompt: '\nAnswer again, correctly.', do: plan(), otherwise: [{ say: '<plan>{"summary": 3}</plan>' }] },
      ],
      builder: build,
      reviewer: approve(),
    });
    expect(code, stderr).toBe(0);
    expect(m.state).toBe('ready_for_human_review');
    const planned = m.timeline.find((t: { to: string }) => t.to === 'planned');
    expect(planned.attempt).toBe(2);
    const events = JSON.parse((await rig.factory(['job', 'logs', m.id, '--json'])).stdout).events;
    expect(events.filter((e: { type: string }) => e.type === 'attempt')).toEqual([
      expect.objectContaining({ stage: 'plan', attempt: 1, retry: true, code: 'structured-output-invalid' }),
    ]);
  });

  it("a deterministic failure is not retried: a role's missing agent CLI fails the job before any build", async () => {
    const { code, m } = await run({ planner: plan(), builder: build, reviewer: approve() }, [
      '--reviewer-agent',
      'cursor',
    ]);
    expect(code).toBe(1);
    expect(m.failure).toMatchObject({ stage: 'sandbox', state: 'worktree_created', code: 'agent-missing' });
    expect(m.failure.message).toContain('cursor-agent');
    expect(m.timeline.at(-1)).toMatchObject({ to: 'failed', attempt: 1 });
    expect(m.rounds).toEqual([]);
  });

  it('the time budget stops a job; job retry --run resumes it where it stopped', async () => {
    const ok = join(rig.root, 'builder-may-finish');
    const { code, m } = await run(
      {
        planner: plan(),
        builder: [{ ifFile: ok, do: build, otherwise: [{ sleep: 60_000 }] }],
        reviewer: approve(),
      },
      ['--time-budget', '8s'],
    );
    expect(code).toBe(1);
    expect(m).toMatchObject({ state: 'failed', stoppedAt: 'implementation_in_progress' });
    expect(m.failure).toMatchObject({ stage: 'build', code: 'job-time-budget' });
    expect(m.cleanup.agentStopped).toBe(true);
    writeFileSync(ok, '');
    const r = await rig.factory(['job', 'retry', m.id, '--run', '--json'], 120_000);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).job.state).toBe('ready_for_human_review');
    const after = rig.manifest(m.id);
    expect(after.failure).toBeNull();
    expect(after.timeline.map((t) => t.to)).toEqual(
      expect.arrayContaining(['failed', 'implementation_in_progress', 'ready_for_human_review']),
    );
    expect(git(rig.repo, 'log', '--format=%s', `main..factory/${m.id}`)).toBe('Add hello.txt');
  });
});

describe('queued jobs, workers and subscribers', () => {
  it('job new --wait follows a job a worker runs; worker --json and job logs -f print one event per line', async () => {
    const text = request('Add a greeting file', { planner: plan(), builder: build, reviewer: approve() });
    const queued = rig.factory(['job', 'new', text, '--wait', '--json', '--sandbox', 'none'], 120_000);
    const store = rig.store();
    await waitFor('the job to be queued', async () =>
      (await store.list({ states: ['received'] })).length ? true : undefined,
    );
    const w = rig.worker(['--until-idle', '--json']);
    const r = await queued;
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expectSchema('job', m);
    expect(m.state).toBe('ready_for_human_review');
    await new Promise<void>((resolve) =>
      w.child.exitCode !== null ? resolve() : w.child.once('exit', () => resolve()),
    );
    expect(w.child.exitCode).toBe(0);
    const lines = w
      .output()
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expectSchema('job-event', JSON.parse(l));
    expect(
      lines
        .map((l) => JSON.parse(l))
        .filter((e) => e.type === 'transition')
        .at(-1),
    ).toMatchObject({ to: 'ready_for_human_review' });
    const logs = await rig.factory(['job', 'logs', m.id, '-f', '--json']);
    expect(logs.code).toBe(0);
    const events = logs.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const e of events) expectSchema('job-event', e);
    expect(events[0]).toMatchObject({ type: 'transition', to: 'received' });
    expect(events.at(-1)).toMatchObject({ type: 'transition', to: 'ready_for_human_review' });
  });
});
