/**
 * The notifier's subscriber side (ADR 10): every transition and progress line is an event in the
 * store; a subscriber reads the events after the last id it saw, then waits for news: on the
 * embedded store by polling with backoff (25 ms up to 1 s, back to 25 ms as soon as something
 * arrives), on PostgreSQL woken by NOTIFY (`store.wait`), with a read every few seconds as a
 * safety net. The terminal of `job run` / `job new --wait` and `job logs -f` are subscribers; the
 * dashboard and chat bots will be too.
 */
import { sleep } from '../lib/sleep.js';
import { isLive } from './states.js';
import { isStoreUnavailable } from './store/failures.js';
import type { JobStore } from './store/types.js';
import type { Job, JobEvent } from './types.js';

const MIN_POLL_MS = 25;
const MAX_POLL_MS = 1_000;
/** A store that pushes wake-ups is still read this often when it is silent. */
export const PUSHED_POLL_MS = 5_000;
/** How soon a subscriber reads again after the store could not answer. */
const OUTAGE_RETRY_MS = 1_000;

export interface FollowOptions {
  jobId?: string;
  afterId?: number;
  signal?: AbortSignal;
  /** Stop once this holds for the job (checked whenever no new event arrived). */
  until?: (job: Job) => boolean;
}

/** A job that no worker will move without a person: ended, awaiting approval, or ready for review. */
export function isSettled(job: Job): boolean {
  return (
    !isLive(job.state) || job.state === 'ready_for_human_review' || (job.state === 'awaiting_approval' && !job.runnable)
  );
}

export async function* followEvents(store: JobStore, o: FollowOptions): AsyncGenerator<JobEvent> {
  let after = o.afterId ?? 0;
  const first = store.pushes ? PUSHED_POLL_MS : MIN_POLL_MS;
  let wait = first;
  while (!o.signal?.aborted) {
    let batch: JobEvent[];
    let job: Job | undefined;
    try {
      batch = await store.events({ ...(o.jobId ? { jobId: o.jobId } : {}), afterId: after, limit: 500 });
      job = batch.length === 0 && o.until && o.jobId ? await store.get(o.jobId) : undefined;
    } catch (error) {
      // A store that is restarting: the subscriber waits and reads on from where it was.
      if (!isStoreUnavailable(error)) throw error;
      await sleep(OUTAGE_RETRY_MS, o.signal);
      continue;
    }
    for (const e of batch) {
      after = e.id;
      yield e;
    }
    if (batch.length > 0) {
      wait = first;
      continue;
    }
    if (o.until && o.jobId) {
      if (!job || o.until(job)) {
        // Events written between the last read and this check are still delivered.
        for (const e of await store.events({ jobId: o.jobId, afterId: after, limit: 100_000 })) yield e;
        return;
      }
    }
    await store.wait('events', wait, o.signal);
    if (!store.pushes) wait = Math.min(wait * 2, MAX_POLL_MS);
  }
}
