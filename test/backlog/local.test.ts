import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBacklog } from '../../src/backlog/local.js';
import { isFactoryFailure } from '../../src/lib/failure.js';

let root: string;

function write(rel: string, text: string): void {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'backlog-local-'));
  write('prds/3-checkout/prd.md', '---\nstatus: ready # picked up by batch mode\n---\n# Checkout flow\n\nUsers pay.\n');
  write('prds/3-checkout/tasks/02-api.md', '---\nkind: afk\nblocked_by: [1]\n---\n# Payment API\n\nPOST /pay\n');
  write('prds/3-checkout/tasks/01-model.md', '---\n# the first task\nkind: afk\nstatus: open\n---\n# Cart model\n');
  write(
    'prds/3-checkout/tasks/10-signoff.md',
    '---\nkind: hitl\nblocked_by: ["prd-1/01"]\ntitle: Legal sign-off\n---\nAsk legal.\n',
  );
  write('prds/1-draft-thing/prd.md', '# A draft\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('local backlog', () => {
  it('lists PRDs in number order with their state, title and location', async () => {
    const prds = await new LocalBacklog({ root }).listPrds();
    expect(prds.map((p) => [p.number, p.title, p.state, p.ref, p.location])).toEqual([
      [1, 'A draft', 'draft', 'prd-1', 'prds/1-draft-thing/prd.md'],
      [3, 'Checkout flow', 'ready', 'prd-3', 'prds/3-checkout/prd.md'],
    ]);
  });

  it('orders tasks by their number and resolves blockers to ids', async () => {
    const backlog = new LocalBacklog({ root });
    const tasks = await backlog.listTasks(await backlog.getPrd(3));
    expect(tasks.map((t) => [t.id, t.position, t.title, t.kind, t.state, t.blockedBy])).toEqual([
      ['prd-3/01', 1, 'Cart model', 'afk', 'open', []],
      ['prd-3/02', 2, 'Payment API', 'afk', 'open', ['prd-3/01']],
      ['prd-3/10', 10, 'Legal sign-off', 'hitl', 'open', ['prd-1/01']],
    ]);
    expect(tasks[1]?.body).toBe('# Payment API\n\nPOST /pay\n');
  });

  it('reports an unknown PRD and a bad task kind with the file and line', async () => {
    const backlog = new LocalBacklog({ root });
    await expect(backlog.getPrd(9)).rejects.toMatchObject({ code: 'prd-not-found' });
    write('prds/3-checkout/tasks/03-bad.md', '---\ntitle: x\nkind: robot\n---\nbody\n');
    const error: unknown = await backlog.listTasks(await backlog.getPrd(3)).catch((e: unknown) => e);
    expect(isFactoryFailure(error)).toBe(true);
    if (!isFactoryFailure(error)) return;
    expect(error.code).toBe('invalid-backlog');
    expect(error.diagnostics[0]).toMatchObject({ file: 'prds/3-checkout/tasks/03-bad.md', line: 3 });
    expect(error.message).toContain('kind must be afk or hitl (got "robot")');
  });

  it('marks a task done and records a failure without touching comments or the body', async () => {
    const backlog = new LocalBacklog({ root });
    const [first] = await backlog.listTasks(await backlog.getPrd(3));
    if (!first) throw new Error('no task');
    await backlog.recordFailure(first, {
      phase: 'tests',
      error: 'unit: exit 1',
      resumeCommand: 'factory agent run --prd 3',
      logFile: '/x/walk.log',
    });
    let text = readFileSync(join(root, first.location), 'utf8');
    expect(text).toContain('# the first task');
    expect(text).toContain('last_failure:');
    expect(text).toContain('resume: factory agent run --prd 3');
    await backlog.markDone(first, 'abc123');
    text = readFileSync(join(root, first.location), 'utf8');
    expect(text).toBe('---\n# the first task\nkind: afk\nstatus: done\ndone_by: abc123\n---\n# Cart model\n');
    const again = await backlog.listTasks(await backlog.getPrd(3));
    expect(again[0]?.state).toBe('done');
  });

  it('writes the review request next to the PRD and records it on the PRD', async () => {
    const backlog = new LocalBacklog({ root });
    const prd = await backlog.getPrd(3);
    const record = await backlog.openReview(prd, {
      branch: 'factory/prd-3',
      base: 'main',
      title: prd.title,
      body: 'evidence here\n',
      evidence: { commits: [], tests: [], artifacts: [] },
    });
    expect(record).toMatchObject({
      kind: 'review-request',
      location: 'prds/3-checkout/review.md',
      branch: 'factory/prd-3',
    });
    expect(readFileSync(join(root, 'prds/3-checkout/review.md'), 'utf8')).toBe(
      '# Review request: Checkout flow\n\nBranch `factory/prd-3` → `main`\n\nevidence here\n',
    );
    const reread = await backlog.getPrd(3);
    expect(reread.review).toMatchObject({ location: 'prds/3-checkout/review.md', branch: 'factory/prd-3' });
    expect(readFileSync(join(root, 'prds/3-checkout/prd.md'), 'utf8')).toContain(
      'status: ready # picked up by batch mode',
    );
  });
});
