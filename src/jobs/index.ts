/**
 * The job pipeline's public face (docs/jobs.md): a request becomes a reviewed, proven change.
 *
 *   const store = openJobStore();
 *   const job = await createJob(store, 'Show the number of projects in the page header', { repo }, process.env);
 *   await startWorker({ store, publisher: localPublisher(), jobId: job.id, untilIdle: true }).done;
 */
export type { Job, JobConfig, JobEvent, JobManifest, JobState, PublishChoice } from './types.js';
export { JOB_STATES } from '../publish/index.js';
export { canTransition, isLive, STAGE_FOR, type LiveState, type Transition } from './states.js';
export { openJobStore, openSqliteJobStore, openPostgresJobStore, jobStorePath, type JobStore } from './store/index.js';
export type { ChatMessage } from './store/types.js';
export type { JobSettings } from './config.js';
export { JOB_DEFAULTS } from './defaults.js';
export { createJob, findJob, cancelJob, retryJob, approveJob, closeJob, type CancelOutcome } from './controls.js';
export { startWorker, type WorkerOptions, type WorkerHandle } from './worker.js';
export { normalizeRemote } from './remote.js';
export { followEvents, isSettled, type FollowOptions } from './notify.js';
export { gcJobs, type GcResult } from './gc.js';
export { syncJobs, type SyncEntry } from './sync.js';
export { currentManifest } from './show.js';
export { jobSchemas, summarize, eventJson, JobSummarySchema, JobEventSchema } from './schema.js';
export { evidenceDirOf } from './evidence.js';
