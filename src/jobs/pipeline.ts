/**
 * Driving one job forward: run the stage its state names (STAGE_FOR), let the stage record its
 * result and transition, and repeat — until the job ends, waits for a person (approval, review) or
 * the worker stops. Around each stage attempt: the retry policy (./retry.ts), the stage timeout and
 * the job-wide time budget, and the three ways a run is stopped from outside, told apart by the
 * abort reason:
 *
 *   cancel      `job cancel`: the agent's tree dies with the abort, the instance is stopped, the job
 *               becomes `cancelled` with what was cleaned (worktree and branch kept);
 *   shutdown    the worker is stopping: nothing is recorded as failed; the lease is given up and the
 *               next worker resumes from the last durable state (ADR 11);
 *   lease-lost  another worker took the job over: stop at once and write nothing.
 *
 * Anything else a stage throws fails the job at its current state, with the failure, its log tail
 * and the cleanup status recorded.
 */
import { isFactoryFailure } from '../lib/failure.js';
import type { StageName } from '../publish/index.js';
import { cleanUp } from './cleanup.js';
import type { Runtime, Stage, StageContext } from './context.js';
import { evidenceDir, writeManifest } from './evidence.js';
import { publisherFor } from './publishers.js';
import { failureCode, failureText, RETRY_POLICIES } from './retry.js';
import { STAGES } from './stages/index.js';
import { isLive, STAGE_FOR, type LiveState, type Transition } from './states.js';
import type { Job, JobData, JobFailure } from './types.js';

export type StopReason = 'cancel' | 'shutdown' | 'lease-lost';

/** A live state may always go to failed or cancelled; the store checks it again at run time. */
function toEnd(from: LiveState, to: 'failed' | 'cancelled'): Transition {
  return { from, to } as Transition;
}

/** Rewrites job.json and, once a review request exists, updates it (publishers are idempotent). */
export async function refreshEvidence(runtime: Runtime, job: Job, previewUp: boolean): Promise<void> {
  const events = await runtime.store.events({ jobId: job.id, limit: 100_000 });
  const manifest = await writeManifest(job, events, { previewUp });
  if (job.data.reviewRequest) {
    await publisherFor(runtime, job).publish({ manifest, evidenceDir: evidenceDir(job.repo, job.id).dir });
  }
}

function previewRunning(job: Job): boolean {
  return job.data.environment !== undefined && job.data.previewStoppedAt === undefined && isLive(job.state);
}

function makeContext(
  runtime: Runtime,
  job: Job,
  stage: Stage,
  attempt: number,
  previousFailure: string | undefined,
  signal: AbortSignal,
): StageContext {
  const write = { workerId: runtime.workerId };
  const ctx: StageContext = {
    runtime,
    stage: stage.name,
    role: stage.role,
    attempt,
    previousFailure,
    signal,
    evidence: evidenceDir(job.repo, job.id),
    job,
    async transition(t, patch = {}) {
      const { message, artifacts, role, ...pair } = t;
      await runtime.beforeRecord?.(ctx.job);
      const next = await runtime.store.transition(
        job.id,
        { ...(pair as Transition), role: role ?? stage.role, attempt, message, ...(artifacts ? { artifacts } : {}) },
        patch,
        write,
      );
      ctx.job = next;
      await refreshEvidence(runtime, next, previewRunning(next));
      return next;
    },
    async update(data) {
      ctx.job = await runtime.store.update(job.id, { data }, write);
      return ctx.job;
    },
    async progress(message, artifacts) {
      await runtime.store.append(
        job.id,
        {
          type: 'progress',
          stage: stage.name,
          role: stage.role,
          attempt,
          round: ctx.job.round,
          message,
          ...(artifacts ? { artifacts } : {}),
        },
        write,
      );
    },
  };
  return ctx;
}

interface Budget {
  /** ms since epoch when the job's time budget ends. */
  endsAt: number;
}

/** A signal for one stage attempt: the caller's, the stage timeout, and the job budget. */
function attemptSignal(outer: AbortSignal, stageMs: number, budget: Budget) {
  const controller = new AbortController();
  const left = budget.endsAt - Date.now();
  const kind = left < stageMs ? 'job-time-budget' : 'stage-timeout';
  const timer = setTimeout(() => controller.abort(kind), Math.max(0, Math.min(stageMs, left)));
  const relay = () => controller.abort(outer.reason);
  outer.addEventListener('abort', relay, { once: true });
  if (outer.aborted) relay();
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', relay);
    },
  };
}

async function endJob(
  runtime: Runtime,
  job: Job,
  to: 'failed' | 'cancelled',
  stage: StageName,
  message: string,
  failure: JobFailure | undefined,
): Promise<Job> {
  if (!isLive(job.state)) return job;
  // What the job committed survives it on the remote (best effort: the end is recorded anyway).
  await runtime.beforeRecord?.(job).catch(() => {});
  const cleanup = await cleanUp(job, true);
  const data: JobData = {
    ...job.data,
    cleanup,
    ...(failure ? { failure } : {}),
    previewStoppedAt: new Date().toISOString(),
  };
  const ended = await runtime.store.transition(
    job.id,
    {
      ...toEnd(job.state, to),
      role: to === 'cancelled' ? 'human' : (stageOf(stage)?.role ?? 'worker'),
      attempt: job.data.attempts[stage] ?? 1,
      message,
    },
    { data, stoppedAt: job.state, runnable: false, cancelRequested: false },
    { workerId: runtime.workerId },
  );
  await refreshEvidence(runtime, ended, false);
  return ended;
}

function stageOf(name: StageName): Stage | undefined {
  return STAGES[name];
}

function failureOf(job: Job, stage: StageName, error: unknown, code: string): JobFailure {
  const details = isFactoryFailure(error) ? (error.details ?? {}) : {};
  const logTail = typeof details.logTail === 'string' ? details.logTail : undefined;
  const log = typeof details.log === 'string' ? details.log : undefined;
  return {
    stage,
    state: job.state,
    code,
    message: isFactoryFailure(error) ? error.message : error instanceof Error ? error.message : String(error),
    ...(isFactoryFailure(error) && error.hint ? { hint: error.hint } : {}),
    ...(logTail ? { logTail } : {}),
    ...(log ? { log } : {}),
  };
}

/**
 * Runs the job's stages until it ends or waits. `signal` is aborted with a StopReason. Returns the
 * job as it was left.
 */
export async function driveJob(runtime: Runtime, jobId: string, signal: AbortSignal): Promise<Job> {
  const { store } = runtime;
  const write = { workerId: runtime.workerId };
  let job = await store.get(jobId);
  if (!job) throw new Error(`job ${jobId} vanished`);
  if (!job.data.startedAt)
    job = await store.update(jobId, { data: { ...job.data, startedAt: new Date().toISOString() } }, write);
  const budget: Budget = { endsAt: Date.parse(job.data.startedAt ?? job.createdAt) + job.config.timeouts.jobMs };
  let previousFailure: string | undefined;

  for (;;) {
    if (!isLive(job.state)) return job;
    const stageName = STAGE_FOR[job.state];
    if (stageName === null) return job;
    if (job.state === 'awaiting_approval' && !job.data.approval?.approvedAt) return job;
    const stage = stageOf(stageName);
    if (!stage) throw new Error(`no stage ${stageName}`);
    if (signal.aborted) return stopped(runtime, job, stageName, signal.reason as StopReason);
    if (Date.now() >= budget.endsAt) {
      return endJob(
        runtime,
        job,
        'failed',
        stageName,
        `the job's time budget of ${Math.round(job.config.timeouts.jobMs / 1000)} s ran out`,
        {
          stage: stageName,
          state: job.state,
          code: 'job-time-budget',
          message: `the job's time budget (${Math.round(job.config.timeouts.jobMs / 1000)} s) ran out at ${job.state}`,
          hint: `raise it with --time-budget or jobs.timeouts.job, then: factory job retry ${job.id}`,
        },
      );
    }
    const attempt = (job.data.attempts[stageName] ?? 0) + 1;
    job = await store.update(
      jobId,
      { data: { ...job.data, attempts: { ...job.data.attempts, [stageName]: attempt } } },
      write,
    );
    const limit = attemptSignal(signal, job.config.timeouts.stageMs[stageName], budget);
    const ctx = makeContext(runtime, job, stage, attempt, previousFailure, limit.signal);
    try {
      await stage.run(ctx);
      previousFailure = undefined;
      job = (await store.get(jobId)) ?? ctx.job;
    } catch (error) {
      const reason = limit.signal.reason as string | undefined;
      job = (await store.get(jobId)) ?? ctx.job;
      if (reason === 'cancel' || reason === 'shutdown' || reason === 'lease-lost') {
        return stopped(runtime, job, stageName, reason);
      }
      if (isFactoryFailure(error) && error.code === 'lease-lost') return job;
      const code = reason === 'stage-timeout' || reason === 'job-time-budget' ? reason : failureCode(error);
      const text =
        reason === 'stage-timeout'
          ? `the ${stageName} stage ran longer than ${Math.round(job.config.timeouts.stageMs[stageName] / 1000)} s and was stopped`
          : reason === 'job-time-budget'
            ? `the job's time budget ran out during ${stageName}`
            : failureText(error);
      const failures = (job.data.failures?.[stageName] ?? 0) + 1;
      const policy = RETRY_POLICIES[stageName];
      const retry = policy.retryable(code) && failures < policy.attempts;
      job = await store.update(
        jobId,
        { data: { ...job.data, failures: { ...job.data.failures, [stageName]: failures } } },
        write,
      );
      await store.append(
        jobId,
        {
          type: 'attempt',
          stage: stageName,
          role: stage.role,
          attempt,
          round: job.round,
          retry,
          code,
          message: `${stageName} attempt ${attempt} failed (${code}): ${text}${retry ? ' — trying again' : ''}`,
        },
        write,
      );
      if (retry) {
        previousFailure = text;
        continue;
      }
      const failure = failureOf(job, stageName, error, code);
      return endJob(runtime, job, 'failed', stageName, `${stageName} failed: ${text}`, { ...failure, message: text });
    } finally {
      limit.dispose();
    }
  }
}

async function stopped(runtime: Runtime, job: Job, stage: StageName, reason: StopReason): Promise<Job> {
  if (reason === 'cancel') return endJob(runtime, job, 'cancelled', stage, `cancelled during ${stage}`, undefined);
  if (reason === 'shutdown') {
    await runtime.store
      .append(
        job.id,
        {
          type: 'control',
          action: 'released',
          role: 'worker',
          attempt: job.data.attempts[stage] ?? 1,
          round: job.round,
          message: `worker ${runtime.workerId} stopped during ${stage}; the next worker resumes at ${job.state}`,
        },
        { workerId: runtime.workerId },
      )
      .catch(() => {});
  }
  return job;
}

/**
 * A bug outside any stage (the store, the evidence folder): the job fails as `internal` instead of
 * being released, so no worker picks it up again and again.
 */
export async function failInternal(runtime: Runtime, jobId: string, error: unknown): Promise<void> {
  if (isFactoryFailure(error) && error.code === 'lease-lost') return;
  const job = await runtime.store.get(jobId).catch(() => undefined);
  if (!job || !isLive(job.state)) return;
  const stage = STAGE_FOR[job.state] ?? 'publish';
  const message = error instanceof Error ? error.message : String(error);
  await endJob(runtime, job, 'failed', stage, `internal error: ${message}`, {
    stage,
    state: job.state,
    code: 'internal',
    message,
    hint: 'this is a bug in factory; please report it with the job folder',
    ...(error instanceof Error && error.stack ? { logTail: error.stack } : {}),
  }).catch(() => {});
}
