/**
 * The job pipeline's public face (docs/jobs.md): a request becomes a reviewed, proven change.
 *
 *   const store = openJobStore();
 *   const job = await createJob(store, 'Show the number of projects in the page header', { repo });
 *   await startWorker({ store, publisher: localPublisher(), jobId: job.id, untilIdle: true }).done;
 */
export type * from './types.js';
export { JOB_STATES, ROLES, STAGES } from '../publish/index.js';
export {
  canTransition,
  checkTransition,
  isLive,
  LIVE_STATES,
  STAGE_FOR,
  type LiveState,
  type NextState,
  type Transition,
} from './states.js';
export {
  openJobStore,
  openSqliteJobStore,
  jobStorePath,
  type JobStore,
  type JobFilter,
  type ClaimOptions,
} from './store/index.js';
export { resolveJobConfig, DEFAULT_AGENT, DEFAULT_SANDBOX, type JobSettings } from './config.js';
export { JOB_DEFAULTS } from './defaults.js';
export {
  createJob,
  findJob,
  cancelJob,
  retryJob,
  approveJob,
  closeJob,
  MAX_REQUEST_CHARS,
  type CancelOutcome,
} from './controls.js';
export { startWorker, leaseIsDead, type WorkerOptions, type WorkerHandle } from './worker.js';
export { driveJob, refreshEvidence } from './pipeline.js';
export { followEvents, isSettled, type FollowOptions } from './notify.js';
export { gcJobs, type GcResult, type GcEntry, type Leak } from './gc.js';
export { buildManifest, writeManifest, evidenceDirOf } from './evidence.js';
export { newJobId, titleOf, branchOf, JOB_ID_RE } from './ids.js';
export { jobStrays } from './strays.js';
export { jobSchemas, summarize, eventJson, JobSummarySchema, JobEventSchema, type JobSummary } from './schema.js';
export { currentManifest, previewIsUp } from './show.js';
