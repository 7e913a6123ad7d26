/**
 * The block search behind a lease (rules in ./leases.ts and docs/adr/0011), without touching the
 * registry file: `acquireLease` runs it under the registry lock and records the result;
 * `previewLease` runs it read-only (what `factory env` shows for an instance never started).
 *
 * Candidates, in order: the block the instance claims (`--port-range BASE`, else its previous
 * block), then — from BASE upwards when it was given, else through the port pool (./port-pool.ts,
 * outside the kernel's ephemeral range) — every block aligned to the block size.
 */
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { ephemeralWarning, formatRange, MAX_PORT, overlap, portPool, type Pool } from './port-pool.js';
import { portFree } from './ports.js';
import { commandLineOf, listenersOf, processAlive, type ProcessIdentity } from './proc.js';

export interface Lease {
  worktreeId: string;
  root: string;
  /** The instance dir, so `ps` can tell a lease whose instance is gone. */
  stateDir: string;
  base: number;
  size: number;
  /** The block was asked for with `--port-range` (kept even where the default pool would not go). */
  explicit?: boolean;
  ownerPid: number;
  ownerStartTime: number;
  createdAt: string;
}

export interface LeaseRequest {
  root: string;
  worktreeId: string;
  stateDir: string;
  size: number;
  /** Offsets inside the block that must be free (the contract's named ports). */
  offsets: number[];
  owner: ProcessIdentity;
  /** `--port-range BASE`: start exactly here. */
  base?: number;
  moveAllowed?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface LeaseResult {
  lease: Lease;
  /** Set when the instance had to leave its previous (or requested) block. */
  moved?: { from: number; to: number; reason: string };
  /** Stale leases of other instances removed to make room. */
  reclaimed: Lease[];
  /** The block lies inside the kernel's ephemeral port range (only ever a block the user chose). */
  warnings: string[];
}

export interface PortHolder {
  port: number;
  pids: { pid: number; command?: string }[];
}

export function leaseAlive(l: Lease): boolean {
  return processAlive({ pid: l.ownerPid, startTime: l.ownerStartTime });
}

export const sameInstance = (l: { root: string; worktreeId: string }, r: { root: string; worktreeId: string }) =>
  l.root === r.root && l.worktreeId === r.worktreeId;

const overlaps = (a: { base: number; size: number }, b: { base: number; size: number }) =>
  a.base < b.base + b.size && b.base < a.base + a.size;

/** How long a slot held by no listener (an outgoing connection's local port) may take to free up. */
const TRANSIENT_WAIT_MS = 1_000;

/**
 * Which of the block's slots are bound by someone, with the listeners' pids. Only for the block the
 * instance claims: a slot bound with no listener (some connection's local port, possible only
 * inside the ephemeral range) is re-checked there for up to TRANSIENT_WAIT_MS before it counts.
 */
async function busySlots(base: number, offsets: number[]): Promise<PortHolder[]> {
  const busy: PortHolder[] = [];
  for (const off of offsets) {
    const port = base + off;
    const deadline = Date.now() + TRANSIENT_WAIT_MS;
    for (;;) {
      if (await portFree(port)) break;
      const pids = listenersOf(port);
      if (pids.length > 0 || Date.now() >= deadline) {
        busy.push({ port, pids: pids.map((pid) => ({ pid, command: commandLineOf(pid) })) });
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return busy;
}

/**
 * Whether every slot of a block merely passed over can be bound. It is skipped at the first busy
 * slot: no waiting and no /proc scan for who holds it, since all of this runs under the registry
 * lock that every other starting instance is waiting for.
 */
async function allFree(base: number, offsets: number[]): Promise<boolean> {
  for (const off of offsets) if (!(await portFree(base + off))) return false;
  return true;
}

export function describeHolders(busy: PortHolder[]): string {
  return busy
    .map(
      (b) =>
        `${b.port} (${b.pids.length ? b.pids.map((p) => `pid ${p.pid}${p.command ? ` ${p.command}` : ''}`).join(', ') : "no listener visible: another namespace, or a connection's local port"})`,
    )
    .join('; ');
}

function* poolBases(pool: Pool, size: number): Generator<number> {
  for (const r of pool.ranges) {
    for (let b = Math.ceil(r.low / size) * size; b + size - 1 <= Math.min(r.high, MAX_PORT); b += size) yield b;
  }
}

function* upwardBases(from: number, size: number): Generator<number> {
  for (let b = from; b + size - 1 <= MAX_PORT; b += size) yield b;
}

/** The block for `req` given the registry's leases; never writes anything. */
export async function chooseBlock(leases: Lease[], req: LeaseRequest): Promise<LeaseResult> {
  const env = req.env ?? process.env;
  const size = Math.max(req.size, ...req.offsets.map((o) => o + 1), 1);
  const pool = portPool(env);
  const mine = leases.find((l) => sameInstance(l, req));
  const others = leases.filter((l) => !sameInstance(l, req));
  const live = others.filter(leaseAlive);
  const stale = others.filter((l) => !leaseAlive(l));

  let moved: LeaseResult['moved'];
  // A previous default block inside the ephemeral range (leased before the pool moved out of it)
  // is given up for one in the pool; a block the user chose is kept, with a warning.
  const mineInside = mine && overlap({ low: mine.base, high: mine.base + size - 1 }, pool.ephemeral);
  const keepMine = mine && (!mineInside || mine.explicit === true);
  if (mine && !keepMine && req.base === undefined)
    moved = { from: mine.base, to: mine.base, reason: "inside the kernel's ephemeral port range" };
  const claimed = req.base ?? (keepMine ? mine?.base : undefined);
  const rest = () => (req.base !== undefined ? upwardBases(req.base, size) : poolBases(pool, size));

  // First pass avoids stale leases too (so a stopped instance usually gets its block back);
  // the second reclaims them.
  for (const avoidStale of [true, false]) {
    const bases = claimed !== undefined ? [claimed, ...[...rest()].filter((b) => b !== claimed)] : [...rest()];
    for (const base of bases) {
      const block = { base, size };
      if (avoidStale && base !== claimed && stale.some((l) => overlaps(l, block))) continue;
      const conflict = live.find((l) => overlaps(l, block));
      if (base === claimed && conflict) {
        if (!req.moveAllowed) {
          throw new FactoryFailure(
            'ports-leased',
            `ports ${base}–${base + size - 1} are leased by instance "${conflict.worktreeId}" (${conflict.root}, pid ${conflict.ownerPid})`,
            {
              exitCode: ExitCode.unavailable,
              hint: 'pick another --port-range, or pass --move-ports to move to a free block',
            },
          );
        }
        moved ??= { from: base, to: base, reason: `leased by instance "${conflict.worktreeId}"` };
        continue;
      }
      if (conflict) continue;
      if (base !== claimed && !(await allFree(base, req.offsets))) continue;
      const busy = base === claimed ? await busySlots(base, req.offsets) : [];
      if (busy.length > 0) {
        if (!req.moveAllowed) {
          throw new FactoryFailure(
            'port-in-use',
            `port ${describeHolders(busy)} is in use by a process factory did not start`,
            {
              exitCode: ExitCode.unavailable,
              hint: 'stop that process (factory never kills it), or pass --move-ports to lease another block',
              details: { ports: busy },
            },
          );
        }
        moved ??= { from: base, to: base, reason: `in use: ${describeHolders(busy)}` };
        continue;
      }
      const explicit = req.base !== undefined ? base === req.base : base === mine?.base && mine.explicit === true;
      const lease: Lease = {
        worktreeId: req.worktreeId,
        root: req.root,
        stateDir: req.stateDir,
        base,
        size,
        ...(explicit ? { explicit: true } : {}),
        ownerPid: req.owner.pid,
        ownerStartTime: req.owner.startTime,
        createdAt: mine && mine.base === base ? mine.createdAt : new Date().toISOString(),
      };
      if (moved) moved.to = base;
      const warning = ephemeralWarning(base, size, pool.ephemeral);
      return {
        lease,
        reclaimed: stale.filter((l) => overlaps(l, block)),
        warnings: warning ? [warning] : [],
        ...(moved ? { moved } : {}),
      };
    }
  }
  const where =
    req.base !== undefined ? `from ${req.base} to ${MAX_PORT}` : `in ${pool.ranges.map(formatRange).join(', ')}`;
  throw new FactoryFailure('no-free-ports', `no free block of ${size} ports ${where}`, {
    exitCode: ExitCode.unavailable,
    hint: 'stop or clean instances you no longer need (factory ps lists them), or pick a --port-range',
  });
}
