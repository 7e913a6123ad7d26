/**
 * The README's two commands keep install output to themselves unless a step fails
 * (scripts/lib.sh `quietly`), and find who holds apt's lock from /proc/locks.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { holdLocks } from './helpers.js';

const LIB = join(REPO_ROOT, 'scripts/lib.sh');

function bash(script: string, env: Record<string, string> = {}) {
  return spawnSync('bash', ['-c', `set -euo pipefail; source ${JSON.stringify(LIB)}; ${script}`], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('quietly', () => {
  it('says nothing when the step succeeds and leaves no log behind', () => {
    dir = mkdtempSync(join(tmpdir(), 'factory-quietly-'));
    const r = bash(
      'quietly "npm ci" sh -c "echo added 300 packages; echo debconf: delaying package configuration >&2"',
      {
        TMPDIR: dir,
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    expect(execFileSync('ls', [dir], { encoding: 'utf8' })).toBe('');
  });

  it("on failure shows the tail of the step's output, keeps the whole log, returns its status", () => {
    dir = mkdtempSync(join(tmpdir(), 'factory-quietly-'));
    const r = bash(
      "quietly 'apt-get install' sh -c 'for i in $(seq 1 60); do echo line $i; done; echo E: broken >&2; exit 100'",
      {
        TMPDIR: dir,
        FACTORY_TAIL_LINES: '3',
      },
    );
    expect(r.status).toBe(100);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'factory: apt-get install failed (exit 100); its last lines:',
      '  | line 59',
      '  | line 60',
      '  | E: broken',
    ]);
    const log = /all of its output: (\S+)$/.exec(lines[4] ?? '')?.[1] as string;
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, 'utf8')).toContain('line 1\n');
  });
});

describe('apt_lock_holder', () => {
  it('names the process holding an fcntl lock on one of the lock files, and nothing once it is gone', async () => {
    dir = mkdtempSync(join(tmpdir(), 'factory-locks-'));
    const lock = join(dir, 'lock-frontend');
    writeFileSync(lock, '');
    const holder = await holdLocks([lock]);
    const script = `APT_LOCK_FILES=(${JSON.stringify(join(dir, 'absent'))} ${JSON.stringify(lock)}); apt_lock_holder`;
    try {
      expect(bash(script).stdout).toBe(`${holder.pid} (perl) on ${lock}\n`);
    } finally {
      await holder.release();
    }
    expect(bash(script).stdout).toBe('');
  });
});

describe('ensure_npm_packages', () => {
  /** A project whose one dependency is a local folder: real `npm ci`, nothing from the network. */
  function project(): string {
    dir = mkdtempSync(join(tmpdir(), 'factory-npm-'));
    execFileSync('mkdir', ['-p', join(dir, 'dep')]);
    writeFileSync(join(dir, 'dep', 'package.json'), '{"name":"dep","version":"1.0.0"}');
    writeFileSync(join(dir, 'package.json'), '{"name":"p","version":"1.0.0","dependencies":{"dep":"file:./dep"}}');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--package-lock-only'], { cwd: dir, stdio: 'ignore' });
    return dir;
  }
  const marker = (d: string) => join(d, 'node_modules', '.package-lock.json');

  it('installs when node_modules is missing, quietly, and again only when the lockfile is newer', () => {
    const d = project();
    const first = spawnSync(
      'bash',
      ['-c', `source ${JSON.stringify(LIB)}; cd ${JSON.stringify(d)}; ensure_npm_packages`],
      {
        encoding: 'utf8',
      },
    );
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout + first.stderr).toBe('');
    expect(existsSync(marker(d))).toBe(true);

    rmSync(join(d, 'node_modules', 'dep'));
    const again = spawnSync('bash', [
      '-c',
      `source ${JSON.stringify(LIB)}; cd ${JSON.stringify(d)}; ensure_npm_packages`,
    ]);
    expect(again.status).toBe(0);
    expect(existsSync(join(d, 'node_modules', 'dep'))).toBe(false); // up to date: npm ci did not run

    execFileSync('touch', ['-d', '+1 minute', join(d, 'package-lock.json')]);
    const stale = spawnSync(
      'bash',
      ['-c', `source ${JSON.stringify(LIB)}; cd ${JSON.stringify(d)}; NPM_CI_STEP=echo ensure_npm_packages`],
      {
        encoding: 'utf8',
      },
    );
    expect(stale.status, stale.stderr).toBe(0);
    expect(stale.stdout).toBe('npm ci\n');
    expect(existsSync(join(d, 'node_modules', 'dep'))).toBe(true);
  });
});
