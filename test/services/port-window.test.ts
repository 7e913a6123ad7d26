/**
 * Test runs claim port windows machine-wide (test/helpers/port-window.ts), so two `npm test` runs
 * from two checkouts on one machine never share ports, and neither uses the ports real instances
 * lease (the default port pool).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePool, portPool } from '../../src/services/port-pool.js';
import { identityOf, processAlive } from '../../src/services/proc.js';
import {
  claimPortWindow,
  POOL_SIZE,
  poolOf,
  portWindowForRun,
  releasePortWindow,
  SLOTS,
  WINDOW_COUNT,
  WINDOW_FIRST,
  WINDOW_SIZE,
} from '../helpers/port-window.js';
import { basePort, until } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'factory-windows-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const me = () => identityOf(process.pid) as { pid: number; startTime: number };
const overlaps = (a: { low: number; high: number }, b: { low: number; high: number }) =>
  a.low <= b.high && b.low <= a.high;

describe('test port windows', () => {
  it('two runs get two disjoint windows, outside the pool real instances lease from', async () => {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const otherRun = await until('another run', () => identityOf(other.pid as number));
      const a = await claimPortWindow(dir, me());
      const b = await claimPortWindow(dir, otherRun);
      expect([a.base, b.base]).toEqual([WINDOW_FIRST, WINDOW_FIRST + WINDOW_SIZE]);
      const real = portPool({}).ranges;
      for (const w of [a, b]) {
        const window = { low: w.base, high: w.base + WINDOW_SIZE - 1 };
        expect(real.some((r) => overlaps(r, window))).toBe(false);
        expect(parsePool(w.pool)).toEqual([{ low: window.high - POOL_SIZE + 1, high: window.high }]);
      }
      // The other run is killed with -9: its window is free again for the next run.
      other.kill('SIGKILL');
      await until('the other run to be gone', () => !processAlive(otherRun));
      expect((await claimPortWindow(dir, me())).base).toBe(b.base);
      await releasePortWindow(a.claim, me());
      expect(existsSync(a.claim)).toBe(false);
      expect((await claimPortWindow(dir, me())).base).toBe(a.base);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('says so when every window is taken, and only the holder releases one', async () => {
    for (let i = 0; i < WINDOW_COUNT; i++) await claimPortWindow(dir, me());
    await expect(claimPortWindow(dir, me())).rejects.toThrow(/every test port window is claimed by a running test run/);
    const first = join(dir, `${WINDOW_FIRST}.json`);
    await releasePortWindow(first, { pid: me().pid, startTime: me().startTime + 1 });
    expect(existsSync(first)).toBe(true);
  });

  it('FACTORY_TEST_PORT_BASE given by hand is used as it is; a bad one is refused', async () => {
    const env: NodeJS.ProcessEnv = { FACTORY_TEST_PORT_BASE: '15000' };
    expect(await portWindowForRun(env)).toEqual({ base: 15_000, pool: poolOf(15_000), claim: '' });
    expect(env.FACTORY_PORT_POOL).toBe('16700-16999');
    await expect(portWindowForRun({ FACTORY_TEST_PORT_BASE: '65000' })).rejects.toThrow(/must be a port from 1024/);
  });

  it("this run's slots and default-lease pool lie in its window, below the pool", () => {
    const base = Number(process.env.FACTORY_TEST_PORT_BASE);
    expect(basePort(SLOTS - 1) + 99).toBeLessThan(parsePool(process.env.FACTORY_PORT_POOL as string)[0]?.low as number);
    expect(() => basePort(SLOTS)).toThrow(new RegExp(`slots 0–${SLOTS - 1}`));
    expect(basePort(SLOTS - 1)).toBe(base + (SLOTS - 1) * 100);
    if (process.env.FACTORY_TEST_PORT_CLAIM) {
      // Claimed automatically: a window of the shared range, held by this run's vitest process.
      expect((base - WINDOW_FIRST) % WINDOW_SIZE).toBe(0);
      expect(existsSync(process.env.FACTORY_TEST_PORT_CLAIM)).toBe(true);
    }
  });
});
