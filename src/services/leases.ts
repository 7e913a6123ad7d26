/**
 * The machine-wide port-lease registry: `<machine state>/leases.json`, changed only under a lock.
 *
 * An instance (root, worktree id) leases one block of `size` consecutive ports; its named ports sit
 * at fixed offsets. Rules (docs/adr/0011):
 * - the same (root, id) gets its previous block back when it is still free;
 * - a lease whose owner is dead (pid gone, or pid recycled: start time differs) is stale and may be
 *   reclaimed by anyone;
 * - a live lease of another instance is never overlapped;
 * - every slot is bind-checked on 127.0.0.1 and ::1. In the block this instance already holds (or
 *   asked for with --port-range), a slot held by a foreign process is an error naming its pid;
 *   with `moveAllowed` the instance moves to the next free block and the move is reported. Blocks
 *   merely passed over while searching are skipped silently.
 */
import { join } from 'node:path';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { readJson, writeJsonAtomic } from './atomic.js';
import { withLock } from './lock.js';
import { machineStateDir } from './paths.js';
import { portFree } from './ports.js';
import { commandLineOf, listenersOf, processAlive, type ProcessIdentity } from './proc.js';

export const DEFAULT_PORT_BASE = 46_000;
const MAX_PORT = 65_535;

export interface Lease {
  worktreeId: string;
  root: string;
  /** The instance dir, so `ps` can tell a lease whose instance is gone. */
  stateDir: string;
  base: number;
  size: number;
  ownerPid: number;
  ownerStartTime: number;
  createdAt: string;
}

interface Registry {
  version: 1;
  leases: Lease[];
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
}

export interface PortHolder {
  port: number;
  pids: { pid: number; command?: string }[];
}

export function registryPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(machineStateDir(env), 'leases.json');
}

export function readLeases(env: NodeJS.ProcessEnv = process.env): Lease[] {
  return readJson<Registry>(registryPath(env))?.leases ?? [];
}

export function leaseAlive(l: Lease): boolean {
  return processAlive({ pid: l.ownerPid, startTime: l.ownerStartTime });
}

const same = (l: { root: string; worktreeId: string }, r: { root: string; worktreeId: string }) =>
  l.root === r.root && l.worktreeId === r.worktreeId;

const overlaps = (a: { base: number; size: number }, b: { base: number; size: number }) =>
  a.base < b.base + b.size && b.base < a.base + a.size;

async function mutate<T>(env: NodeJS.ProcessEnv, fn: (reg: Registry) => Promise<T> | T): Promise<T> {
  const path = registryPath(env);
  return withLock(path, 'port-lease registry', async () => {
    const reg: Registry = readJson<Registry>(path) ?? { version: 1, leases: [] };
    const out = await fn(reg);
    writeJsonAtomic(path, reg);
    return out;
  });
}

/** How long a slot held by no listener (an outgoing connection's ephemeral port) may take to free up. */
const TRANSIENT_WAIT_MS = 1_000;

/**
 * Which of the block's slots are bound by someone, with the listeners' pids. A slot bound but with
 * no listener is usually the ephemeral local port of some outgoing connection (the default range
 * 46000+ lies inside Linux's 32768–60999): re-checked for up to TRANSIENT_WAIT_MS before counting.
 */
async function busySlots(base: number, offsets: number[]): Promise<PortHolder[]> {
  const busy: PortHolder[] = [];
  for (const off of offsets) {
    const port = base + off;
    const deadline = Date.now() + TRANSIENT_WAIT_MS;
    for (;;) {
      if (await portFree(port)) break;
      const pids = listenersOf(port);
      if (pids.length > 0 || Date.now() > deadline) {
        busy.push({ port, pids: pids.map((pid) => ({ pid, command: commandLineOf(pid) })) });
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return busy;
}

export function describeHolders(busy: PortHolder[]): string {
  return busy
    .map(
      (b) =>
        `${b.port} (${b.pids.length ? b.pids.map((p) => `pid ${p.pid}${p.command ? ` ${p.command}` : ''}`).join(', ') : "no listener visible: another namespace, or a connection's local port"})`,
    )
    .join('; ');
}

export async function acquireLease(req: LeaseRequest): Promise<LeaseResult> {
  const env = req.env ?? process.env;
  const size = Math.max(req.size, ...req.offsets.map((o) => o + 1), 1);
  return mutate(env, async (reg) => {
    const mine = reg.leases.find((l) => same(l, req));
    const others = reg.leases.filter((l) => !same(l, req));
    const live = others.filter(leaseAlive);
    const claimed = req.base ?? mine?.base;
    const start = req.base ?? DEFAULT_PORT_BASE;
    const candidates: number[] = [];
    if (claimed !== undefined) candidates.push(claimed);
    const first = req.base !== undefined ? req.base : Math.ceil(start / size) * size;
    for (let b = first; b + size - 1 <= MAX_PORT; b += size) if (b !== claimed) candidates.push(b);

    // First pass avoids stale leases too (so a stopped instance usually gets its block back);
    // the second reclaims them.
    const stale = others.filter((l) => !leaseAlive(l));
    const passes = [
      ...candidates.map((base) => ({ base, avoidStale: true })),
      ...candidates.map((base) => ({ base, avoidStale: false })),
    ];
    let moved: LeaseResult['moved'];
    for (const { base, avoidStale } of passes) {
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
      const busy = await busySlots(base, req.offsets);
      if (busy.length > 0) {
        if (base !== claimed) continue;
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
      const reclaimed = others.filter((l) => !leaseAlive(l) && overlaps(l, block));
      const lease: Lease = {
        worktreeId: req.worktreeId,
        root: req.root,
        stateDir: req.stateDir,
        base,
        size,
        ownerPid: req.owner.pid,
        ownerStartTime: req.owner.startTime,
        createdAt: mine && mine.base === base ? mine.createdAt : new Date().toISOString(),
      };
      reg.leases = [...others.filter((l) => !reclaimed.includes(l)), lease];
      if (moved) moved.to = base;
      return { lease, reclaimed, ...(moved ? { moved } : {}) };
    }
    throw new FactoryFailure('no-free-ports', `no free block of ${size} ports from ${start} to ${MAX_PORT}`, {
      exitCode: ExitCode.unavailable,
    });
  });
}

/** Record the process that now owns the lease (the supervisor, once it runs). */
export async function setLeaseOwner(
  key: { root: string; worktreeId: string },
  owner: ProcessIdentity,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  await mutate(env, (reg) => {
    for (const l of reg.leases) {
      if (same(l, key)) {
        l.ownerPid = owner.pid;
        l.ownerStartTime = owner.startTime;
      }
    }
  });
}

export async function releaseLease(
  key: { root: string; worktreeId: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Lease | undefined> {
  return mutate(env, (reg) => {
    const found = reg.leases.find((l) => same(l, key));
    reg.leases = reg.leases.filter((l) => !same(l, key));
    return found;
  });
}
