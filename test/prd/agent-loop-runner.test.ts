import { afterEach, describe, expect, it } from 'vitest';
import { agentLoopRunner } from '../../src/prd/agent-runner.js';
import { walkPrd } from '../../src/prd/walk.js';
import { commandAgent } from '../../src/agent-loop/providers/command.js';
import { LocalBacklog } from '../../src/backlog/local.js';
import { noSandbox } from '../../src/sandboxes/providers/none.js';
import { FAKE_AGENT } from './helpers/fake-runner.js';
import { createRepo, DONE, script, type TestRepo, task } from './helpers/repo.js';

/**
 * The "done when", through the real agent loop (`run()`, the `command` agent provider
 * running the fake agent executable, no sandbox): 3 AFK tasks and 1 HITL task, HITL third.
 */
let repo: TestRepo | undefined;
afterEach(() => {
  repo?.dispose();
  repo = undefined;
});

describe('PRD walk on the agent loop', () => {
  it('two commits and a pause; then the rest, the review and its evidence; then nothing', async () => {
    repo = createRepo({
      'factory.yaml': 'name: shop\ntests:\n  unit:\n    command: test -f cart.txt\n',
      'prds/7-checkout/prd.md': `---\nstatus: ready\n---\n# Checkout\n\nUsers pay.\n\n${script([{ append: 'NOTES.md', content: 'reviewed\n' }, DONE])}\n`,
      'prds/7-checkout/tasks/01-cart.md': task(
        'afk',
        'Cart model',
        script([{ write: 'cart.txt', content: 'cart\n' }, { commit: 'agent: cart' }, DONE]),
      ),
      'prds/7-checkout/tasks/02-pay.md': task(
        'afk',
        'Payment API',
        script([{ write: 'pay.txt', content: 'pay\n' }, DONE]),
      ),
      'prds/7-checkout/tasks/03-legal.md': task('hitl', 'Legal sign-off', 'Ask legal.'),
      'prds/7-checkout/tasks/04-mail.md': task(
        'afk',
        'Receipt email',
        script([{ write: 'mail.txt', content: 'mail\n' }, DONE]),
      ),
    });
    const r = repo;
    const agent = agentLoopRunner({ agent: commandAgent(FAKE_AGENT), sandbox: noSandbox(), app: false });
    const walk = () =>
      walkPrd({
        root: r.root,
        source: new LocalBacklog({ root: r.root }),
        prd: 7,
        agent,
        resumeCommand: 'factory agent run --prd 7 --agent command',
      });

    const first = await walk();
    expect(first).toMatchObject({ status: 'paused', reason: 'hitl', doneThisRun: ['prd-7/01', 'prd-7/02'] });
    expect(r.branchLog('factory/prd-7').map((c) => c.message.split('\n')[0])).toEqual(['Cart model', 'Payment API']);

    r.write('prds/7-checkout/tasks/03-legal.md', task('hitl', 'Legal sign-off', 'Done.', 'status: done\n'));
    const second = await walk();
    expect(second).toMatchObject({ status: 'reviewed', doneThisRun: ['prd-7/04'] });
    const log = r.branchLog('factory/prd-7');
    expect(log.map((c) => c.message.split('\n')[0])).toEqual([
      'Cart model',
      'Payment API',
      'Receipt email',
      'Review: Checkout',
    ]);
    const review = r.read('prds/7-checkout/review.md');
    for (const c of log) expect(review).toContain(c.sha.slice(0, 10));
    expect(review).toContain('PASS `unit`');

    const third = await walk();
    expect(third.status).toBe('nothing-to-do');
    expect(r.branchLog('factory/prd-7')).toHaveLength(4);
  });
});
