import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineSandboxProvider } from '../../src/sandboxes/providers/custom.js';
import { syncIn, syncOut } from '../../src/sandboxes/isolated-sync.js';
import { runProcess } from '../../src/sandboxes/run-process.js';
import { createSandbox } from '../../src/sandboxes/sandbox.js';
import { createWorktree } from '../../src/sandboxes/worktree.js';
import type { Sandbox, SandboxProvider } from '../../src/sandboxes/types.js';
import { gitIn, isolateHome, makeRepo, type TempRepo } from './helpers.js';

/**
 * An isolated provider made of bwrap with a private root at /tmp/box and nothing of the host repo
 * visible: the way a VM or cloud sandbox sees the world. Work crosses only through git bundles.
 */
const BOX = '/tmp/box';

function isolatedBwrap(dirs: string[]): SandboxProvider {
  return defineSandboxProvider({
    name: 'isolated-bwrap',
    kind: 'isolated',
    available: async () => ({ ok: true }),
    create: async () => {
      const root = realpathSync(mkdtempSync(join(tmpdir(), 'factory-box-')));
      dirs.push(root);
      const toHost = (p: string): string => join(root, relative(BOX, p));
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: BOX,
        GIT_AUTHOR_NAME: 'Boxed Agent',
        GIT_AUTHOR_EMAIL: 'agent@box.invalid',
        GIT_COMMITTER_NAME: 'Boxed Agent',
        GIT_COMMITTER_EMAIL: 'agent@box.invalid',
      };
      const spawn: Sandbox['spawn'] = (argv, options = {}) =>
        runProcess(
          {
            argv: ['bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/root',
              '--bind', root, BOX, '--unshare-pid', '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
              '--chdir', options.cwd ?? BOX, '--', ...argv],
            cwd: root,
            env: { ...env, ...options.env },
          },
          options,
        );
      const copy = async (from: string, to: string) => {
        await mkdir(dirname(to), { recursive: true });
        await cp(from, to, { recursive: true });
      };
      const sandbox: Sandbox = {
        provider: 'isolated-bwrap',
        kind: 'isolated',
        worktreePath: '',
        workdir: BOX,
        home: BOX,
        hostHome: root,
        spawn,
        exec: (argv, options) => spawn(argv, options).done,
        copyIn: (host, inside) => copy(host, toHost(inside)),
        copyOut: (inside, host) => copy(toHost(inside), host),
        close: async () => {},
        [Symbol.asyncDispose]: async () => {},
      };
      return sandbox;
    },
  });
}

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
    const sandbox = await createSandbox({ provider: isolatedBwrap(dirs), worktree: wt });
    // The host repo is not visible inside at all.
    expect((await sandbox.exec(['test', '-e', repo.root])).exitCode).toBe(1);
    await syncIn(sandbox, wt, `${BOX}/repo`);
    const work = await sandbox.exec(['sh', '-c', 'cat app.txt && echo v2 > app.txt && git commit -qam "bump to v2" && echo new > new.txt && git add new.txt && git commit -qm "add new"'], {
      cwd: `${BOX}/repo`,
    });
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
    const sandbox = await createSandbox({ provider: isolatedBwrap(dirs), worktree: wt });
    await syncIn(sandbox, wt, `${BOX}/repo`);
    expect(await syncOut(sandbox, wt, `${BOX}/repo`)).toEqual([]);
    expect(await wt.finish()).toEqual({ kind: 'no-changes', branch: 'agent/idle' });
  });
});
