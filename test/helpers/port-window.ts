/**
 * A window of ports for one test run (or bench run), claimed machine-wide so that two `npm test`
 * runs from two checkouts on one machine never use the same ports, and neither uses ports real
 * instances lease.
 *
 * Windows are WINDOW_SIZE ports in 10000–19999: below the port pool real instances lease from
 * (20000 and up, src/services/port-pool.ts) and below the kernel's ephemeral range. Inside one:
 * - SLOTS blocks of 100 from the base, for tests that pass --port-range: each test file claims the
 *   blocks it uses while it runs (./port-slots.ts, test/services/helpers.ts basePort);
 * - the top POOL_SIZE ports are the run's FACTORY_PORT_POOL, where its private registry's
 *   default leases come from.
 * A claim is `<dir>/<base>.json` holding the claiming process (pid + start time) and the window's
 * size, written under a lock; a window is free when no live claim overlaps it (so checkouts of
 * different versions, with other window sizes, still stay apart), and a claim whose process is
 * gone (a run killed with -9) no longer counts.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLock } from '../../src/services/lock.js';
import { formatRange, portPool } from '../../src/services/port-pool.js';
import { identityOf, processAlive, type ProcessIdentity } from '../../src/services/proc.js';

export const WINDOW_FIRST = 10_000;
export const WINDOW_SIZE = 1_000;
export const WINDOW_COUNT = 10;
/** The top of each window: the run's default-lease pool (30 blocks of 10). */
export const POOL_SIZE = 300;
/** Fixed-port blocks of 100 below the pool, claimed by the test files running at the moment. */
export const SLOTS = (WINDOW_SIZE - POOL_SIZE) / 100;
/** How long a run waits for a window when every one is claimed (other runs end and free theirs). */
const WAIT_MS = 15 * 60_000;
export const CLAIMS_DIR = join(tmpdir(), 'factory-test-port-windows');

export interface PortWindow {
  base: number;
  /** FACTORY_PORT_POOL for the run's private registry. */
  pool: string;
  /** The claim file (empty when the window was given by FACTORY_TEST_PORT_BASE). */
  claim: string;
}

export const poolOf = (base: number) => `${base + WINDOW_SIZE - POOL_SIZE}-${base + WINDOW_SIZE - 1}`;

interface Claim extends ProcessIdentity {
  /** Ports from the file's base; claims written before sizes were recorded were 2,000 wide. */
  size?: number;
}

function readOwner(file: string): Claim | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Claim;
  } catch {
    return undefined;
  }
}

/** The live claims in `dir` as port ranges. */
function liveClaims(dir: string): { low: number; high: number; pid: number }[] {
  const out: { low: number; high: number; pid: number }[] = [];
  for (const f of readdirSync(dir)) {
    const base = Number(f.slice(0, -'.json'.length));
    if (!f.endsWith('.json') || !Number.isInteger(base)) continue;
    const held = readOwner(join(dir, f));
    if (held && processAlive(held)) out.push({ low: base, high: base + (held.size ?? 2_000) - 1, pid: held.pid });
  }
  return out;
}

/** Claim the first free window for `owner` (default: this process). */
export async function claimPortWindow(
  dir = CLAIMS_DIR,
  owner: ProcessIdentity = identityOf(process.pid) ?? { pid: process.pid, startTime: -1 },
): Promise<PortWindow> {
  return withLock(join(dir, 'claims'), 'test port window', async () => {
    const live = liveClaims(dir);
    for (let i = 0; i < WINDOW_COUNT; i++) {
      const base = WINDOW_FIRST + i * WINDOW_SIZE;
      const high = base + WINDOW_SIZE - 1;
      if (live.some((c) => c.low <= high && base <= c.high)) continue;
      const claim = join(dir, `${base}.json`);
      writeFileSync(claim, JSON.stringify({ pid: owner.pid, startTime: owner.startTime, size: WINDOW_SIZE }));
      return { base, pool: poolOf(base), claim };
    }
    const holders = live.map((c) => `${c.low}–${c.high} (pid ${c.pid})`);
    throw new Error(
      `every test port window is claimed by a running test run: ${holders.join(', ')} (${dir}); wait for one, or set FACTORY_TEST_PORT_BASE`,
    );
  });
}

/** Give the window back, if `owner` still holds it. */
export async function releasePortWindow(
  claim: string,
  owner: ProcessIdentity = identityOf(process.pid) ?? { pid: process.pid, startTime: -1 },
): Promise<void> {
  if (!claim) return;
  await withLock(join(claim, '..', 'claims'), 'test port window', async () => {
    const held = readOwner(claim);
    if (held && held.pid === owner.pid && held.startTime === owner.startTime) rmSync(claim, { force: true });
  });
}

/**
 * The window for this run: FACTORY_TEST_PORT_BASE when set by hand (no claim), else a claimed one.
 * Sets FACTORY_TEST_PORT_BASE, FACTORY_TEST_PORT_CLAIM and FACTORY_PORT_POOL in `env` (children
 * inherit them); a second call in the same process (env already set) claims nothing new.
 */
export async function portWindowForRun(env: NodeJS.ProcessEnv = process.env): Promise<PortWindow> {
  if (env.FACTORY_TEST_PORT_BASE) {
    const base = Number(env.FACTORY_TEST_PORT_BASE);
    if (!Number.isInteger(base) || base < 1024 || base + WINDOW_SIZE - 1 > 65_535)
      throw new Error(
        `FACTORY_TEST_PORT_BASE=${env.FACTORY_TEST_PORT_BASE} must be a port from 1024 to ${65_536 - WINDOW_SIZE} (the run uses ${WINDOW_SIZE} ports from it); unset it to claim a window automatically`,
      );
    env.FACTORY_PORT_POOL ??= poolOf(base);
    const window = { low: base, high: base + WINDOW_SIZE - 1 };
    const real = portPool({}).ranges.find((r) => r.low <= window.high && window.low <= r.high);
    if (real)
      process.stderr.write(
        `warning: FACTORY_TEST_PORT_BASE=${base}: ports ${formatRange(window)} overlap the pool real instances lease from (${formatRange(real)}); tests may collide with them. Unset it to claim a window in ${WINDOW_FIRST}–${WINDOW_FIRST + WINDOW_COUNT * WINDOW_SIZE - 1}.\n`,
      );
    return { base, pool: env.FACTORY_PORT_POOL, claim: env.FACTORY_TEST_PORT_CLAIM ?? '' };
  }
  const deadline = Date.now() + WAIT_MS;
  let w: PortWindow | undefined;
  let told = false;
  while (!w) {
    try {
      w = await claimPortWindow();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      if (!told) process.stderr.write(`waiting for a test port window: ${(error as Error).message}\n`);
      told = true;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  env.FACTORY_TEST_PORT_BASE = String(w.base);
  env.FACTORY_TEST_PORT_CLAIM = w.claim;
  env.FACTORY_PORT_POOL ??= w.pool;
  return w;
}
