/**
 * An isolated sandbox provider for tests: bwrap with a private root mounted at /tmp/box and nothing
 * of the host repo visible — the way a VM or cloud sandbox sees the world. Work crosses only
 * through copyIn/copyOut (git bundles, in the agent loop).
 */
import { mkdtempSync, realpathSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { defineSandboxProvider } from '../../src/sandboxes/providers/custom.js';
import { runProcess } from '../../src/sandboxes/run-process.js';
import type { Sandbox, SandboxProvider } from '../../src/sandboxes/types.js';

export const BOX = '/tmp/box';

export interface BoxOptions {
  /** Each box's host root is pushed here, for the test to remove. */
  dirs: string[];
  /** Host directories the box's "image" has, read-only at the same path (e.g. an installed agent CLI). */
  readOnly?: string[];
  /** Commit identity inside the box. */
  identity?: { name: string; email: string };
}

export function isolatedBox({
  dirs,
  readOnly = [],
  identity = { name: 'Boxed Agent', email: 'agent@box.invalid' },
}: BoxOptions): SandboxProvider {
  return defineSandboxProvider({
    name: 'isolated-bwrap',
    kind: 'isolated',
    available: async () => ({ ok: true }),
    create: async (options) => {
      const root = realpathSync(mkdtempSync(join(tmpdir(), 'factory-box-')));
      dirs.push(root);
      const toHost = (p: string): string => join(root, relative(BOX, p));
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: BOX,
        GIT_AUTHOR_NAME: identity.name,
        GIT_AUTHOR_EMAIL: identity.email,
        GIT_COMMITTER_NAME: identity.name,
        GIT_COMMITTER_EMAIL: identity.email,
        ...options.env,
      };
      const spawn: Sandbox['spawn'] = (argv, o = {}) =>
        runProcess(
          {
            argv: [
              'bwrap',
              '--ro-bind',
              '/',
              '/',
              '--dev',
              '/dev',
              '--proc',
              '/proc',
              '--tmpfs',
              '/tmp',
              '--tmpfs',
              '/root',
              ...readOnly.flatMap((d) => ['--ro-bind', d, d]),
              '--bind',
              root,
              BOX,
              '--unshare-pid',
              '--die-with-parent',
              '--new-session',
              '--cap-drop',
              'ALL',
              '--chdir',
              o.cwd ?? BOX,
              '--',
              ...argv,
            ],
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
        provider: 'isolated-bwrap',
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
