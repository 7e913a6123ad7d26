/**
 * The job model: a request on its way to a reviewed change. `Job` is the row the store keeps (the
 * current state and every stage's durable result); `JobEvent` is one entry of its append-only
 * history (the bus every subscriber reads, ADR 10). The evidence manifest (job.json) is rendered from
 * both by ./evidence.ts; the vocabulary (states, roles, stages, plan, verdict) lives in src/publish
 * because publishers render it.
 */
import type {
  AgentRole,
  ArtifactLink,
  Cleanup,
  JobManifest,
  JobState,
  JobUsage,
  Plan,
  Role,
  Round,
  StageName,
} from '../publish/index.js';
import type { Transition } from './states.js';

export type {
  AgentRole,
  ArtifactLink,
  Cleanup,
  JobManifest,
  JobState,
  JobUsage,
  Plan,
  Role,
  Round,
  StageName,
} from '../publish/index.js';

/** Which agent plays a role. `command` = any executable (argv), prompt on stdin. */
export interface AgentSpec {
  agent: string;
  model?: string;
  /** With agent `command`: the executable and its arguments. */
  command?: string[];
}

/** Everything a job was asked to do with, resolved once when it is created (flags > contract > defaults). */
export interface JobConfig {
  /** The branch the job starts from. */
  base: string;
  /** Sandbox provider name: none, bwrap, docker, podman. */
  sandbox: string;
  roles: Record<AgentRole, AgentSpec>;
  /** Fix rounds after the first build for failing tests or feature scenario (default 2). */
  maxFixRounds: number;
  /** Test suites to run; empty = all the contract declares. */
  tests: string[];
  /** Globs (repo-relative) whose change needs `factory job approve` before publishing. */
  approvalPaths: string[];
  timeouts: {
    /** Per stage; a stage that overruns is stopped and fails (retried if its policy says so). */
    stageMs: Record<StageName, number>;
    /** The whole job, from first claim to ready_for_human_review. */
    jobMs: number;
    /** The agent printing nothing for this long is a failed attempt. */
    agentIdleMs: number;
  };
  /** How long the preview stays up once the job is ready for review; 0 = until closed. */
  previewTtlMs: number;
  /** Where the job's instance looks for a free port block (`--port-range`); default the runtime's. */
  portRange?: number;
  /** Jobs of this repository at once, when its contract sets `jobs.concurrency` (else the worker's limit). */
  concurrency?: number;
  /**
   * Where the review request goes, when the flags or the contract chose (else the worker's
   * publisher, `local` unless `factory worker --publisher github`).
   */
  publish?: PublishChoice;
}

/** A job's publisher: the local review page, or a GitHub pull request (docs/github.md). */
export interface PublishChoice {
  publisher: 'local' | 'github';
  /** github: the git remote (default origin). */
  remote?: string;
  /** github: OWNER/NAME when the remote's URL does not say it. */
  repo?: string;
  /** github: the REST API base (GitHub Enterprise). */
  apiUrl?: string;
  /** github: labels besides the factory's own. */
  labels?: string[];
}

/** A worker's claim on a job. It is valid until `expiresAt`; the holder renews it with heartbeats. */
export interface WorkerLease {
  workerId: string;
  /** Host name and pid, for `job show` and for leak reports. */
  host: string;
  pid: number;
  /** Start time of `pid` (clock ticks since boot), so a recycled pid is not taken for the worker. */
  pidStart: number | null;
  claimedAt: string;
  heartbeatAt: string;
  expiresAt: string;
}

export interface JobFailure {
  stage: StageName;
  state: JobState;
  code: string;
  message: string;
  hint?: string;
  logTail?: string;
  /** Relative to the job folder. */
  log?: string;
}

/**
 * The durable results of the stages, written before the transition that follows them (ADR 11), so a
 * resumed job never repeats a finished stage's work.
 */
export interface JobData {
  plan?: Plan;
  planUsage?: JobUsage;
  worktree?: { path: string; branch: string; baseCommit: string };
  sandbox?: { provider: string; stateDir: string };
  environment?: { worktreeId: string; urls: Record<string, string>; readyAt: string };
  /** Where the current round's work starts on the branch (its commits are `commit..HEAD`). */
  roundStart?: { round: number; commit: string };
  /** One entry per build round; the last is the current one. */
  rounds: Round[];
  /** The branch's change against the base, refreshed after every build. */
  diff?: NonNullable<JobManifest['diff']>;
  commits?: JobManifest['commits'];
  reviewRequest?: NonNullable<JobManifest['reviewRequest']>;
  approval?: { matched: string[]; approvedAt: string | null; approvedBy: string | null };
  /** Attempts started per stage in the current round (`attempt` of the events). */
  attempts: Partial<Record<StageName, number>>;
  /** Failed attempts per stage in the current round (the retry policy reads it). */
  failures?: Partial<Record<StageName, number>>;
  failure?: JobFailure;
  cleanup?: Cleanup;
  /** Set when ready_for_human_review: the preview's TTL end, or null for none. */
  previewExpiresAt?: string | null;
  /** Set when the preview was stopped (TTL, close, cancel). */
  previewStoppedAt?: string;
  /** First claim by a worker: the job-wide time budget counts from here. */
  startedAt?: string;
  /** When `job gc` removed the job's worktree, instance and sandbox state. */
  gcAt?: string;
}

export interface Job {
  id: string;
  /** Absolute path of the repository's root (on the machine that queued it). */
  repo: string;
  /**
   * The repository's shared git remote, set when the job was queued in a shared store
   * (PostgreSQL): workers on any machine (`factory worker --repo-url`) clone it and push the job's
   * branch there. null: a job for workers on the machine that has `repo`.
   */
  remote: string | null;
  /** The request text, verbatim. Data: never expanded, interpolated or run (ADR 12). */
  request: string;
  /** The request's first line, shortened. */
  title: string;
  state: JobState;
  /** For failed and cancelled jobs: the state they stopped in, which `retry` resumes. */
  stoppedAt: JobState | null;
  /** Current fix round: 1 for the first build. */
  round: number;
  config: JobConfig;
  data: JobData;
  /** Whether a worker should pick it up now (live, not waiting for a person, not running). */
  runnable: boolean;
  /** Set when `job cancel` asked a running worker to stop. */
  cancelRequested: boolean;
  lease: WorkerLease | null;
  createdAt: string;
  updatedAt: string;
  /** Bumped by every write; writes name the version they read (optimistic concurrency). */
  version: number;
}

/** What a new job starts with. */
export interface NewJob {
  id: string;
  repo: string;
  remote?: string;
  request: string;
  title: string;
  config: JobConfig;
}

interface EventBase {
  id: number;
  jobId: string;
  at: string;
  role: Role;
  /** 1-based attempt of the stage (transitions: the attempt that caused it). */
  attempt: number;
  round: number;
  message: string;
  artifacts: ArtifactLink[];
}

/**
 * One entry of a job's history.
 * - `transition`: the state changed (the seed's per-state record: time, from/to, role, attempt, message, links).
 * - `progress`: a line worth showing while a stage runs (agent text, a suite's result, a URL).
 * - `attempt`: a stage attempt failed and will (or will not) be retried.
 * - `control`: a person or a worker acted (claim, lease expired, cancel requested, approve).
 */
export type JobEvent =
  | (EventBase & { type: 'transition'; from: JobState | null; to: JobState })
  | (EventBase & { type: 'progress'; stage: StageName })
  | (EventBase & { type: 'attempt'; stage: StageName; retry: boolean; code: string })
  | (EventBase & { type: 'control'; action: string });

/** An event before the store gave it an id and a time. */
export type NewJobEvent = JobEvent extends infer E
  ? E extends JobEvent
    ? Omit<E, 'id' | 'jobId' | 'at' | 'artifacts'> & { artifacts?: ArtifactLink[] }
    : never
  : never;

/** A state change as the pipeline asks for it. */
export type TransitionRequest = Transition & {
  role: Role;
  attempt?: number;
  message: string;
  artifacts?: ArtifactLink[];
};
