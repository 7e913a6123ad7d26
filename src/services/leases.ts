/**
 * The machine-wide port-lease registry: `<machine state>/leases.json`, changed only under a lock.
 *
 * An instance (root, worktree id) leases one block of `size` consecutive ports; its named ports sit
 * at fixed offsets. Rules (docs/adr/0011):
 * - default blocks come from the port pool, outside the kernel's ephemeral range (./port-pool.ts);
 *   a `--port-range` block inside it is leased with a warning;
 * - the same (root, id) gets its previous block back when it is still free;
 * - a lease whose owner is dead (pid gone, or pid recycled: start time differs) is stale and may be
 *   reclaimed by anyone; a stale lease whose instance state is gone (its repository folder was
 *   removed, or it was leased by a start that died before its supervisor wrote state) is garbage
 *   and dropped at every registry change (`reclaimLeases`);
 * - a live lease of another instance is never overlapped;
 * - every slot is bind-checked on 127.0.0.1 and ::1. In the block this instance already holds (or
 *   asked for with --port-range), a slot held by a foreign process is an error naming its pid;
 *   with `moveAllowed` the instance moves to the next free block and the move is reported. Blocks
 *   merely passed over while searching are skipped silently.
 * The search itself is ./lease-search.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from './atomic.js';
import {
  chooseBlock,
  leaseAlive,
  sameInstance,
  type Lease,
  type LeaseRequest,
  type LeaseResult,
} from './lease-search.js';
import { withLock } from './lock.js';
import { machineStateDir } from './paths.js';
import type { ProcessIdentity } from './proc.js';
import { readStateFile } from './status-read.js';

export {
  describeHolders,
  leaseAlive,
  type Lease,
  type LeaseRequest,
  type LeaseResult,
  type PortHolder,
} from './lease-search.js';

interface Registry {
  version: 1;
  leases: Lease[];
}

export function registryPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(machineStateDir(env), 'leases.json');
}

export function readLeases(env: NodeJS.ProcessEnv = process.env): Lease[] {
  return readJson<Registry>(registryPath(env))?.leases ?? [];
}

export interface ReclaimedLease {
  lease: Lease;
  reason: 'repository folder gone' | 'owner dead and instance state missing';
}

/** Why a lease is garbage (its owner is dead and nothing of its instance is left), if it is. */
function garbage(l: Lease): ReclaimedLease['reason'] | undefined {
  if (leaseAlive(l)) return undefined;
  if (!existsSync(l.root)) return 'repository folder gone';
  if (!readStateFile(l.stateDir)) return 'owner dead and instance state missing';
  return undefined;
}

/** Drop garbage leases, except the one of `keep` (the instance the current call is about). */
function dropGarbage(reg: Registry, keep?: { root: string; worktreeId: string }): ReclaimedLease[] {
  const out: ReclaimedLease[] = [];
  for (const lease of reg.leases) {
    if (keep && sameInstance(lease, keep)) continue;
    const reason = garbage(lease);
    if (reason) out.push({ lease, reason });
  }
  reg.leases = reg.leases.filter((l) => !out.some((r) => r.lease === l));
  return out;
}

/** Change the registry under its lock; garbage goes too, except the lease of `key` (the subject). */
async function mutate<T>(
  env: NodeJS.ProcessEnv,
  key: { root: string; worktreeId: string },
  fn: (reg: Registry) => Promise<T> | T,
): Promise<T> {
  const path = registryPath(env);
  return withLock(path, 'port-lease registry', async () => {
    const reg: Registry = readJson<Registry>(path) ?? { version: 1, leases: [] };
    // Before fn, so garbage blocks are free on the search's first pass; never the subject's own
    // lease (`clean` releases it once its state is gone and must still find it).
    dropGarbage(reg, key);
    const out = await fn(reg);
    writeJsonAtomic(path, reg);
    return out;
  });
}

export async function acquireLease(req: LeaseRequest): Promise<LeaseResult> {
  return mutate(req.env ?? process.env, req, async (reg) => {
    const result = await chooseBlock(reg.leases, req);
    reg.leases = [...reg.leases.filter((l) => !sameInstance(l, req) && !result.reclaimed.includes(l)), result.lease];
    return result;
  });
}

/**
 * The block `acquireLease` would give `req` right now, recording nothing (no lock either): what
 * `factory env` shows for an instance that holds no lease. Another instance may take it first.
 */
export async function previewLease(req: LeaseRequest): Promise<LeaseResult> {
  return chooseBlock(readLeases(req.env ?? process.env), req);
}

/** Drop garbage leases now (every registry change does it too) and say which and why. */
export async function reclaimLeases(env: NodeJS.ProcessEnv = process.env): Promise<ReclaimedLease[]> {
  const path = registryPath(env);
  if (!existsSync(path)) return [];
  return withLock(path, 'port-lease registry', async () => {
    const reg: Registry = readJson<Registry>(path) ?? { version: 1, leases: [] };
    const out = dropGarbage(reg);
    if (out.length > 0) writeJsonAtomic(path, reg);
    return out;
  });
}

/** Record the process that now owns the lease (the supervisor, once it runs). */
export async function setLeaseOwner(
  key: { root: string; worktreeId: string },
  owner: ProcessIdentity,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  await mutate(env, key, (reg) => {
    for (const l of reg.leases) {
      if (sameInstance(l, key)) {
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
  return mutate(env, key, (reg) => {
    const found = reg.leases.find((l) => sameInstance(l, key));
    reg.leases = reg.leases.filter((l) => !sameInstance(l, key));
    return found;
  });
}
