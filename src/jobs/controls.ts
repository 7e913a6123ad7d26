/**
 * What a person does to a job (CLI today, chat and dashboard later), each one write through the
 * store: create, cancel, retry from where it stopped, approve a gated change, close a reviewed one,
 * and find a job by a short id.
 */
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { cleanUp } from './cleanup.js';
import { type JobSettings, resolveJobConfig } from './config.js';
import type { Runtime } from './context.js';
import { evidenceDir } from './evidence.js';
import { isMerged } from './git.js';
import { newJobId, titleOf } from './ids.js';
import { refreshEvidence } from './pipeline.js';
import { originOf } from './remote.js';
import { isLive, type LiveState, type Transition } from './states.js';
import type { JobStore } from './store/types.js';
import { killJobStrays } from './strays.js';
import type { Job } from './types.js';
import { leaseIsDead } from './worker.js';

/** Longest request accepted (a request is a description, not a data dump). */
export const MAX_REQUEST_CHARS = 100_000;

export async function createJob(
  store: JobStore,
  request: string,
  settings: JobSettings,
  env: NodeJS.ProcessEnv,
): Promise<Job> {
  const text = request.replace(/\r\n/g, '\n');
  if (text.trim() === '') {
    throw new FactoryFailure('empty-request', 'the request is empty', {
      exitCode: ExitCode.invalid,
      hint: 'factory job new "Show the number of projects in the page header"',
    });
  }
  if (text.length > MAX_REQUEST_CHARS) {
    throw new FactoryFailure(
      'request-too-long',
      `the request has ${text.length} characters; at most ${MAX_REQUEST_CHARS}`,
      {
        exitCode: ExitCode.invalid,
      },
    );
  }
  const { repo, config } = await resolveJobConfig(settings, env);
  const id = newJobId();
  // A shared store's job names its remote, so a worker on any machine can clone it (ADR 0151).
  const remote = store.backend === 'postgres' ? await originOf(repo) : undefined;
  const job = await store.create({
    id,
    repo,
    request: text,
    title: titleOf(text),
    config,
    ...(remote ? { remote } : {}),
  });
  await evidenceDir(repo, id).write('request.md', text.endsWith('\n') ? text : `${text}\n`);
  return job;
}

/** A job by its id, or by a unique prefix or suffix of one (`3fa9c1`). */
export async function findJob(store: JobStore, ref: string): Promise<Job> {
  const exact = await store.get(ref);
  if (exact) return exact;
  const matches = (await store.list({ limit: 10_000 })).filter((j) => j.id.endsWith(ref) || j.id.startsWith(ref));
  if (matches.length === 1 && matches[0]) return matches[0];
  throw new FactoryFailure(
    matches.length ? 'job-ambiguous' : 'job-not-found',
    matches.length
      ? `"${ref}" matches ${matches.length} jobs: ${matches
          .slice(0, 5)
          .map((j) => j.id)
          .join(', ')}`
      : `no job ${ref}`,
    { exitCode: ExitCode.invalid, hint: 'list them with: factory job list' },
  );
}

export interface CancelOutcome {
  job: Job;
  /** true when this call cancelled it; false when its worker was asked to (and will). */
  immediate: boolean;
}

/** A person's actions outside a worker write without a lease, as `human`. */
function personRuntime(store: JobStore, runtime: Omit<Runtime, 'store' | 'workerId'>): Runtime {
  return { ...runtime, store, workerId: '' };
}

export async function cancelJob(
  store: JobStore,
  ref: string,
  runtime: Omit<Runtime, 'store' | 'workerId'>,
): Promise<CancelOutcome> {
  const target = await findJob(store, ref);
  const r = await store.cancel(target.id, 'cancelled by a person', leaseIsDead);
  if (!r.immediate) return r;
  // No live worker held it: nothing else will clean up, so this call does.
  const killed = killJobStrays(r.job.id);
  const cleanup = await cleanUp(r.job, true);
  if (killed) cleanup.notes.push(`killed ${killed} process(es) a dead worker's agent left`);
  const job = await store.update(r.job.id, {
    data: { ...r.job.data, cleanup, previewStoppedAt: new Date().toISOString() },
  });
  await refreshEvidence(personRuntime(store, runtime), job, false);
  return { job, immediate: true };
}

export async function retryJob(
  store: JobStore,
  ref: string,
  runtime: Omit<Runtime, 'store' | 'workerId'>,
): Promise<Job> {
  const job = await findJob(store, ref);
  if ((job.state !== 'failed' && job.state !== 'cancelled') || !job.stoppedAt || !isLive(job.stoppedAt)) {
    throw new FactoryFailure(
      'not-retryable',
      `job ${job.id} is ${job.state}; only failed or cancelled jobs are retried`,
      {
        exitCode: ExitCode.unavailable,
      },
    );
  }
  // A retry is a new try by a person: its time budget starts again.
  const { failure: _failure, cleanup: _cleanup, previewStoppedAt: _stopped, startedAt: _started, ...data } = job.data;
  const to = job.stoppedAt as LiveState;
  const next = await store.transition(
    job.id,
    { ...({ from: job.state, to } as Transition), role: 'human', message: `retry from ${to}` },
    {
      data: { ...data, attempts: {}, failures: {} },
      stoppedAt: null,
      runnable: to !== 'awaiting_approval' || Boolean(data.approval?.approvedAt),
    },
  );
  await refreshEvidence(personRuntime(store, runtime), next, false);
  return next;
}

export async function approveJob(store: JobStore, ref: string, by: string): Promise<Job> {
  const job = await findJob(store, ref);
  if (job.state !== 'awaiting_approval') {
    throw new FactoryFailure('not-awaiting-approval', `job ${job.id} is ${job.state}, not awaiting_approval`, {
      exitCode: ExitCode.unavailable,
    });
  }
  const given = job.data.approval;
  if (given?.approvedAt) {
    throw new FactoryFailure(
      'already-approved',
      `job ${job.id} was approved already (by ${given.approvedBy ?? 'someone'} at ${given.approvedAt}); a worker takes it on`,
      { exitCode: ExitCode.unavailable },
    );
  }
  const matched = given?.matched ?? [];
  const approved = await store.update(job.id, {
    data: { ...job.data, approval: { matched, approvedAt: new Date().toISOString(), approvedBy: by } },
    runnable: true,
  });
  await store.append(job.id, {
    type: 'control',
    action: 'approved',
    role: 'human',
    attempt: 1,
    round: job.round,
    message: `approved by ${by}: ${matched.join(', ')}`,
  });
  return approved;
}

export async function closeJob(
  store: JobStore,
  ref: string,
  runtime: Omit<Runtime, 'store' | 'workerId'>,
): Promise<Job> {
  const job = await findJob(store, ref);
  if (job.state !== 'ready_for_human_review') {
    throw new FactoryFailure('not-closable', `job ${job.id} is ${job.state}; only a job ready for review is closed`, {
      exitCode: ExitCode.unavailable,
      hint: isLive(job.state) ? `stop it with: factory job cancel ${job.id}` : undefined,
    });
  }
  const head = job.data.diff?.head;
  const merged = head !== undefined && (await isMerged(job.repo, head, job.config.base));
  const cleanup = await cleanUp(job, true);
  const closed = await store.transition(
    job.id,
    {
      from: 'ready_for_human_review',
      to: merged ? 'merged' : 'closed',
      role: 'human',
      message: merged ? `merged into ${job.config.base}; preview stopped` : 'closed; preview stopped',
    },
    { data: { ...job.data, cleanup, previewStoppedAt: new Date().toISOString() }, runnable: false },
  );
  await refreshEvidence(personRuntime(store, runtime), closed, false);
  return closed;
}
