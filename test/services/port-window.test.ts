/**
 * Test runs claim port windows machine-wide (test/helpers/port-window.ts), so two `npm test` runs
 * from two checkouts on one machine never share ports, and neither uses the ports real instances
 * lease (the default port pool).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { slotBase } from '../helpers/port-slots.js';
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

  it("a live claim of another size (another checkout's version) keeps its whole range", async () => {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const o = await until('another run', () => identityOf(other.pid as number));
      writeFileSync(join(dir, `${WINDOW_FIRST}.json`), JSON.stringify({ ...o, size: 2 * WINDOW_SIZE + 1 }));
      expect((await claimPortWindow(dir, me())).base).toBe(WINDOW_FIRST + 3 * WINDOW_SIZE);
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
    expect(env.FACTORY_PORT_POOL).toBe('15700-15999');
    await expect(portWindowForRun({ FACTORY_TEST_PORT_BASE: '65000' })).rejects.toThrow(/must be a port from 1024/);
  });

  it("a test file's blocks lie in the run's window below its pool, one per slot, while the file runs", () => {
    const base = Number(process.env.FACTORY_TEST_PORT_BASE);
    const poolLow = parsePool(process.env.FACTORY_PORT_POOL as string)[0]?.low as number;
    const a = basePort(501);
    const b = basePort(777);
    expect(a).not.toBe(b);
    expect(basePort(501)).toBe(a);
    for (const p of [a, b]) {
      expect((p - base) % 100).toBe(0);
      expect(p).toBeGreaterThanOrEqual(base);
      expect(p + 99).toBeLessThan(poolLow);
    }
    if (process.env.FACTORY_TEST_PORT_CLAIM) {
      // Claimed automatically: a window of the shared range, held by this run's vitest process.
      expect((base - WINDOW_FIRST) % WINDOW_SIZE).toBe(0);
      expect(existsSync(process.env.FACTORY_TEST_PORT_CLAIM)).toBe(true);
    }
  });

  it('a block of a file whose process is gone is free again; a running file keeps its blocks', async () => {
    const env = { FACTORY_TEST_PORT_BASE: '15000', FACTORY_STATE_HOME: dir };
    const running = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const live = await until('a running file', () => identityOf(running.pid as number));
      const blocks = join(dir, 'test-port-slots');
      mkdirSync(blocks, { recursive: true });
      for (let b = 0; b < SLOTS; b++)
        writeFileSync(
          join(blocks, `${b}.json`),
          JSON.stringify({ ...(b === 3 ? { pid: live.pid, startTime: 1 } : live), slot: b }),
        );
      // Block 3's holder is gone (a recycled pid: same pid, other start time); the others run.
      expect(slotBase(9001, env)).toBe(15_300);
      expect(JSON.parse(readFileSync(join(blocks, '3.json'), 'utf8'))).toMatchObject({ pid: process.pid, slot: 9001 });
    } finally {
      running.kill('SIGKILL');
    }
  });
});
