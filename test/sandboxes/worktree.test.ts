import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorktree } from '../../src/sandboxes/worktree.js';
import { gitIn, isolateHome, makeRepo, type TempRepo } from './helpers.js';

let repo: TempRepo;
let home: ReturnType<typeof isolateHome>;
beforeAll(() => {
  // HOME → a temp dir: the user's ~/.gitconfig is neither read nor written by these tests.
  home = isolateHome();
});
afterAll(() => home.restore());
afterEach(() => repo?.cleanup());

/** What an agent does: edit and commit inside the worktree. */
function agentCommit(path: string, file: string, content: string, message: string): void {
  writeFileSync(join(path, file), content);
  gitIn(path, 'add', '--', file);
  gitIn(path, 'commit', '-q', '-m', message);
}

describe('createWorktree', () => {
  it('merge-to-head: temp branch under .factory/worktrees, merged back, branch and worktree removed', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' }, name: 'job1' });
    expect(wt).toMatchObject({
      branch: 'factory/job1',
      targetBranch: 'main',
      isNew: true,
      path: join(repo.root, '.factory/worktrees/job1'),
      repoRoot: repo.root,
      gitCommonDir: join(repo.root, '.git'),
    });
    expect(wt.gitDir).toBe(join(repo.root, '.git/worktrees/job1'));
    // The .factory folder ignores itself: the host repo's status stays clean.
    expect(gitIn(repo.root, 'status', '--porcelain')).toBe('');
    agentCommit(wt.path, 'feature.txt', 'feature\n', 'add feature');
    expect((await wt.collectCommits()).map((c) => c.subject)).toEqual(['add feature']);
    const result = await wt.finish();
    expect(result).toMatchObject({ kind: 'merged', branch: 'factory/job1', into: 'main', branchDeleted: true });
    expect(repo.read('feature.txt')).toBe('feature\n');
    expect(existsSync(wt.path)).toBe(false);
    expect(gitIn(repo.root, 'branch', '--list', 'factory/*')).toBe('');
    expect(await wt.remove()).toEqual({ removed: true, path: wt.path });
  });

  it('merge-to-head with no commits reports no-changes and cleans up the temp branch', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    expect(wt.branch).toMatch(/^factory\/run-\d{14}-[0-9a-f]{6}$/);
    expect(await wt.finish()).toEqual({ kind: 'no-changes', branch: wt.branch });
    expect(await wt.remove()).toMatchObject({ removed: true });
    expect(gitIn(repo.root, 'branch', '--list', 'factory/*')).toBe('');
  });

  it('branch: commits stay on the named branch made from baseBranch; the host branch does not move', async () => {
    repo = makeRepo();
    gitIn(repo.root, 'branch', 'develop');
    repo.write('main-only.txt', 'x');
    const mainHead = repo.commitAll('main moves on');
    const wt = await createWorktree({
      repo: repo.root,
      branchStrategy: { type: 'branch', branch: 'agent/fix-42', baseBranch: 'develop' },
    });
    expect(wt.name).toBe('agent-fix-42');
    expect(existsSync(join(wt.path, 'main-only.txt'))).toBe(false);
    agentCommit(wt.path, 'fix.txt', 'fix\n', 'fix it');
    const result = await wt.finish();
    expect(result).toMatchObject({ kind: 'left-on-branch', branch: 'agent/fix-42' });
    expect(gitIn(repo.root, 'rev-parse', 'main')).toBe(mainHead);
    expect(gitIn(repo.root, 'log', '--format=%s', 'agent/fix-42', '-1')).toBe('fix it');
    expect(await wt.remove()).toMatchObject({ removed: true });
    expect(gitIn(repo.root, 'rev-parse', '--verify', 'agent/fix-42')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('reuses the existing worktree of a branch and counts commits from the reuse point', async () => {
    repo = makeRepo();
    const first = await createWorktree({ repo: repo.root, branchStrategy: { type: 'branch', branch: 'agent/reuse' } });
    agentCommit(first.path, 'a.txt', 'a', 'first run');
    writeFileSync(join(first.path, 'wip.txt'), 'work in progress');
    const second = await createWorktree({ repo: repo.root, branchStrategy: { type: 'branch', branch: 'agent/reuse' } });
    expect(second.isNew).toBe(false);
    expect(second.path).toBe(first.path);
    expect(readFileSync(join(second.path, 'wip.txt'), 'utf8')).toBe('work in progress');
    agentCommit(second.path, 'b.txt', 'b', 'second run');
    expect((await second.collectCommits()).map((c) => c.subject)).toEqual(['second run']);
    expect((await first.collectCommits()).map((c) => c.subject)).toEqual(['first run', 'second run']);
  });

  it('reuses your own worktree of a branch but never removes it', async () => {
    repo = makeRepo();
    const mine = join(repo.root, '..', 'my-worktree');
    gitIn(repo.root, 'worktree', 'add', '-q', '-b', 'agent/mine', mine);
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'branch', branch: 'agent/mine' } });
    expect(wt).toMatchObject({ path: mine, isNew: false });
    expect(await wt.remove()).toEqual({ removed: false, reason: 'foreign', path: mine });
    expect(existsSync(join(mine, 'README.md'))).toBe(true);
  });

  it('an existing branch without a worktree is checked out, not recreated', async () => {
    repo = makeRepo();
    gitIn(repo.root, 'branch', 'feature');
    const tip = gitIn(repo.root, 'rev-parse', 'feature');
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'branch', branch: 'feature' } });
    expect(wt.isNew).toBe(true);
    expect(wt.baseCommit).toBe(tip);
  });

  it('never deletes a dirty worktree: remove() preserves it and lists the uncommitted files', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' }, name: 'dirty' });
    writeFileSync(join(wt.path, 'README.md'), 'edited but not committed\n');
    writeFileSync(join(wt.path, 'new.txt'), 'untracked\n');
    expect(await wt.isDirty()).toBe(true);
    const result = await wt.remove();
    expect(result).toEqual({ removed: false, reason: 'dirty', path: wt.path, dirtyFiles: ['README.md', 'new.txt'] });
    expect(readFileSync(join(wt.path, 'new.txt'), 'utf8')).toBe('untracked\n');
    expect(gitIn(repo.root, 'branch', '--list', 'factory/dirty')).toContain('factory/dirty');
  });

  it('a merge that finishes keeps a dirty worktree and its branch', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' }, name: 'half' });
    agentCommit(wt.path, 'done.txt', 'done', 'done part');
    writeFileSync(join(wt.path, 'notyet.txt'), 'not committed');
    expect(await wt.finish()).toMatchObject({ kind: 'merged', branchDeleted: false });
    expect(existsSync(join(wt.path, 'notyet.txt'))).toBe(true);
    expect(repo.read('done.txt')).toBe('done');
  });

  it('a merge conflict aborts the merge, keeps the branch and says how to recover', async () => {
    repo = makeRepo({ 'shared.txt': 'base\n' });
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' }, name: 'clash' });
    agentCommit(wt.path, 'shared.txt', 'agent version\n', 'agent edit');
    repo.write('shared.txt', 'host version\n');
    const hostHead = repo.commitAll('host edit');
    const result = await wt.finish();
    expect(result.kind).toBe('conflict');
    if (result.kind !== 'conflict') return;
    expect(result.conflictedFiles).toEqual(['shared.txt']);
    expect(result.recovery[0]).toEqual(['git', '-C', repo.root, 'merge', '--no-edit', '--', 'factory/clash']);
    expect(result.recoveryText).toContain(`git -C ${repo.root} merge --no-edit -- factory/clash`);
    // Nothing half-merged is left in the host repo; its branch did not move.
    expect(gitIn(repo.root, 'status', '--porcelain')).toBe('');
    expect(gitIn(repo.root, 'rev-parse', 'HEAD')).toBe(hostHead);
    expect(repo.read('shared.txt')).toBe('host version\n');
    expect(gitIn(repo.root, 'log', '--format=%s', '-1', 'factory/clash')).toBe('agent edit');
    // Following the printed recovery works.
    const [, , , ...mergeArgs] = result.recovery[0] ?? [];
    expect(() => gitIn(repo.root, ...mergeArgs)).toThrow();
    expect(gitIn(repo.root, 'diff', '--name-only', '--diff-filter=U')).toBe('shared.txt');
    gitIn(repo.root, 'merge', '--abort');
  });

  it('merge-failed when uncommitted host changes are in the way; nothing changes', async () => {
    repo = makeRepo({ 'shared.txt': 'base\n' });
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' }, name: 'blocked' });
    agentCommit(wt.path, 'shared.txt', 'agent\n', 'agent edit');
    repo.write('shared.txt', 'uncommitted host edit\n');
    const result = await wt.finish();
    expect(result.kind).toBe('merge-failed');
    if (result.kind !== 'merge-failed') return;
    expect(result.message).toContain('shared.txt');
    expect(repo.read('shared.txt')).toBe('uncommitted host edit\n');
  });

  it('head: no worktree, the repo itself, commits counted from HEAD; remove() never deletes it', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'head' } });
    expect(wt).toMatchObject({ path: repo.root, branch: 'main', gitDir: join(repo.root, '.git') });
    agentCommit(repo.root, 'h.txt', 'h', 'on head');
    expect(await wt.finish()).toMatchObject({ kind: 'head', commits: [{ subject: 'on head' }] });
    expect(await wt.remove()).toEqual({ removed: false, reason: 'head', path: repo.root });
    await expect(
      createWorktree({ repo: repo.root, branchStrategy: { type: 'head' }, copyToWorktree: ['x'] }),
    ).rejects.toMatchObject({
      code: 'copy-with-head',
    });
  });

  it('copyToWorktree copies ignored files and dirs into a fresh worktree; onWorktreeReady runs there', async () => {
    repo = makeRepo({ '.gitignore': '.env\nnode_modules/\n' });
    repo.write('.env', 'SECRET=1\n');
    repo.write('node_modules/pkg/index.js', 'module.exports = 1;\n');
    const wt = await createWorktree({
      repo: repo.root,
      branchStrategy: { type: 'merge-to-head' },
      copyToWorktree: ['.env', 'node_modules'],
      hooks: {
        host: { onWorktreeReady: [{ command: 'cat .env > hook-saw.txt && echo "$FACTORY_BRANCH" >> hook-saw.txt' }] },
      },
    });
    expect(readFileSync(join(wt.path, 'node_modules/pkg/index.js'), 'utf8')).toBe('module.exports = 1;\n');
    expect(readFileSync(join(wt.path, 'hook-saw.txt'), 'utf8')).toBe(`SECRET=1\n${wt.branch}\n`);
  });

  it('a failing or slow hook is a hook-failed error', async () => {
    repo = makeRepo();
    await expect(
      createWorktree({
        repo: repo.root,
        branchStrategy: { type: 'merge-to-head' },
        hooks: { host: { onWorktreeReady: [{ command: 'exit 7' }] } },
      }),
    ).rejects.toMatchObject({
      code: 'hook-failed',
      message: expect.stringContaining('exited with 7'),
      hint: expect.stringContaining('The worktree is kept at'),
      details: expect.objectContaining({ worktreePath: expect.stringContaining('.factory/worktrees/') }),
    });
    await expect(
      createWorktree({
        repo: repo.root,
        branchStrategy: { type: 'merge-to-head' },
        hooks: { host: { onWorktreeReady: [{ command: 'sleep 30', timeoutMs: 200 }] } },
      }),
    ).rejects.toMatchObject({ code: 'hook-failed', message: expect.stringContaining('timed out') });
  });

  it('rejects bad input with clear codes', async () => {
    repo = makeRepo();
    await expect(
      createWorktree({ repo: repo.root, branchStrategy: { type: 'branch', branch: 'bad..name' } }),
    ).rejects.toMatchObject({
      code: 'branch-name-invalid',
    });
    await expect(
      createWorktree({ repo: repo.root, branchStrategy: { type: 'branch', branch: 'main' } }),
    ).rejects.toMatchObject({
      code: 'branch-checked-out-in-repo',
    });
    await expect(
      createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' }, name: '../x' }),
    ).rejects.toMatchObject({
      code: 'worktree-name-invalid',
    });
    await expect(
      createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' }, copyToWorktree: ['../etc'] }),
    ).rejects.toMatchObject({
      code: 'copy-path-invalid',
    });
    await expect(createWorktree({ repo: '/', branchStrategy: { type: 'merge-to-head' } })).rejects.toMatchObject({
      code: 'not-a-git-repo',
    });
  });

  it('parallel merge-to-head finishes are serialized: every run lands, history stays sound', async () => {
    repo = makeRepo();
    const worktrees = await Promise.all(
      [0, 1, 2].map((i) =>
        createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' }, name: `par${i}` }),
      ),
    );
    worktrees.forEach((wt, i) => {
      agentCommit(wt.path, `p${i}.txt`, `${i}\n`, `parallel ${i}`);
    });
    const results = await Promise.all(worktrees.map((wt) => wt.finish()));
    expect(results.map((r) => r.kind)).toEqual(['merged', 'merged', 'merged']);
    for (const i of [0, 1, 2]) expect(repo.read(`p${i}.txt`)).toBe(`${i}\n`);
    expect(gitIn(repo.root, 'fsck', '--strict')).toBe('');
    expect(gitIn(repo.root, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('never writes a global git config (HOME is a temp dir here; it stays empty of git files)', async () => {
    repo = makeRepo({ 'shared.txt': 'base\n' });
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    agentCommit(wt.path, 'x.txt', 'x', 'x');
    repo.write('y.txt', 'y');
    repo.commitAll('host y'); // forces a real merge commit, which needs an identity
    expect(await wt.finish()).toMatchObject({ kind: 'merged' });
    expect(gitIn(repo.root, 'log', '-1', '--format=%an <%ae>')).toBe('factory <factory@localhost>');
    expect(existsSync(join(home.home, '.gitconfig'))).toBe(false);
    expect(existsSync(join(home.home, '.config/git'))).toBe(false);
    expect(statSync(join(repo.root, '.git/config')).size).toBeGreaterThan(0);
    expect(readFileSync(join(repo.root, '.git/config'), 'utf8')).not.toContain('[user]');
  });
});
