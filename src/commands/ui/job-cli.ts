/**
 * What every `factory job …` command shares: the machine's job store, the local publisher, the
 * exit code a job's state means (docs/jobs.md), and following a job's events on stderr until it
 * settles (the terminal subscriber).
 */
import { followEvents, isSettled, openJobStore, type Job, type JobStore } from '../../jobs/index.js';
import { ExitCode } from '../../lib/failure.js';
import { eprintln } from '../../lib/output.js';
import { localPublisher } from '../../publish/index.js';
import { eventLine } from './job-render.js';

export function store(): JobStore {
  return openJobStore(process.env);
}

export function personRuntime() {
  return { publisher: localPublisher(), env: process.env };
}

/** 0: reached a person (ready for review, merged, closed, awaiting approval); 1 failed; 130 cancelled. */
export function exitFor(job: Job): number {
  if (job.state === 'failed') return ExitCode.failed;
  if (job.state === 'cancelled') return ExitCode.interrupted;
  return ExitCode.ok;
}

/** Prints the job's events (human, stderr) until it settles or `signal` aborts; returns the last id seen. */
export async function watch(
  s: JobStore,
  jobId: string,
  o: { afterId?: number; signal?: AbortSignal; quiet?: boolean; until?: (job: Job) => boolean } = {},
): Promise<number> {
  let last = o.afterId ?? 0;
  for await (const e of followEvents(s, {
    jobId,
    afterId: last,
    until: o.until ?? isSettled,
    ...(o.signal ? { signal: o.signal } : {}),
  })) {
    last = e.id;
    if (!o.quiet) eprintln(eventLine(e));
  }
  return last;
}
