/**
 * `factory job gc`: what finished jobs still hold goes — their worktree, their instance (state and
 * port lease), their sandbox state dir, and the branch of a merged job. The job's history and its
 * evidence folder stay. Failed and cancelled jobs keep their worktree for inspection unless asked
 * (`--all`). Leaks are reported the way `factory ps` reports them: an instance of a finished job
 * still running, or a process carrying a job's marker that no live worker runs.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gitRaw } from '../sandboxes/index.js';
import { readInstanceStatus } from '../services/index.js';
import { removeInstance } from './cleanup.js';
import type { JobStore } from './store/types.js';
import { jobStrays } from './strays.js';
import type { Job } from './types.js';
import { leaseIsDead } from './worker.js';

export interface GcEntry {
  id: string;
  state: Job['state'];
  removed: string[];
}

export interface Leak {
  id: string;
  state: Job['state'];
  kind: 'instance' | 'process';
  detail: string;
}

export interface GcResult {
  collected: GcEntry[];
  leaks: Leak[];
}

/** Removes what a finished job holds (also `job sync` for a merged pull request). */
export async function collectJob(store: JobStore, job: Job): Promise<GcEntry> {
  const removed: string[] = [];
  removed.push(...(await removeInstance(job)));
  const wt = job.data.worktree;
  if (wt && existsSync(wt.path)) {
    await gitRaw(job.repo, ['worktree', 'remove', '--force', wt.path]);
    await rm(wt.path, { recursive: true, force: true });
    await gitRaw(job.repo, ['worktree', 'prune']);
    removed.push(`worktree ${wt.path}`);
  }
  const sandboxDir = join(job.repo, '.factory', 'sandboxes', job.id);
  if (existsSync(sandboxDir)) {
    await rm(sandboxDir, { recursive: true, force: true });
    removed.push(`sandbox state ${sandboxDir}`);
  }
  if (job.state === 'merged' && wt && (await gitRaw(job.repo, ['branch', '-d', wt.branch])).exitCode === 0) {
    removed.push(`branch ${wt.branch} (merged)`);
  }
  await store.append(job.id, {
    type: 'control',
    action: 'gc',
    role: 'worker',
    attempt: 1,
    round: job.round,
    message: removed.length ? `removed ${removed.join('; ')}` : 'nothing left to remove',
  });
  await store.update(job.id, { data: { ...job.data, gcAt: new Date().toISOString() } });
  return { id: job.id, state: job.state, removed };
}

export async function gcJobs(store: JobStore, o: { all?: boolean; repo?: string } = {}): Promise<GcResult> {
  const jobs = await store.list({ ...(o.repo ? { repo: o.repo } : {}), limit: 100_000 });
  const collected: GcEntry[] = [];
  const leaks: Leak[] = [];
  for (const job of jobs) {
    const finished = job.state === 'merged' || job.state === 'closed';
    const ended = finished || job.state === 'failed' || job.state === 'cancelled';
    if (ended && !job.data.gcAt && (finished || o.all)) collected.push(await collectJob(store, job));
    const wt = job.data.worktree;
    if (ended && wt && existsSync(join(wt.path, 'factory.yaml'))) {
      const status = await readInstanceStatus({ cwd: wt.path, worktreeId: job.id }).catch(() => undefined);
      if (status?.running)
        leaks.push({ id: job.id, state: job.state, kind: 'instance', detail: `instance ${job.id} still runs` });
    }
    const held = job.lease && !leaseIsDead(job.lease) && Date.parse(job.lease.expiresAt) > Date.now();
    if (!held) {
      const pids = jobStrays(job.id);
      if (pids.length)
        leaks.push({
          id: job.id,
          state: job.state,
          kind: 'process',
          detail: `pids ${pids.join(', ')} carry FACTORY_JOB_ID=${job.id} but no worker runs it`,
        });
    }
  }
  return { collected, leaks };
}
