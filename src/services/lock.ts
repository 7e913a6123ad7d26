/**
 * Short critical sections across processes (the lease registry, one instance's start): a lock
 * with proper-lockfile (an atomic `mkdir <file>.lock`, refreshed while held, considered stale when
 * not refreshed for STALE_MS — so a holder killed with SIGKILL blocks others for seconds, not forever).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

const STALE_MS = 3_000;
const UPDATE_MS = 1_000;

export async function withLock<T>(file: string, what: string, fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let release: (() => Promise<void>) | undefined;
  let delay = 5;
  while (!release) {
    try {
      release = await lockfile.lock(file, { realpath: false, stale: STALE_MS, update: UPDATE_MS, retries: 0 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (Date.now() > deadline) {
        throw new FactoryFailure('lock-timeout', `timed out waiting for the ${what} lock (${file}.lock)`, {
          exitCode: ExitCode.unavailable,
          hint: 'another factory command holds it; if none runs, remove the .lock directory',
        });
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(100, Math.ceil(delay * 1.5));
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
