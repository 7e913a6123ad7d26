import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Real temp git repos for the sandbox tests. Commits made by the tests themselves carry their
 * identity with `-c`, so no config file anywhere is written.
 */

export const TEST_IDENTITY = ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid'];

export function sh(cwd: string, argv: string[], env: Record<string, string> = {}): string {
  const [file, ...args] = argv;
  return execFileSync(file as string, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trimEnd();
}

export function gitIn(cwd: string, ...args: string[]): string {
  return sh(cwd, ['git', ...TEST_IDENTITY, ...args]);
}

export interface TempRepo {
  root: string;
  write(rel: string, content: string): void;
  read(rel: string): string;
  commitAll(message: string, cwd?: string): string;
  cleanup(): void;
}

/** A repo on branch `main` with one commit holding README.md (and `files`). */
export function makeRepo(files: Record<string, string> = {}): TempRepo {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'factory-sbx-')));
  const root = join(base, 'repo');
  mkdirSync(root);
  gitIn(root, 'init', '-q', '-b', 'main');
  const write = (rel: string, content: string): void => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  };
  write('README.md', '# test repo\n');
  for (const [rel, content] of Object.entries(files)) write(rel, content);
  const commitAll = (message: string, cwd = root): string => {
    gitIn(cwd, 'add', '-A');
    gitIn(cwd, 'commit', '-q', '-m', message);
    return gitIn(cwd, 'rev-parse', 'HEAD');
  };
  commitAll('initial');
  return {
    root,
    write,
    read: (rel) => readFileSync(join(root, rel), 'utf8'),
    commitAll,
    cleanup: () => {
      // Worktrees may hold mount points only while a sandbox runs; by now everything is closed.
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Pids whose command line contains `marker` (zombies have an empty cmdline and do not count). */
export function pidsWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(marker) && Number(entry) !== process.pid) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/**
 * Waits until no process carries `marker`; returns the survivors after `deadlineMs`.
 * A SIGKILLed process disappears asynchronously (the kernel tears it down), hence the bounded wait.
 */
export async function survivorsAfter(marker: string, deadlineMs = 5_000): Promise<number[]> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const pids = pidsWithMarker(marker);
    if (pids.length === 0 || Date.now() > until) return pids;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A unique number for `sleep <n>` so a leaked process is found by its argv. */
let counter = 0;
export function uniqueSleepSeconds(): string {
  counter += 1;
  return String(900_000 + ((process.pid * 97 + counter * 13 + Date.now()) % 90_000));
}

/** Point HOME/XDG_CONFIG_HOME at a temp dir for this test file; returns it and a restore function. */
export function isolateHome(): { home: string; restore(): void } {
  const home = realpathSync(mkdtempSync(join(tmpdir(), 'factory-home-')));
  const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
  process.env.HOME = home;
  delete process.env.XDG_CONFIG_HOME;
  return {
    home,
    restore: () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
