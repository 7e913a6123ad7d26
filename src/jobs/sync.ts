/**
 * `factory job sync` (and every worker, every JOB_DEFAULTS.syncMs): what became of the review
 * requests of jobs waiting for a person, read where they live (the github publisher asks GitHub):
 *
 *   merged   → job `merged`: preview stopped, worktree, instance and sandbox state removed
 *   closed   → job `closed`: preview stopped, worktree and branch kept
 *   open     → nothing changes
 *
 * The pull request is not written to afterwards (pushing the branch again would bring back a
 * branch GitHub deleted on merge); job.json records the outcome.
 */
import type { ReviewState } from '../publish/index.js';
import { cleanUp } from './cleanup.js';
import type { Runtime } from './context.js';
import { findJob } from './controls.js';
import { writeManifest } from './evidence.js';
import { collectJob } from './gc.js';
import { publisherFor } from './publishers.js';
import { currentManifest } from './show.js';
import type { JobStore } from './store/types.js';
import type { Job, JobState } from './types.js';

export interface SyncEntry {
  id: string;
  before: JobState;
  after: JobState;
  /** The review request's state where it lives; null when its publisher has none (local). */
  review: ReviewState | null;
  url: string | null;
  detail: string;
}

async function syncOne(store: JobStore, runtime: Pick<Runtime, 'publisher' | 'env'>, job: Job): Promise<SyncEntry> {
  const url = job.data.reviewRequest?.url ?? null;
  const entry = (review: ReviewState | null, detail: string, after: JobState = job.state): SyncEntry => ({
    id: job.id,
    before: job.state,
    after,
    review,
    url,
    detail,
  });
  if (!job.data.reviewRequest) return entry(null, 'no review request yet');
  const publisher = publisherFor(runtime, job);
  if (!publisher.reviewState || job.data.reviewRequest.publisher !== publisher.name)
    return entry(null, `the ${job.data.reviewRequest.publisher} publisher has no state of its own to read`);
  const review = await publisher.reviewState({ manifest: await currentManifest(store, job) });
  if (review === 'open') return entry(review, 'the pull request is open');
  if (job.state !== 'ready_for_human_review')
    return entry(
      review,
      `the pull request is ${review}, but the job is ${job.state}: it is synced once ready for review`,
    );
  const cleanup = await cleanUp(job, true);
  const ended = await store.transition(
    job.id,
    {
      from: 'ready_for_human_review',
      to: review,
      role: 'human',
      message:
        review === 'merged'
          ? `pull request merged (${url}); preview stopped`
          : `pull request closed without merging (${url}); preview stopped`,
    },
    { data: { ...job.data, cleanup, previewStoppedAt: new Date().toISOString() }, runnable: false },
  );
  let detail = review === 'merged' ? 'merged; preview stopped' : 'closed; preview stopped, worktree kept';
  if (review === 'merged') {
    const gc = await collectJob(store, ended);
    if (gc.removed.length) detail += `; removed ${gc.removed.join('; ')}`;
  }
  const last = (await store.get(job.id)) ?? ended;
  await writeManifest(last, await store.events({ jobId: job.id, limit: 100_000 }), { previewUp: false });
  return entry(review, detail, last.state);
}

/** Syncs one job (by id or a unique part of it), or every job ready for review (of `repo`). */
export async function syncJobs(
  store: JobStore,
  runtime: Pick<Runtime, 'publisher' | 'env'>,
  o: { jobId?: string; repo?: string } = {},
): Promise<SyncEntry[]> {
  const jobs = o.jobId
    ? [await findJob(store, o.jobId)]
    : await store.list({ states: ['ready_for_human_review'], ...(o.repo ? { repo: o.repo } : {}), limit: 10_000 });
  const out: SyncEntry[] = [];
  for (const job of jobs) out.push(await syncOne(store, runtime, job));
  return out;
}
