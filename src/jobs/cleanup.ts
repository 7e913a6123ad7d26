/**
 * What is cleaned when a job fails, is cancelled or closed: the agent's process tree (already gone:
 * an aborted `run()` resolves only once its tree is dead), the job's instance (services and
 * supervisor stopped, leased ports confirmed free) — while the worktree and the branch are kept,
 * so a person can look at what was done and `factory job retry` can continue it. The result is
 * recorded in the job (`cleanup`) and shown by `job show` and the review page.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isFactoryFailure } from '../lib/failure.js';
import { cleanInstance, stopInstance } from '../services/index.js';
import type { Cleanup, Job } from './types.js';

function instanceExists(job: Job): string | undefined {
  const path = job.data.worktree?.path;
  if (!path || !existsSync(join(path, 'factory.yaml'))) return undefined;
  return existsSync(join(path, '.factory', 'instances', job.id)) ? path : undefined;
}

export async function stopPreview(job: Job): Promise<{ stopped: boolean; portsReleased: boolean; notes: string[] }> {
  const cwd = instanceExists(job);
  if (!cwd) return { stopped: true, portsReleased: true, notes: [] };
  try {
    const r = await stopInstance({ cwd, worktreeId: job.id });
    const notes: string[] = [];
    if (r.was === 'running') notes.push('the instance was stopped');
    if (r.reaped.length) notes.push(`reaped ${r.reaped.length} leftover process(es)`);
    if (r.busyPorts.length) notes.push(`ports still bound after stopping: ${r.busyPorts.join(', ')}`);
    return { stopped: true, portsReleased: r.busyPorts.length === 0, notes };
  } catch (error) {
    return {
      stopped: false,
      portsReleased: false,
      notes: [`stopping the instance failed: ${isFactoryFailure(error) ? error.message : String(error)}`],
    };
  }
}

/** Stop what runs, keep the worktree and branch. */
export async function cleanUp(job: Job, agentStopped: boolean): Promise<Cleanup> {
  const preview = await stopPreview(job);
  const worktree = job.data.worktree;
  return {
    agentStopped,
    instanceStopped: preview.stopped,
    portsReleased: preview.portsReleased,
    worktreeKept: worktree && existsSync(worktree.path) ? worktree.path : null,
    branchKept: worktree?.branch ?? null,
    notes: preview.notes,
  };
}

/** `job gc`: the instance's state and port lease go too (the worktree is removed by the caller). */
export async function removeInstance(job: Job): Promise<string[]> {
  const cwd = instanceExists(job);
  if (!cwd) return [];
  const r = await cleanInstance({ cwd, worktreeId: job.id });
  return [
    `instance ${job.id} removed${r.lease ? ` (ports ${r.lease.base}–${r.lease.base + r.lease.size - 1} released)` : ''}`,
  ];
}
