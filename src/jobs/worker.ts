/**
 * The worker: claims runnable jobs from the store and drives them (./pipeline.ts), up to
 * `concurrency` at once, within the store's per-repository and per-machine limits. Each job it
 * holds has a lease renewed by a heartbeat (every third of the lease); a heartbeat that finds the
 * lease gone stops the job's run (`lease-lost`), one that finds a cancel request stops it as
 * cancelled. A worker killed with -9 simply stops renewing: its leases expire — or, on the same
 * machine, are seen dead at once (pid + start time) — and the next worker resumes each job from
 * its last durable state, first killing whatever the dead worker's agents left running.
 *
 *   idle ──claim──▶ driving job ──(ends | waits | stop)──▶ release ──▶ idle
 *                     ▲    │ heartbeat every lease/3: held? cancel requested?
 *                     └────┘
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { identityOf, machineStateDir, processAlive } from '../services/index.js';
import type { Publisher } from '../publish/index.js';
import type { Runtime } from './context.js';
import { JOB_DEFAULTS } from './defaults.js';
import { PUSHED_POLL_MS } from './notify.js';
import { driveJob, failInternal, type StopReason } from './pipeline.js';
import { stopExpiredPreviews } from './previews.js';
import { syncJobs } from './sync.js';
import { localView, remoteRepo } from './remote.js';
import { sleep } from '../lib/sleep.js';
import { isStoreUnavailable } from './store/failures.js';
import type { JobStore } from './store/types.js';
import { killJobStrays } from './strays.js';
import type { Job, WorkerLease } from './types.js';

export interface WorkerOptions {
  store: JobStore;
  publisher: Publisher;
  concurrency?: number;
  leaseMs?: number;
  maxPerRepo?: number;
  maxPerMachine?: number;
  /** Only jobs of this repository / only this job (`job run`). */
  repo?: string;
  /**
   * A worker for a shared remote (another machine): it takes only that remote's jobs, runs them in
   * its own clone under `clonesDir` and pushes their branches there (./remote.ts). Without it the
   * worker takes only jobs queued without a remote (whose repository path is on this machine).
   */
  repoUrl?: string;
  /** Where the clones live (default `<machine state dir>/clones`). */
  clonesDir?: string;
  /** This worker's port range for the jobs' instances (with `repoUrl`; default the job's). */
  portRange?: number;
  jobId?: string;
  /** Stop once there is nothing runnable left (instead of waiting for more). */
  untilIdle?: boolean;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called when the worker takes a job (to follow its events). */
  onClaim?: (job: Job) => void;
  /** How often the review requests of jobs ready for review are read (`job sync`; default 2 min). */
  syncMs?: number;
  /** Called when a job the worker drove stops (ended, waiting, or released). */
  onJobDone?: (job: Job) => void;
  /**
   * Called when the store cannot be reached (PostgreSQL restarting, the network): the worker waits
   * `retryInMs` and asks again, backing off from 1 s to 30 s, instead of ending; `null` error: it
   * answers again.
   */
  onStoreOutage?: (error: unknown | null, retryInMs: number) => void;
}

const HOST = hostname();
/** A store outage: the first wait before asking again, doubling up to the last. */
const OUTAGE_FIRST_MS = 1_000;
const OUTAGE_MAX_MS = 30_000;

/**
 * The name a worker's leases carry: `FACTORY_WORKER_HOST`, else the host name. Containers and test
 * rigs standing in for machines give each worker its own.
 */
export function workerHost(env: NodeJS.ProcessEnv = process.env): string {
  return env.FACTORY_WORKER_HOST || HOST;
}

/** Same host and the worker's process is gone (pid + start time), whatever the lease's expiry says. */
export function leaseIsDead(lease: WorkerLease, host = HOST): boolean {
  if (lease.host !== host) return false;
  if (lease.pidStart === null) return identityOf(lease.pid) === undefined;
  return !processAlive({ pid: lease.pid, startTime: lease.pidStart });
}

export interface WorkerHandle {
  readonly id: string;
  /** Resolves when the worker has stopped (signal aborted, or idle with `untilIdle`). */
  done: Promise<void>;
}

export function startWorker(o: WorkerOptions): WorkerHandle {
  const id = `w-${randomBytes(4).toString('hex')}`;
  const leaseMs = o.leaseMs ?? JOB_DEFAULTS.leaseMs;
  const concurrency = Math.max(1, o.concurrency ?? 1);
  const me = identityOf(process.pid);
  const env = o.env ?? process.env;
  const host = workerHost(env);
  const remote = o.repoUrl ? remoteRepo(o.repoUrl, o.clonesDir ?? join(machineStateDir(env), 'clones')) : undefined;
  const store = remote ? localView(o.store, remote, o.portRange) : o.store;
  const runtime: Runtime = {
    store,
    workerId: id,
    publisher: o.publisher,
    env,
    ...(remote ? { beforeRecord: (job: Job) => remote.push(job) } : {}),
  };
  const running = new Map<string, Promise<void>>();

  const drive = async (job: Job) => {
    const stop = new AbortController();
    const stopWith = (reason: StopReason) => {
      if (!stop.signal.aborted) stop.abort(reason);
    };
    const onOuter = () => stopWith('shutdown');
    o.signal?.addEventListener('abort', onOuter, { once: true });
    const beat = setInterval(
      () => {
        store.heartbeat(job.id, id, leaseMs).then(
          (h) => {
            if (!h.held) stopWith('lease-lost');
            else if (h.cancelRequested) stopWith('cancel');
          },
          () => {},
        );
      },
      Math.max(50, Math.min(leaseMs / 3, JOB_DEFAULTS.cancelPollMs)),
    );
    try {
      killJobStrays(job.id);
      if (remote) await remote.prepare(store, job, id);
      const left = await driveJob(runtime, job.id, stop.signal);
      o.onJobDone?.(left);
    } finally {
      clearInterval(beat);
      o.signal?.removeEventListener('abort', onOuter);
      await store.release(job.id, id).catch(() => {});
    }
  };

  const loop = async () => {
    let idle = JOB_DEFAULTS.idlePollMs / 10;
    let lastPreviewSweep = 0;
    let lastSync = 0;
    let outage = 0;
    while (!o.signal?.aborted) {
      if (Date.now() - lastPreviewSweep > 30_000 && !o.jobId) {
        lastPreviewSweep = Date.now();
        await stopExpiredPreviews(store, runtime).catch(() => {});
      }
      if (Date.now() - lastSync > (o.syncMs ?? JOB_DEFAULTS.syncMs) && !o.jobId) {
        lastSync = Date.now();
        // A GitHub that is down now is asked again next time; the job waits as it is.
        await syncJobs(store, runtime, o.repo ? { repo: o.repo } : {}).catch(() => {});
      }
      let claimed: Job | undefined;
      if (running.size < concurrency) {
        try {
          claimed = await store.claim({
            workerId: id,
            host,
            pid: process.pid,
            pidStart: me?.startTime ?? null,
            leaseMs,
            maxPerRepo: o.maxPerRepo ?? JOB_DEFAULTS.maxPerRepo,
            maxPerMachine: o.maxPerMachine ?? JOB_DEFAULTS.maxPerMachine,
            ...(o.repo ? { repo: o.repo } : {}),
            ...(o.jobId ? { jobId: o.jobId } : {}),
            ...(remote ? { remote: remote.remote } : o.jobId ? {} : { remote: null }),
            isLeaseDead: (lease) => leaseIsDead(lease, host),
          });
          if (outage > 0) o.onStoreOutage?.(null, 0);
          outage = 0;
        } catch (error) {
          if (!isStoreUnavailable(error)) throw error;
          // The jobs this worker holds keep their leases while heartbeats get through; a job whose
          // lease runs out meanwhile is taken over like a dead worker's (ADR 0112).
          const wait = Math.min(OUTAGE_FIRST_MS * 2 ** outage, OUTAGE_MAX_MS);
          outage++;
          o.onStoreOutage?.(error, wait);
          await sleep(wait, o.signal);
          continue;
        }
      }
      if (claimed) {
        idle = JOB_DEFAULTS.idlePollMs / 10;
        o.onClaim?.(claimed);
        const jobId = claimed.id;
        const p = drive(claimed)
          .catch((error) => failInternal(runtime, jobId, error))
          // The store could not take even the failure: the lease runs out and the job is resumed.
          .catch((error: unknown) => {
            if (!isStoreUnavailable(error)) throw error;
          })
          .finally(() => running.delete(jobId));
        running.set(jobId, p);
        continue;
      }
      if (o.untilIdle && running.size === 0) break;
      if (running.size >= concurrency) {
        // Full: the next chance to claim is one of ours ending.
        await Promise.race([sleep(idle, o.signal), ...running.values()]);
      } else if (store.pushes) {
        // Woken by NOTIFY when a job is queued, released or made runnable; the timer is for leases
        // that expire (nobody notifies those).
        await store.wait('work', PUSHED_POLL_MS, o.signal);
      } else {
        await sleep(idle, o.signal);
      }
      idle = Math.min(idle * 2, JOB_DEFAULTS.idlePollMs);
    }
    await Promise.allSettled([...running.values()]);
  };

  return { id, done: loop() };
}
