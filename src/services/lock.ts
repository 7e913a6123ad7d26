/**
 * Short critical sections across processes (the lease registry, one instance's start): a lock
 * with proper-lockfile (an atomic `mkdir <file>.lock`, refreshed while held, considered stale when
 * not refreshed for STALE_MS — so a holder killed with SIGKILL blocks others for seconds, not forever).
 *
 * A holder whose refresh is late by more than STALE_MS (an event loop blocked on a loaded machine)
 * may find its lock taken over: proper-lockfile calls that "compromised", and by default throws it
 * from a timer (an uncaught exception). Here it aborts the signal `fn` gets and makes `withLock`
 * fail with `lock-lost` once `fn` returns: the caller's result cannot be trusted.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

/** proper-lockfile's own default: long enough that a busy 2-core machine does not lose a held lock. */
export const STALE_MS = 10_000;
const UPDATE_MS = 2_000;

export async function withLock<T>(
  file: string,
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
  timeoutMs = 30_000,
): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  const lost = new AbortController();
  let release: (() => Promise<void>) | undefined;
  let delay = 5;
  while (!release) {
    try {
      release = await lockfile.lock(file, {
        realpath: false,
        stale: STALE_MS,
        update: UPDATE_MS,
        retries: 0,
        onCompromised: (error) => lost.abort(error),
      });
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
  let out: T;
  try {
    out = await fn(lost.signal);
  } finally {
    await release().catch(() => undefined);
  }
  if (lost.signal.aborted) {
    throw new FactoryFailure('lock-lost', `the ${what} lock (${file}.lock) was taken over while this command held it`, {
      exitCode: ExitCode.unavailable,
      hint: `it was not refreshed for ${STALE_MS / 1000} s (an overloaded machine?); run the command again`,
    });
  }
  return out;
}
