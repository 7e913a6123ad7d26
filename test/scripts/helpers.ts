import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { REPO_ROOT } from '../helpers/cli.js';

const HOLD_LOCK = join(REPO_ROOT, 'test/fixtures/apt/hold-lock.pl');

/** A process holding fcntl locks on `files` (as apt does) until release(). */
export async function holdLocks(files: string[]) {
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn('perl', [HOLD_LOCK, ...files], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => d.includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`hold-lock.pl exited ${code}`)));
  });
  const gone = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    pid: child.pid as number,
    release: async () => {
      child.stdin.end();
      await gone;
    },
  };
}
