import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bwrap } from '../../src/sandboxes/providers/bwrap.js';
import { createWorktreeSandbox } from '../../src/sandboxes/sandbox.js';
import { createWorktree } from '../../src/sandboxes/worktree.js';
import { gitIn, isolateHome, makeRepo, type TempRepo } from './helpers.js';

let repo: TempRepo | undefined;
let home: ReturnType<typeof isolateHome>;
beforeAll(() => {
  home = isolateHome();
});
afterAll(() => home.restore());
afterEach(() => repo?.cleanup());

describe('worktree + sandbox with one owner', () => {
  it('close() removes a clean worktree and keeps a dirty one, saying where', async () => {
    repo = makeRepo();
    const clean = await createWorktreeSandbox({
      repo: repo.root,
      branchStrategy: { type: 'branch', branch: 'agent/clean' },
      provider: bwrap(),
    });
    await clean.sandbox.exec(['sh', '-c', 'echo x > x.txt && git add x.txt && git commit -q -m x']);
    expect(await clean.close()).toEqual({});
    expect(existsSync(clean.worktree.path)).toBe(false);
    expect(gitIn(repo.root, 'log', '-1', '--format=%s', 'agent/clean')).toBe('x');

    const dirty = await createWorktreeSandbox({
      repo: repo.root,
      branchStrategy: { type: 'merge-to-head' },
      provider: bwrap(),
    });
    await dirty.sandbox.exec(['sh', '-c', 'echo wip > wip.txt']);
    expect(await dirty.close()).toEqual({ preservedWorktreePath: dirty.worktree.path, dirtyFiles: ['wip.txt'] });
    expect(readFileSync(join(dirty.worktree.path, 'wip.txt'), 'utf8')).toBe('wip\n');
  });

  it('await using removes the worktree at scope exit', async () => {
    repo = makeRepo();
    let path = '';
    {
      await using wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
      path = wt.path;
      expect(existsSync(path)).toBe(true);
    }
    expect(existsSync(path)).toBe(false);
  });

  it('a git setup step that overruns its timeout fails instead of hanging', async () => {
    repo = makeRepo();
    for (let i = 0; i < 300; i++) repo.write(`many/f${i}.txt`, String(i));
    repo.commitAll('many files');
    await expect(
      createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' }, timeouts: { gitSetupMs: 1 } }),
    ).rejects.toMatchObject({ code: 'git-failed', message: expect.stringContaining('timed out') });
  });

  it('mounts: ~ and relative host paths resolve; read-only mounts cannot be written', async () => {
    repo = makeRepo();
    mkdirSync(join(home.home, '.cache-dir'));
    writeFileSync(join(home.home, '.cache-dir', 'c.txt'), 'cached');
    mkdirSync(join(repo.root, 'data'));
    const pair = await createWorktreeSandbox({
      repo: repo.root,
      branchStrategy: { type: 'merge-to-head' },
      provider: bwrap(),
      mounts: [
        { hostPath: '~/.cache-dir', sandboxPath: '/home/agent/.cache', readonly: true },
        { hostPath: 'data', sandboxPath: 'data-link' },
      ],
    });
    try {
      const result = await pair.sandbox.exec([
        'sh',
        '-c',
        'cat /home/agent/.cache/c.txt; echo; echo y > /home/agent/.cache/y 2>/dev/null || echo ro; echo d > data-link/d.txt',
      ]);
      expect(result.stdout).toBe('cached\nro\n');
      expect(readFileSync(join(repo.root, 'data', 'd.txt'), 'utf8')).toBe('d\n');
    } finally {
      await pair.close();
    }
    await expect(
      createWorktreeSandbox({
        repo: repo.root,
        branchStrategy: { type: 'merge-to-head' },
        provider: bwrap(),
        mounts: [{ hostPath: 'data', sandboxPath: '/opt/not-there' }],
      }),
    ).rejects.toMatchObject({ code: 'sandbox-mount-target' });
  });
});
