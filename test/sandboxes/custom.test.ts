import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineSandboxProvider, wrapperProvider } from '../../src/sandboxes/providers/custom.js';
import { noSandbox } from '../../src/sandboxes/providers/none.js';
import { runProcess } from '../../src/sandboxes/run-process.js';
import { createSandbox } from '../../src/sandboxes/sandbox.js';
import { sandboxProviderByName } from '../../src/sandboxes/index.js';
import { createWorktree } from '../../src/sandboxes/worktree.js';
import type { Sandbox, SandboxProvider } from '../../src/sandboxes/types.js';
import { makeRepo, survivorsAfter, uniqueSleepSeconds, type TempRepo } from './helpers.js';

let repo: TempRepo | undefined;
const open: Sandbox[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  repo?.cleanup();
});

describe('custom sandbox providers through the library API', () => {
  it('wrapperProvider: your command prefix, factory’s process handling', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const provider = wrapperProvider({
      name: 'niced',
      wrap: (argv, { cwd, env }) => ({ argv: ['nice', '-n', '7', ...argv], cwd, env }),
    });
    const sandbox = await createSandbox({ provider, worktree: wt });
    open.push(sandbox);
    expect(sandbox.provider).toBe('niced');
    expect((await sandbox.exec(['nice'])).stdout).toBe('7\n');
    const n = uniqueSleepSeconds();
    const result = await sandbox.exec(['sh', '-c', `sleep ${n} & echo up; wait`], { timeoutMs: 1_000 });
    expect(result).toMatchObject({ timedOut: true, stdout: 'up\n' });
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
  });

  it('defineSandboxProvider accepts a hand-written isolated provider (own filesystem, copyIn/copyOut)', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const isolated: SandboxProvider = {
      name: 'tempdir',
      kind: 'isolated',
      available: async () => ({ ok: true }),
      create: async () => {
        const root = mkdtempSync(join(tmpdir(), 'factory-isolated-'));
        dirs.push(root);
        const inside = (p: string): string => join(root, p);
        const exec: Sandbox['exec'] = (argv, options = {}) =>
          runProcess({ argv, cwd: inside(options.cwd ?? '/'), env: { PATH: process.env.PATH ?? '' } }, options).done;
        const copy = async (from: string, to: string) => {
          await mkdir(dirname(to), { recursive: true });
          await cp(from, to, { recursive: true });
        };
        const sandbox: Sandbox = {
          provider: 'tempdir',
          kind: 'isolated',
          worktreePath: wt.path,
          workdir: '/',
          home: '/',
          hostHome: root,
          exec,
          spawn: (argv, options = {}) => runProcess({ argv, cwd: inside(options.cwd ?? '/'), env: {} }, options),
          copyIn: (host, sb) => copy(host, inside(sb)),
          copyOut: (sb, host) => copy(inside(sb), host),
          close: async () => {},
          [Symbol.asyncDispose]: async () => {},
        };
        return sandbox;
      },
    };
    const sandbox = await createSandbox({ provider: defineSandboxProvider(isolated), worktree: wt });
    await sandbox.copyIn(join(wt.path, 'README.md'), 'repo/README.md');
    expect((await sandbox.exec(['cat', 'README.md'], { cwd: 'repo' })).stdout).toBe('# test repo\n');
    await sandbox.exec(['sh', '-c', 'echo changed > README.md'], { cwd: 'repo' });
    await sandbox.copyOut('repo/README.md', join(wt.path, 'README.md'));
    expect(readFileSync(join(wt.path, 'README.md'), 'utf8')).toBe('changed\n');
  });

  it('defineSandboxProvider rejects malformed providers and sandboxes early', async () => {
    expect(() => defineSandboxProvider({ name: '', kind: 'bind-mount' } as unknown as SandboxProvider)).toThrow(
      /non-empty name/,
    );
    expect(() => defineSandboxProvider({ name: 'x', kind: 'vm' } as unknown as SandboxProvider)).toThrow(
      /kind must be/,
    );
    const broken = defineSandboxProvider({
      name: 'broken',
      kind: 'bind-mount',
      available: async () => ({ ok: true }),
      create: async () => ({ exec: async () => undefined }) as unknown as Sandbox,
    });
    await expect(broken.create({} as never)).rejects.toMatchObject({
      code: 'sandbox-provider-invalid',
      message: expect.stringContaining('spawn, copyIn, copyOut, close'),
    });
  });

  it('built-in providers by --sandbox name; an unknown name is a usage error with the list', () => {
    expect(sandboxProviderByName('bwrap').name).toBe('bwrap');
    expect(sandboxProviderByName('none').name).toBe('none');
    expect(() => sandboxProviderByName('vagrant')).toThrow(
      expect.objectContaining({ code: 'sandbox-provider-unknown', exitCode: 2 }),
    );
  });

  it('none: host env and HOME, process groups still killed whole', async () => {
    repo = makeRepo();
    const wt = await createWorktree({ repo: repo.root, branchStrategy: { type: 'merge-to-head' } });
    const sandbox = await createSandbox({ provider: noSandbox(), worktree: wt, env: { EXTRA: '1' } });
    open.push(sandbox);
    expect(sandbox.home).toBe(process.env.HOME);
    const result = await sandbox.exec(['sh', '-c', 'echo "$EXTRA $HOME"; pwd']);
    expect(result.stdout).toBe(`1 ${process.env.HOME}\n${wt.path}\n`);
    const n = uniqueSleepSeconds();
    const controller = new AbortController();
    const aborted = await sandbox.exec(['sh', '-c', `sh -c "sleep ${n}" & echo up; wait`], {
      signal: controller.signal,
      onStdout: () => controller.abort(),
    });
    expect(aborted.aborted).toBe(true);
    expect(await survivorsAfter(`sleep\0${n}`)).toEqual([]);
  });
});
