/**
 * The job store: the one place processes share job state (ADR 10, "the store is the bus"). The CLI,
 * workers, and later the bot and the dashboard all read and write it at once; nothing is shared in
 * memory. Two backends implement it: ./sqlite.ts on one machine, ./postgres.ts for many (ADR 0150).
 * Every method is async; each write is one transaction, and every state change appends its event in the SAME transaction, so a subscriber
 * never sees a state without its event or the other way round.
 *
 * Writes on behalf of a worker name it (`workerId`): the store refuses them (`lease-lost`) once
 * another worker holds the job, so a worker that was presumed dead cannot overwrite the new one.
 */
import type { Job, JobData, JobEvent, NewJob, NewJobEvent, TransitionRequest, WorkerLease } from '../types.js';

export interface JobFilter {
  repo?: string;
  states?: Job['state'][];
  /** Newest first; default 100. */
  limit?: number;
}

export interface JobPatch {
  data?: JobData;
  round?: number;
  stoppedAt?: Job['state'] | null;
  runnable?: boolean;
  cancelRequested?: boolean;
}

export interface WriteOptions {
  /** The worker writing; refused unless it holds the job's lease. Absent = a person (CLI). */
  workerId?: string;
}

export interface ClaimOptions {
  workerId: string;
  host: string;
  pid: number;
  /** Process start time of `pid` (to tell a recycled pid from the worker). */
  pidStart: number | null;
  leaseMs: number;
  /** At most this many jobs of one repository held at once (default 2). */
  maxPerRepo: number;
  /** At most this many jobs held at once by workers on `host` (all repositories). */
  maxPerMachine?: number;
  /** Only jobs of this repository (the in-process `job run`). */
  repo?: string;
  /**
   * Only jobs of this shared remote (a worker started with `--repo-url`); null: only jobs without
   * one (a worker on the machine that has the repositories); absent: any.
   */
  remote?: string | null;
  /** Only this job. */
  jobId?: string;
  /**
   * Decides whether another worker's lease is dead although not expired yet (same host, pid gone):
   * the store cannot know, the caller's process table can.
   */
  isLeaseDead?: (lease: WorkerLease) => boolean;
}

export interface CancelResult {
  job: Job;
  /** true: no worker held it, the job is `cancelled` now. false: its worker was asked to stop. */
  immediate: boolean;
}

/**
 * The chat message that shows a job (ADR 0130): a bot sends one progress message per job and edits
 * it in place; keeping its ids here lets a restarted bot go on editing the same message.
 */
export interface ChatMessage {
  jobId: string;
  /** The chat channel: `telegram`. */
  channel: string;
  chatId: string;
  /** The bot's progress message. */
  messageId: number;
  /** The person's message the job came from (the link back), when there is one. */
  requestMessageId: number | null;
  /** Who asked, as the channel names them. */
  userId: string | null;
  /** The newest job event the message shows. */
  lastEventId: number;
  /** The message carrying the job's video; 0 = it could not be sent (the text links it); null = not yet. */
  videoMessageId: number | null;
  createdAt: string;
  updatedAt: string;
}

export type ChatMessageWrite = Omit<ChatMessage, 'createdAt' | 'updatedAt'>;
/** What a subscriber waits for: runnable work (workers) or new events (followers). */
export type WakeTopic = 'work' | 'events';

export interface JobStore {
  /** `sqlite` or `postgres`. */
  readonly backend: 'sqlite' | 'postgres';
  /** Where the data lives (file path or connection target without credentials). */
  readonly location: string;
  /** true: `wait` is woken by other processes' writes (LISTEN/NOTIFY); false: it only sleeps (polling). */
  readonly pushes: boolean;
  /**
   * Resolves when `topic` may have news — a job was queued, released or made runnable (`work`), an
   * event was written (`events`) — or after `ms`, or when `signal` aborts. A wake-up that arrived
   * since the last `wait` of this handle resolves it at once, so a caller that checks, then waits,
   * misses nothing.
   */
  wait(topic: WakeTopic, ms: number, signal?: AbortSignal): Promise<void>;
  create(job: NewJob): Promise<Job>;
  get(id: string): Promise<Job | undefined>;
  list(filter?: JobFilter): Promise<Job[]>;
  /** Legal transition (checked against the state machine and the current state) + its event. */
  transition(id: string, request: TransitionRequest, patch?: JobPatch, options?: WriteOptions): Promise<Job>;
  /** Stage results and flags, no state change. */
  update(id: string, patch: JobPatch, options?: WriteOptions): Promise<Job>;
  append(id: string, event: NewJobEvent, options?: WriteOptions): Promise<JobEvent>;
  /** Events with id > afterId, oldest first; of one job, or of every job when `jobId` is undefined. */
  events(options: { jobId?: string; afterId?: number; limit?: number }): Promise<JobEvent[]>;
  /** The newest event's id (0 when there is none): where a subscriber of "from now on" starts. */
  lastEventId(): Promise<number>;
  /**
   * Atomically take the oldest runnable job whose lease is free, expired or dead, within the
   * concurrency limits; undefined when there is none.
   */
  claim(options: ClaimOptions): Promise<Job | undefined>;
  /** Extend the lease; false when this worker no longer holds it. */
  heartbeat(id: string, workerId: string, leaseMs: number): Promise<{ held: boolean; cancelRequested: boolean }>;
  /** Give the lease up (end of a stage run, or a shutdown). */
  release(id: string, workerId: string): Promise<void>;
  /**
   * Cancel: a job no live worker holds becomes `cancelled` at once; a held one gets
   * `cancelRequested` and its worker stops it.
   */
  cancel(id: string, message: string, isLeaseDead?: ClaimOptions['isLeaseDead']): Promise<CancelResult>;
  /** Insert or replace the chat message of a job on a channel (one per job and channel). */
  saveChatMessage(message: ChatMessageWrite): Promise<ChatMessage>;
  /** The chat messages of a channel (oldest first), or of one job on it. */
  chatMessages(filter: { channel: string; jobId?: string }): Promise<ChatMessage[]>;
  close(): Promise<void>;
}
