import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { walkPrd } from '../../src/prd/walk.js';
import type { WalkEvent, WalkResult } from '../../src/prd/types.js';
import { LocalBacklog } from '../../src/backlog/local.js';
import { fakeAgentRunner } from './helpers/fake-runner.js';
import { createRepo, DONE, script, type TestRepo, task } from './helpers/repo.js';

let repo: TestRepo | undefined;
afterEach(() => {
  repo?.dispose();
  repo = undefined;
});

/** The scenario: 3 AFK tasks and 1 HITL task, the HITL one third. */
function checkoutRepo(): TestRepo {
  return createRepo({
    'factory.yaml': 'name: shop\ntests:\n  unit:\n    command: test -f cart.txt\n',
    'README.md': '# shop\n',
    'prds/1-checkout/prd.md': `---\nstatus: ready\n---\n# Checkout\n\nUsers pay for their cart.\n\n${script([{ append: 'REVIEW.md', content: 'reviewed\n' }, DONE])}\n`,
    'prds/1-checkout/tasks/01-cart.md': task(
      'afk',
      'Cart model',
      script([{ write: 'cart.txt', content: 'cart\n' }, DONE]),
    ),
    // The agent commits part of its work itself and leaves the rest uncommitted.
    'prds/1-checkout/tasks/02-pay.md': task(
      'afk',
      'Payment API',
      script([
        { write: 'pay.txt', content: 'pay\n' },
        { commit: 'agent: pay endpoint' },
        { write: 'pay-test.txt', content: 'test\n' },
        DONE,
      ]),
      'blocked_by: [1]\n',
    ),
    'prds/1-checkout/tasks/03-legal.md': task('hitl', 'Legal sign-off', 'Ask legal to approve the terms.'),
    'prds/1-checkout/tasks/04-receipt.md': task(
      'afk',
      'Receipt email',
      script([{ write: 'receipt.txt', content: 'receipt\n' }, DONE]),
      'blocked_by: [3]\n',
    ),
  });
}

async function walk(r: TestRepo, events: WalkEvent[] = [], calls: string[] = []): Promise<WalkResult> {
  return walkPrd({
    root: r.root,
    source: new LocalBacklog({ root: r.root }),
    prd: 1,
    agent: fakeAgentRunner(calls),
    resumeCommand: 'factory agent run --prd 1',
    onEvent: (e) => events.push(e),
  });
}

describe('PRD walk (local backlog, real git, the fake agent)', () => {
  it('pauses at the HITL task, resumes after it is done, reviews once, then does nothing', async () => {
    repo = checkoutRepo();
    const calls: string[] = [];

    // Run 1: two AFK tasks, each one ledger commit; pause at the HITL task.
    const first = await walk(repo, [], calls);
    expect(first.status).toBe('paused');
    if (first.status !== 'paused') return;
    expect(first.reason).toBe('hitl');
    expect(first.task.id).toBe('prd-1/03');
    expect(first.message).toBe(
      'PRD 1 paused at task #prd-1/03 "Legal sign-off": it is a HITL task for a person. Do it, set "status: done" in prds/1-checkout/tasks/03-legal.md, then run: factory agent run --prd 1',
    );
    expect(first.message).toContain('factory agent run --prd 1');
    expect(first.doneThisRun).toEqual(['prd-1/01', 'prd-1/02']);
    let log = repo.branchLog('factory/prd-1');
    expect(log.map((c) => c.message.split('\n')[0])).toEqual(['Cart model', 'Payment API']);
    expect(log[0]?.message).toMatch(/\n\nRefs #prd-1\/01\nFactory-Phase: task$/);
    expect(log[1]?.message).toContain('- agent: pay endpoint');
    expect(repo.git('show', '--stat', '--format=', log[1]?.sha ?? '')).toContain('pay-test.txt');
    expect(repo.read('prds/1-checkout/tasks/01-cart.md')).toContain(`status: done\ndone_by: ${log[0]?.sha}`);
    expect(repo.read('prds/1-checkout/tasks/03-legal.md')).not.toContain('status: done');
    const worktree = first.worktree ?? '';
    expect(existsSync(join(worktree, 'cart.txt'))).toBe(true); // kept on pause

    // A re-run while the HITL task is open changes nothing.
    const again = await walk(repo, [], calls);
    expect(again.status).toBe('paused');
    expect(repo.branchLog('factory/prd-1')).toHaveLength(2);

    // A person does the HITL task and marks it done.
    repo.write('prds/1-checkout/tasks/03-legal.md', task('hitl', 'Legal sign-off', 'Approved.', 'status: done\n'));
    const second = await walk(repo, [], calls);
    expect(second.status).toBe('reviewed');
    if (second.status !== 'reviewed') return;
    expect(second.doneThisRun).toEqual(['prd-1/04']);
    log = repo.branchLog('factory/prd-1');
    expect(log.map((c) => c.message.split('\n')[0])).toEqual([
      'Cart model',
      'Payment API',
      'Receipt email',
      'Review: Checkout',
    ]);
    expect(log[3]?.message).toMatch(/Refs #prd-1\nFactory-Phase: review$/);
    expect(second.review).toMatchObject({
      kind: 'review-request',
      location: 'prds/1-checkout/review.md',
      branch: 'factory/prd-1',
    });
    const review = repo.read('prds/1-checkout/review.md');
    expect(review).toContain('Branch `factory/prd-1` → `main`');
    for (const c of log) expect(review).toContain(c.sha.slice(0, 10));
    expect(review).toContain('PASS `unit`');
    expect(review).toMatch(/## Artifacts\n\n- `.*\/\.factory\/prd\/prd-1\/runs\/[^`]+`/);
    expect(repo.read('prds/1-checkout/prd.md')).toContain('review:');
    expect(calls).toEqual(['prd-1-task-01', 'prd-1-task-02', 'prd-1-task-04', 'prd-1-review']);

    // Run 3: nothing to do, nothing committed, no agent started.
    const third = await walk(repo, [], calls);
    expect(third.status).toBe('nothing-to-do');
    expect(repo.branchLog('factory/prd-1')).toHaveLength(4);
    expect(calls).toHaveLength(4);
  });

  it('records a test failure on the task, keeps the work, and retries it on the next run', async () => {
    repo = createRepo({
      'factory.yaml': 'name: shop\ntests:\n  unit:\n    command: test -f fixed.txt\n',
      'prds/2-fix/prd.md': `# Fix\n\n${script([DONE])}\n`,
      'prds/2-fix/tasks/01-fix.md': task('afk', 'Fix it', script([{ write: 'attempt.txt', content: 'x\n' }, DONE])),
    });
    const r = repo;
    const run = () =>
      walkPrd({
        root: r.root,
        source: new LocalBacklog({ root: r.root }),
        prd: 2,
        agent: fakeAgentRunner(),
        resumeCommand: 'factory agent run --prd 2',
      });
    const failed = await run();
    expect(failed).toMatchObject({ status: 'failed', phase: 'tests' });
    if (failed.status !== 'failed') return;
    expect(failed.error).toMatch(
      /^tests failed after task #prd-2\/01: unit: exited with code 1 \(.*\/unit\/output.log\)$/,
    );
    const taskFile = repo.read('prds/2-fix/tasks/01-fix.md');
    expect(taskFile).toContain('phase: tests');
    expect(taskFile).toContain('resume: factory agent run --prd 2');
    expect(repo.branchLog('factory/prd-2')).toHaveLength(0);
    expect(existsSync(join(failed.worktree ?? '', 'attempt.txt'))).toBe(true);

    // Someone fixes what the tests need; the re-run redoes the task and commits once.
    repo.write('.factory/worktrees/prd-2/fixed.txt', 'ok\n');
    const done = await run();
    expect(done.status).toBe('reviewed');
    const log = repo.branchLog('factory/prd-2');
    expect(log.map((c) => c.message.split('\n')[0])).toEqual(['Fix it', 'Review: Fix']);
    expect(repo.git('show', '--stat', '--format=', log[0]?.sha ?? '')).toContain('fixed.txt');
    expect(repo.read('prds/2-fix/tasks/01-fix.md')).not.toContain('last_failure');
  });

  it('treats an agent that changed nothing as done with an empty ledger commit, not a crash', async () => {
    repo = createRepo({
      'prds/3-noop/prd.md': `# Noop\n\n${script([DONE])}\n`,
      'prds/3-noop/tasks/01-check.md': task('afk', 'Already done', script([DONE])),
    });
    const r = repo;
    const result = await walkPrd({
      root: r.root,
      source: new LocalBacklog({ root: r.root }),
      prd: 3,
      agent: fakeAgentRunner(),
      resumeCommand: 'x',
    });
    expect(result).toMatchObject({ status: 'reviewed' });
    const log = repo.branchLog('factory/prd-3');
    expect(log[0]?.message).toContain('The agent changed nothing');
    expect(repo.git('show', '--stat', '--format=', log[0]?.sha ?? '')).toBe('');
  });

  it('pauses an AFK task whose blocker is not done', async () => {
    repo = createRepo({
      'prds/4-b/prd.md': '# B\n',
      'prds/4-b/tasks/01-a.md': task('afk', 'A', script([DONE]), 'blocked_by: ["prd-9/01"]\n'),
    });
    const r = repo;
    const run = () =>
      walkPrd({
        root: r.root,
        source: new LocalBacklog({ root: r.root }),
        prd: 4,
        agent: fakeAgentRunner(),
        resumeCommand: 'x',
      });
    const result = await run();
    expect(result).toMatchObject({ status: 'paused', reason: 'blocked' });
    if (result.status === 'paused') expect(result.message).toContain('blocked by #prd-9/01');
    // The blocker, in another PRD, gets done: the task runs.
    r.write('prds/9-other/prd.md', '# Other\n');
    r.write('prds/9-other/tasks/01-x.md', task('hitl', 'X', 'x', 'status: done\n'));
    r.write('prds/4-b/prd.md', `# B\n\n${script([DONE])}\n`);
    expect(await run()).toMatchObject({ status: 'reviewed', doneThisRun: ['prd-4/01'] });
  });

  it('a PRD without tasks has nothing to do (no review of an empty branch)', async () => {
    repo = createRepo({ 'prds/5-empty/prd.md': '# Empty\n' });
    const r = repo;
    const result = await walkPrd({
      root: r.root,
      source: new LocalBacklog({ root: r.root }),
      prd: 5,
      agent: fakeAgentRunner(),
      resumeCommand: 'x',
    });
    expect(result).toMatchObject({ status: 'nothing-to-do', reason: 'the PRD has no tasks yet' });
    expect(repo.branchLog('factory/prd-5')).toEqual([]);
  });
});
