/**
 * scripts/ensure-system.sh, the README's system-package step, against the real apt while another
 * process holds the package manager's locks the way apt does (fcntl, test/fixtures/apt/hold-lock.pl).
 * Runs only as root where apt-get is. The install path installs `hello` (53 KB, needs only libc6)
 * and purges it afterwards; nothing else is installed or reinstalled.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { holdLocks } from './helpers.js';

const SCRIPT = join(REPO_ROOT, 'scripts/ensure-system.sh');
const LOCKS = ['/var/lib/dpkg/lock-frontend', '/var/lib/apt/lists/lock'];
const root = process.getuid?.() === 0;
const apt = spawnSync('sh', ['-c', 'command -v apt-get && command -v perl'], { encoding: 'utf8' }).status === 0;
const helloInstalled = spawnSync('sh', ['-c', 'command -v hello'], { encoding: 'utf8' }).status === 0;
const helloAvailable =
  apt && /Candidate: (?!\(none\))/.test(spawnSync('apt-cache', ['policy', 'hello'], { encoding: 'utf8' }).stdout);

interface Running {
  stderr: () => string;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** The script's TMPDIR: the log of a failed install (kept on purpose) lands here, removed at the end. */
const scratch = mkdtempSync(join(tmpdir(), 'factory-ensure-system-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function ensure(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn('bash', [SCRIPT, ...args], {
    env: { ...process.env, TMPDIR: scratch, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return {
    stderr: () => stderr,
    done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))),
  };
}

/** Resolves once `cond` holds, checking as output arrives (bounded by the test's timeout). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 50));
}

let installedHello = false;
afterAll(() => {
  if (installedHello)
    spawnSync('apt-get', ['purge', '-y', '-q', '-o', 'DPkg::Lock::Timeout=300', 'hello'], { stdio: 'ignore' });
});

describe.skipIf(!root || !apt)('ensure-system.sh while another package manager holds the lock', () => {
  it('nothing to install: exits 0 at once and silently, without touching apt', async () => {
    const holder = await holdLocks(LOCKS);
    try {
      const r = await ensure(['git=git', '/usr/bin/en*=coreutils']).done;
      expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    } finally {
      await holder.release();
    }
  });

  it('gives up after FACTORY_APT_LOCK_TIMEOUT with the holder named and a hint, before running apt', async () => {
    const holder = await holdLocks(LOCKS);
    try {
      const r = await ensure(['factory-absent-command=hello'], { FACTORY_APT_LOCK_TIMEOUT: '1' }).done;
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`pid ${holder.pid} (perl) on /var/lib/dpkg/lock-frontend still holds its lock`);
      expect(r.stderr).toContain(
        'hint: let it finish (or stop it) and run this again; FACTORY_APT_LOCK_TIMEOUT=SECONDS',
      );
    } finally {
      await holder.release();
    }
  });

  it.skipIf(helloInstalled || !helloAvailable)(
    'waits (saying so) while the lock is held, then installs, with none of apt’s output',
    async () => {
      const holder = await holdLocks(LOCKS);
      let running: Running;
      try {
        running = ensure(['hello=hello']);
        installedHello = true;
        // The script has seen the lock held by our holder: only then let it go.
        await until(() =>
          running.stderr().includes(`waiting for another package manager to finish (pid ${holder.pid}`),
        );
      } finally {
        await holder.release();
      }
      const r = await running.done;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe('factory: installing Debian packages: hello');
      expect(lines[1]).toMatch(
        new RegExp(
          `^factory: waiting for another package manager to finish \\(pid ${holder.pid} \\(perl\\) on /var/lib/dpkg/lock-frontend\\): \\d+ s so far, at most 600 s$`,
        ),
      );
      expect(lines.at(-1)).toMatch(/^factory: the package manager is free after \d+ s$/);
      expect(lines.every((l) => l.startsWith('factory: '))).toBe(true); // no apt or debconf noise
      expect(spawnSync('sh', ['-c', 'command -v hello']).status).toBe(0);
    },
    300_000,
  );

  it('a failing install shows the tail of apt’s output', async () => {
    const r = await ensure(['factory-absent-command=factory-no-such-package']).done;
    expect(r.code).toBe(100);
    expect(r.stderr).toMatch(/^factory: installing Debian packages: factory-no-such-package\n/);
    expect(r.stderr).toContain('factory: apt-get install factory-no-such-package failed (exit 100); its last lines:\n');
    expect(r.stderr).toContain('  | E: Unable to locate package factory-no-such-package');
  }, 300_000);
});
