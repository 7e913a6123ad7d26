/**
 * Fixed-port blocks inside a test run's port window (./port-window.ts). A test file that passes
 * --port-range asks for `basePort(slot)`; the slot number only tells its blocks apart. Each block
 * is claimed for the file's worker process (vitest runs every file in a process of its own) under
 * a lock in the run's state dir, and is free again once that process is gone. So files running
 * at the same time never share ports, whatever numbers their authors picked, and a run needs
 * only as many blocks as files that run at once use.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { identityOf, processAlive, type ProcessIdentity } from '../../src/services/proc.js';
import { SLOTS } from './port-window.js';

const BLOCK = 100;
// A block frees up when a file finishes: wait as long as the longest e2e file runs (the 30-job
// scale test takes minutes under load), not less.
const WAIT_MS = 10 * 60_000;

const claimed = new Map<number, number>();
/** Blocks this file (this evaluation of the module) holds. */
const mine = new Set<number>();

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withLockSync<T>(file: string, fn: () => T): T {
  for (;;) {
    let release: (() => void) | undefined;
    try {
      release = lockfile.lockSync(file, { realpath: false, stale: 10_000 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      sleepSync(5);
      continue;
    }
    try {
      return fn();
    } finally {
      release();
    }
  }
}

function holder(file: string): (ProcessIdentity & { slot: number }) | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProcessIdentity & { slot: number };
  } catch {
    return undefined;
  }
}

/** First port of the block this process uses for `slot`, claiming a free block the first time. */
export function slotBase(slot: number, env: NodeJS.ProcessEnv = process.env): number {
  const known = claimed.get(slot);
  if (known !== undefined) return known;
  const base = Number(env.FACTORY_TEST_PORT_BASE);
  if (!Number.isInteger(base) || !env.FACTORY_STATE_HOME)
    throw new Error('FACTORY_TEST_PORT_BASE / FACTORY_STATE_HOME are not set: run tests through vitest.config.ts');
  const dir = join(env.FACTORY_STATE_HOME, 'test-port-slots');
  mkdirSync(dir, { recursive: true });
  const me = identityOf(process.pid) ?? { pid: process.pid, startTime: -1 };
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const block = withLockSync(join(dir, 'blocks'), () => {
      for (let b = 0; b < SLOTS; b++) {
        const file = join(dir, `${b}.json`);
        const held = holder(file);
        // vitest may run several files one after another in one worker process: a block this
        // process claimed for an earlier file (not in this file's `claimed`) is free again.
        const earlierFileOfMine = held?.pid === me.pid && held.startTime === me.startTime && !mine.has(b);
        if (held && processAlive(held) && !earlierFileOfMine) continue;
        mine.add(b);
        writeFileSync(file, JSON.stringify({ ...me, slot }));
        return b;
      }
      return undefined;
    });
    if (block !== undefined) {
      const port = base + block * BLOCK;
      claimed.set(slot, port);
      return port;
    }
    if (Date.now() > deadline)
      throw new Error(`all ${SLOTS} fixed-port blocks of this run (${dir}) stay claimed by running test files`);
    sleepSync(200);
  }
}
