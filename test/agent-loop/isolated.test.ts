/**
 * run() with an ISOLATED sandbox (own filesystem, like a VM): the branch goes in as a git clone, the
 * agent commits inside, the commits come back as a git bundle and merge on the host. The box is
 * bwrap with a private root and nothing of the host repo visible.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeCode } from '../../src/agent-loop/providers/index.js';
import { run } from '../../src/agent-loop/run.js';
import { defineSandboxProvider, runProcess } from '../../src/sandboxes/index.js';
import type { Sandbox, SandboxProvider } from '../../src/sandboxes/types.js';
import { FAKE_AGENT, git, makeRepo, scripted, type TestRepo } from './helpers.js';

const BOX = '/tmp/box';
/** The box's "image" has the agent CLI installed (the checkout may itself live under /tmp). */
const AGENT_DIR = dirname(FAKE_AGENT);
const dirs: string[] = [];
let repo: TestRepo | undefined;
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  repo?.cleanup();
  repo = undefined;
});

function isolatedBox(): SandboxProvider {
  return defineSandboxProvider({
    name: 'box',
    kind: 'isolated',
    available: async () => ({ ok: true }),
    create: async (options) => {
      const root = realpathSync(mkdtempSync(join(tmpdir(), 'factory-agent-box-')));
      dirs.push(root);
      const toHost = (p: string): string => join(root, relative(BOX, p));
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: BOX, GIT_AUTHOR_NAME: 'Boxed', GIT_AUTHOR_EMAIL: 'b@box.invalid', GIT_COMMITTER_NAME: 'Boxed', GIT_COMMITTER_EMAIL: 'b@box.invalid', ...options.env };
      const spawn: Sandbox['spawn'] = (argv, o = {}) =>
        runProcess(
          {
            argv: ['bwrap', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/root', '--ro-bind', AGENT_DIR, AGENT_DIR, '--bind', root, BOX, '--unshare-pid', '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--chdir', o.cwd ?? BOX, '--', ...argv],
            cwd: root,
            env: { ...env, ...o.env },
          },
          o,
        );
      const copy = async (from: string, to: string) => {
        await mkdir(dirname(to), { recursive: true });
        await cp(from, to, { recursive: true });
      };
      return {
        provider: 'box',
        kind: 'isolated',
        worktreePath: '',
        workdir: BOX,
        home: BOX,
        hostHome: root,
        spawn,
        exec: (argv, o) => spawn(argv, o).done,
        copyIn: (host, inside) => copy(host, toHost(inside)),
        copyOut: (inside, host) => copy(toHost(inside), host),
        close: async () => {},
        [Symbol.asyncDispose]: async () => {},
      };
    },
  });
}

describe('run() in an isolated sandbox', () => {
  it('clones in, the agent commits inside, commits come back and merge', async () => {
    repo = makeRepo({ 'app.txt': 'v1\n' });
    const result = await run({
      agent: claudeCode(undefined, { binary: FAKE_AGENT }),
      sandbox: isolatedBox(),
      cwd: repo.repo,
      branchStrategy: { type: 'merge-to-head' },
      promptTemplate: scripted([{ run: ['pwd'] }, { write: 'app.txt', content: 'v2\n' }, { commit: 'bump inside the box' }, { say: '<promise>COMPLETE</promise>' }], 'repo seen as !`pwd`'),
      env: { FAKE_AGENT_FORMAT: 'claude' },
      preflight: false,
    });
    expect(result.text).toBe('<promise>COMPLETE</promise>');
    expect(result.commits.map((c) => c.subject)).toEqual(['bump inside the box']);
    expect(result.merge).toMatchObject({ kind: 'merged', into: 'main' });
    expect(readFileSync(join(repo.repo, 'app.txt'), 'utf8')).toBe('v2\n');
    expect(git(repo.repo, 'log', '-1', '--format=%an')).toBe('Boxed');
  });
});
