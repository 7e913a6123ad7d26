/**
 * One walker per PRD at a time: a lock file holding the owner's pid and process start time.
 *
 *   free ──(create, O_EXCL)──▶ held ──release──▶ free
 *                               │
 *               owner dead, or its pid now belongs to another process (start time differs)
 *                               ▼
 *                             stale ──(take over under a short mkdir guard)──▶ held by us
 *
 * The start time (field 22 of /proc/<pid>/stat) tells a recycled pid from the owner, so a lock is
 * never "alive" because an unrelated process got the same pid. A live owner's lock is never taken:
 * the second walker fails with `prd-locked`, naming the owner's pid. The takeover guard directory
 * makes two walkers that find the same stale lock agree on one winner; a guard left by a walker
 * killed inside that millisecond window is itself stale after GUARD_STALE_MS.
 */
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

export interface LockOwner {
  pid: number;
  /** Process start time in clock ticks since boot (Linux), or null where /proc is missing. */
  startTime: string | null;
  host: string;
  startedAt: string;
  /** What the owner is doing, for the `prd-locked` message. */
  runId: string;
}

const GUARD_STALE_MS = 10_000;

export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the recorded owner is still the same running process. */
export function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // another machine's lock: never guess
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processStartTime(owner.pid);
  return owner.startTime === null || now === null || now === owner.startTime;
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

export interface HeldLock {
  file: string;
  owner: LockOwner;
  /** The dead walker whose lock this one took over, if any (its agents may still run). */
  tookOverFrom?: LockOwner;
  release(): Promise<void>;
}

async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  try {
    const handle = await open(file, 'wx');
    await handle.writeFile(`${JSON.stringify(owner, null, 2)}\n`);
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

export async function acquireLock(file: string, runId: string, subject: string): Promise<HeldLock> {
  await mkdir(dirname(file), { recursive: true });
  const owner: LockOwner = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    host: hostname(),
    startedAt: new Date().toISOString(),
    runId,
  };
  const held = (tookOverFrom?: LockOwner): HeldLock => ({
    file,
    owner,
    ...(tookOverFrom ? { tookOverFrom } : {}),
    release: async () => {
      const current = await readOwner(file);
      if (current?.pid === owner.pid && current.runId === owner.runId) await rm(file, { force: true });
    },
  });
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(file, owner)) return held();
    const existing = await readOwner(file);
    if (existing && ownerAlive(existing)) {
      throw new FactoryFailure(
        'prd-locked',
        `${subject} is being walked by another run (pid ${existing.pid}, since ${existing.startedAt})`,
        {
          exitCode: ExitCode.unavailable,
          hint: `wait for it, or stop it (kill ${existing.pid}); the lock is ${file}`,
          details: { lock: file, owner: existing },
        },
      );
    }
    // Stale (or unreadable: a writer died mid-write). Take it over under the guard.
    const guard = `${file}.takeover`;
    try {
      await mkdir(guard);
    } catch {
      const age = await stat(guard).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > GUARD_STALE_MS) await rm(guard, { recursive: true, force: true });
      continue;
    }
    try {
      const again = await readOwner(file);
      if (again && JSON.stringify(again) !== JSON.stringify(existing)) continue; // someone else won
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(owner, null, 2)}\n`);
      await rename(tmp, file);
      return held(existing ?? undefined);
    } finally {
      await rm(guard, { recursive: true, force: true });
    }
  }
  throw new FactoryFailure('prd-locked', `could not take the lock ${file} (it keeps changing owner)`, {
    exitCode: ExitCode.unavailable,
  });
}
