/**
 * A private copy of examples/diffie for one test file: the tracked files copied into a temp dir
 * (so instance state, .dev.vars and node_modules never touch the repository), set up once with the
 * real `factory setup`. `dispose()` stops every instance it started and removes the directory.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, runFactory, type RunResult } from '../helpers/cli.js';

export const DIFFIE_SRC = join(REPO_ROOT, 'examples', 'diffie');

/** Copy the git-tracked files of examples/diffie (plus untracked ones not ignored) to `dest`. */
export function copyDiffie(dest: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '.'], {
    cwd: DIFFIE_SRC,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    cpSync(join(DIFFIE_SRC, f), join(dest, f), { preserveTimestamps: true });
  }
}

export interface DiffieFixture {
  dir: string;
  factory(args: string[], timeoutMs?: number): Promise<RunResult>;
  /** Instances to stop on dispose. */
  track(worktreeId: string): void;
  dispose(): Promise<void>;
}

/** `env` is added to every factory call (a private machine state dir, say). */
export async function diffieFixture(env: Record<string, string> = {}): Promise<DiffieFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'factory-diffie-'));
  copyDiffie(dir);
  const tracked = new Set<string>();
  const factory = (args: string[], timeoutMs = 120_000) => runFactory(args, { cwd: dir, timeoutMs, env });
  return {
    dir,
    factory,
    track: (id) => tracked.add(id),
    async dispose() {
      for (const id of tracked) await factory(['stop', '--worktree-id', id]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
