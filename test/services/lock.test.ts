/** Cross-process locks (src/services/lock.ts) with the real proper-lockfile on a real directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withLock } from '../../src/services/lock.js';
import { until } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'factory-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('withLock', () => {
  it('serializes holders', async () => {
    const file = join(dir, 'reg.json');
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((n) =>
        withLock(file, 'test', async () => {
          order.push(`${n}>`);
          await new Promise((r) => setTimeout(r, 20));
          order.push(`<${n}`);
        }),
      ),
    );
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(`<${order[i]?.slice(0, 1)}`);
  });

  it('a lock taken over while held fails the call with lock-lost instead of crashing the process', async () => {
    const file = join(dir, 'reg.json');
    const call = withLock(file, 'test', async (signal) => {
      // What another process does when it finds the lock stale: remove it (and take it).
      rmSync(`${file}.lock`, { recursive: true, force: true });
      await until('the takeover to be noticed', () => signal.aborted);
      return 'unreliable';
    });
    await expect(call).rejects.toMatchObject({ code: 'lock-lost', exitCode: 3 });
    // The lock is usable again afterwards.
    await expect(withLock(file, 'test', async () => 'ok')).resolves.toBe('ok');
  });
});
