import { rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { syncIn, syncOut } from '../../src/sandboxes/isolated-sync.js';
import { createSandbox } from '../../src/sandboxes/sandbox.js';
import { createWorktree } from '../../src/sandboxes/worktree.js';
import { gitIn, isolateHome, makeRepo, type TempRepo } from './helpers.js';
import { BOX, isolatedBox } from './isolated-box.js';

let repo: TempRepo | undefined;
let home: ReturnType<typeof isolateHome>;
const dirs: string[] = [];
beforeAll(() => {
  home = isolateHome();
});
afterAll(() => home.restore());
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  repo?.cleanup();
});

describe('isolated sandbox: work crosses the boundary as git bundles', () => {
  it('syncIn clones the branch, the agent commits inside, syncOut fast-forwards the worktree, finish merges', async () => {
    repo = makeRepo({ 'app.txt': 'v1\n' });
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await createSandbox({ provider: isolatedBox({ dirs }), worktree: wt });
    // The host repo is not visible inside at all.
    expect((await sandbox.exec(['test', '-e', repo.root])).exitCode).toBe(1);
    await syncIn(sandbox, wt, `${BOX}/repo`);
    const work = await sandbox.exec(
      [
        'sh',
        '-c',
        'cat app.txt && echo v2 > app.txt && git commit -qam "bump to v2" && echo new > new.txt && git add new.txt && git commit -qm "add new"',
      ],
      {
        cwd: `${BOX}/repo`,
      },
    );
    expect(work).toMatchObject({ exitCode: 0, stdout: 'v1\n' });
    const commits = await syncOut(sandbox, wt, `${BOX}/repo`);
    expect(commits.map((c) => c.subject)).toEqual(['bump to v2', 'add new']);
    expect((await wt.collectCommits()).map((c) => c.subject)).toEqual(['bump to v2', 'add new']);
    expect(await wt.finish()).toMatchObject({ kind: 'merged', into: 'main' });
    expect(repo.read('app.txt')).toBe('v2\n');
    expect(gitIn(repo.root, 'log', '-1', '--format=%an', 'HEAD~1')).toBe('Boxed Agent');
    expect(gitIn(repo.root, 'fsck', '--strict')).toBe('');
  });

  it('no commits inside → syncOut brings nothing and finish reports no-changes', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'branch', branch: 'agent/idle' } });
    const sandbox = await createSandbox({ provider: isolatedBox({ dirs }), worktree: wt });
    await syncIn(sandbox, wt, `${BOX}/repo`);
    expect(await syncOut(sandbox, wt, `${BOX}/repo`)).toEqual([]);
    expect(await wt.finish()).toEqual({ kind: 'no-changes', branch: 'agent/idle' });
  });
});
