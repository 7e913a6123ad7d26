/**
 * Rows ⇄ values for the SQL backends: a job's columns and its JSON documents (config, data), an
 * event's fixed columns and its JSON body. Shared, so both backends map the same way.
 */
import type { Job, JobEvent, NewJobEvent, WorkerLease } from '../types.js';
import type { ChatMessage } from './types.js';

export interface JobRow {
  id: string;
  repo: string;
  remote: string | null;
  title: string;
  request: string;
  state: string;
  stopped_at: string | null;
  round: number;
  config: string;
  data: string;
  runnable: number;
  cancel_requested: number;
  lease_worker: string | null;
  lease_host: string | null;
  lease_pid: number | null;
  lease_pid_start: number | null;
  lease_claimed_at: string | null;
  lease_heartbeat_at: string | null;
  lease_expires_at: number | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface EventRow {
  id: number;
  job_id: string;
  at: string;
  type: string;
  body: string;
}

function leaseOf(r: JobRow): WorkerLease | null {
  if (r.lease_worker === null) return null;
  return {
    workerId: r.lease_worker,
    host: r.lease_host ?? '',
    pid: r.lease_pid ?? 0,
    pidStart: r.lease_pid_start,
    claimedAt: r.lease_claimed_at ?? '',
    heartbeatAt: r.lease_heartbeat_at ?? '',
    expiresAt: new Date(r.lease_expires_at ?? 0).toISOString(),
  };
}

export function jobFromRow(r: JobRow): Job {
  return {
    id: r.id,
    repo: r.repo,
    remote: r.remote ?? null,
    title: r.title,
    request: r.request,
    state: r.state as Job['state'],
    stoppedAt: r.stopped_at as Job['stoppedAt'],
    round: r.round,
    config: JSON.parse(r.config) as Job['config'],
    data: JSON.parse(r.data) as Job['data'],
    runnable: r.runnable === 1,
    cancelRequested: r.cancel_requested === 1,
    lease: leaseOf(r),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

export function eventFromRow(r: EventRow): JobEvent {
  return { ...(JSON.parse(r.body) as object), id: r.id, jobId: r.job_id, at: r.at, type: r.type } as JobEvent;
}

/** The JSON body of an event: everything but the columns. */
export function eventBody(e: NewJobEvent): string {
  const { type: _type, ...rest } = e;
  return JSON.stringify({ artifacts: [], ...rest });
}

export interface ChatMessageRow {
  job_id: string;
  channel: string;
  chat_id: string;
  message_id: number;
  request_message_id: number | null;
  user_id: string | null;
  last_event_id: number;
  video_message_id: number | null;
  created_at: string;
  updated_at: string;
}

export function chatMessageFromRow(r: ChatMessageRow): ChatMessage {
  return {
    jobId: r.job_id,
    channel: r.channel,
    chatId: r.chat_id,
    messageId: Number(r.message_id),
    requestMessageId: r.request_message_id === null ? null : Number(r.request_message_id),
    userId: r.user_id,
    lastEventId: Number(r.last_event_id),
    videoMessageId: r.video_message_id === null ? null : Number(r.video_message_id),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** What the per-repository limit counts by: the shared remote when there is one, else the path. */
export function repoKey(r: Pick<JobRow, 'repo' | 'remote'>): string {
  return r.remote ?? r.repo;
}
