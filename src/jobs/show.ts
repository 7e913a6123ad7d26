/** A job's manifest as of now: the store's job and events, and whether its preview really runs. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JobManifest } from '../publish/index.js';
import { readInstanceStatus } from '../services/index.js';
import { buildManifest } from './evidence.js';
import type { JobStore } from './store/types.js';
import type { Job } from './types.js';

export async function previewIsUp(job: Job): Promise<boolean> {
  const path = job.data.worktree?.path;
  if (!path || !job.data.environment || !existsSync(join(path, 'factory.yaml'))) return false;
  const status = await readInstanceStatus({ cwd: path, worktreeId: job.id }).catch(() => undefined);
  return status?.running === true;
}

export async function currentManifest(store: JobStore, job: Job): Promise<JobManifest> {
  const events = await store.events({ jobId: job.id, limit: 100_000 });
  return buildManifest(job, events, { previewUp: await previewIsUp(job) });
}
