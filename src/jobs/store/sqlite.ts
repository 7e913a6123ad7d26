/**
 * The embedded job store: one SQLite file per machine (`<machine state dir>/jobs.db`) through
 * `libsql` (better-sqlite3's API with a prebuilt binary, ADR 0070). WAL lets readers run beside the
 * one writer; every write is a `BEGIN IMMEDIATE` transaction (it takes the write lock up front, so
 * two claimers serialize instead of both reading "free" and both taking the job), and a busy
 * timeout makes a second process wait for the lock rather than fail.
 *
 * The driver is synchronous; the methods are async because the interface is (PostgreSQL). A
 * transaction is a few statements on one row, so holding the event loop for it is harmless.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import { sleep } from '../../lib/sleep.js';
import { checkTransition, isLive } from '../states.js';
import type { Job, JobEvent, NewJob, NewJobEvent, TransitionRequest } from '../types.js';
import { jobFinished, leaseLost, notFound, stateChanged } from './failures.js';
import { MIGRATIONS, migrationSql } from './migrations.js';
import {
  eventBody,
  eventFromRow,
  jobFromRow,
  repoKey,
  type EventRow,
  type JobRow,
  chatMessageFromRow,
  type ChatMessageRow,
} from './rows.js';
import type { CancelResult, ChatMessage, ClaimOptions, JobFilter, JobPatch, JobStore, WriteOptions } from './types.js';

/** A second process waits this long for the write lock before giving up. */
const BUSY_TIMEOUT_MS = 15_000;

type Db = InstanceType<typeof Database>;

function migrate(db: Db): void {
  const current = () => Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  for (const m of MIGRATIONS) {
    if (current() >= m.version) continue;
    db.transaction(() => {
      if (current() >= m.version) return; // another process applied it while we waited
      db.exec(migrationSql(m, 'sqlite'));
      db.exec(`PRAGMA user_version = ${m.version}`);
    }).immediate();
  }
}

export function openSqliteJobStore(file: string): JobStore {
  mkdirSync(dirname(file), { recursive: true });
  const db: Db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec('PRAGMA journal_mode = WAL');
  // NORMAL in WAL mode: a committed transaction survives the process being killed (not power loss).
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  migrate(db);

  const now = () => new Date();
  const row = (id: string) => db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  const mustRow = (id: string) => {
    const r = row(id);
    if (!r) throw notFound(id);
    return r;
  };
  const insertEvent = (jobId: string, e: NewJobEvent, at: string): JobEvent => {
    const r = db
      .prepare('INSERT INTO job_events (job_id, at, type, body) VALUES (?, ?, ?, ?)')
      .run(jobId, at, e.type, eventBody(e));
    const ev = db.prepare('SELECT * FROM job_events WHERE id = ?').get(Number(r.lastInsertRowid)) as EventRow;
    return eventFromRow(ev);
  };
  const applyPatch = (id: string, p: JobPatch, at: string, state?: string) => {
    const sets: string[] = ['updated_at = ?', 'version = version + 1'];
    const values: unknown[] = [at];
    const set = (column: string, value: unknown) => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (state !== undefined) set('state', state);
    if (p.data !== undefined) set('data', JSON.stringify(p.data));
    if (p.round !== undefined) set('round', p.round);
    if (p.stoppedAt !== undefined) set('stopped_at', p.stoppedAt);
    if (p.runnable !== undefined) set('runnable', p.runnable ? 1 : 0);
    if (p.cancelRequested !== undefined) set('cancel_requested', p.cancelRequested ? 1 : 0);
    db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
  };
  const checkLease = (r: JobRow, options: WriteOptions | undefined) => {
    if (options?.workerId !== undefined && r.lease_worker !== options.workerId) throw leaseLost(r.id);
  };
  const clearLease =
    'lease_worker = NULL, lease_host = NULL, lease_pid = NULL, lease_pid_start = NULL, lease_claimed_at = NULL, lease_heartbeat_at = NULL, lease_expires_at = NULL';
  const leaseLive = (r: JobRow, at: number, dead: ClaimOptions['isLeaseDead']) => {
    if (r.lease_worker === null || (r.lease_expires_at ?? 0) < at) return false;
    const lease = jobFromRow(r).lease;
    return !(lease && dead?.(lease));
  };
  const tx = <T>(fn: () => T): T => db.transaction(fn).immediate();

  const transitionTx = (id: string, req: TransitionRequest, patch: JobPatch, options?: WriteOptions): Job => {
    const r = mustRow(id);
    checkLease(r, options);
    if (r.state !== req.from) {
      throw stateChanged(id, req.from, r.state);
    }
    checkTransition(req.from, req.to);
    const at = now().toISOString();
    applyPatch(id, patch, at, req.to);
    insertEvent(
      id,
      {
        type: 'transition',
        from: req.from,
        to: req.to,
        role: req.role,
        attempt: req.attempt ?? 1,
        round: patch.round ?? r.round,
        message: req.message,
        artifacts: req.artifacts ?? [],
      },
      at,
    );
    return jobFromRow(mustRow(id));
  };

  const store: JobStore = {
    backend: 'sqlite',
    location: file,
    pushes: false,
    // One file, no server to push: a waiter sleeps and polls again.
    wait: (_topic, ms, signal) => sleep(ms, signal),
    async create(job: NewJob): Promise<Job> {
      return tx(() => {
        const at = now().toISOString();
        db.prepare(
          `INSERT INTO jobs (id, repo, remote, title, request, state, round, config, data, runnable, created_at, updated_at, version)
           VALUES (?, ?, ?, ?, ?, 'received', 1, ?, ?, 1, ?, ?, 1)`,
        ).run(
          job.id,
          job.repo,
          job.remote ?? null,
          job.title,
          job.request,
          JSON.stringify(job.config),
          JSON.stringify({ rounds: [], attempts: {} }),
          at,
          at,
        );
        insertEvent(
          job.id,
          {
            type: 'transition',
            from: null,
            to: 'received',
            role: 'human',
            attempt: 1,
            round: 1,
            message: 'request received',
          },
          at,
        );
        return jobFromRow(mustRow(job.id));
      });
    },
    async get(id) {
      const r = row(id);
      return r ? jobFromRow(r) : undefined;
    },
    async list(filter: JobFilter = {}) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.repo !== undefined) {
        where.push('repo = ?');
        values.push(filter.repo);
      }
      if (filter.states?.length) {
        where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
        values.push(...filter.states);
      }
      const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
      return (db.prepare(sql).all(...values, filter.limit ?? 100) as JobRow[]).map(jobFromRow);
    },
    async transition(id, request, patch = {}, options) {
      return tx(() => transitionTx(id, request, patch, options));
    },
    async update(id, patch, options) {
      return tx(() => {
        checkLease(mustRow(id), options);
        applyPatch(id, patch, now().toISOString());
        return jobFromRow(mustRow(id));
      });
    },
    async append(id, event, options) {
      return tx(() => {
        checkLease(mustRow(id), options);
        return insertEvent(id, event, now().toISOString());
      });
    },
    async events({ jobId, afterId = 0, limit = 1000 }) {
      const rows =
        jobId === undefined
          ? db.prepare('SELECT * FROM job_events WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit)
          : db
              .prepare('SELECT * FROM job_events WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?')
              .all(jobId, afterId, limit);
      return (rows as EventRow[]).map(eventFromRow);
    },
    async lastEventId() {
      return Number((db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM job_events').get() as { id: number }).id);
    },
    async claim(o: ClaimOptions) {
      return tx(() => {
        const t = now();
        const at = t.getTime();
        const held = (db.prepare('SELECT * FROM jobs WHERE lease_worker IS NOT NULL').all() as JobRow[]).filter((r) =>
          leaseLive(r, at, o.isLeaseDead),
        );
        const perRepo = new Map<string, number>();
        for (const r of held) perRepo.set(repoKey(r), (perRepo.get(repoKey(r)) ?? 0) + 1);
        const onHost = held.filter((r) => r.lease_host === o.host).length;
        if (o.maxPerMachine !== undefined && onHost >= o.maxPerMachine) return undefined;
        const where = ['runnable = 1', 'cancel_requested = 0'];
        const values: unknown[] = [];
        if (o.repo !== undefined) {
          where.push('repo = ?');
          values.push(o.repo);
        }
        if (o.remote === null) where.push('remote IS NULL');
        else if (o.remote !== undefined) {
          where.push('remote = ?');
          values.push(o.remote);
        }
        if (o.jobId !== undefined) {
          where.push('id = ?');
          values.push(o.jobId);
        }
        const candidates = db
          .prepare(`SELECT * FROM jobs WHERE ${where.join(' AND ')} ORDER BY seq`)
          .all(...values) as JobRow[];
        for (const r of candidates) {
          if (leaseLive(r, at, o.isLeaseDead)) continue;
          const limit = (JSON.parse(r.config) as { concurrency?: number }).concurrency ?? o.maxPerRepo;
          if ((perRepo.get(repoKey(r)) ?? 0) >= limit) continue;
          const stamp = t.toISOString();
          db.prepare(
            `UPDATE jobs SET lease_worker = ?, lease_host = ?, lease_pid = ?, lease_pid_start = ?, lease_claimed_at = ?,
               lease_heartbeat_at = ?, lease_expires_at = ?, version = version + 1, updated_at = ? WHERE id = ?`,
          ).run(o.workerId, o.host, o.pid, o.pidStart, stamp, stamp, at + o.leaseMs, stamp, r.id);
          const previous = r.lease_worker;
          insertEvent(
            r.id,
            {
              type: 'control',
              action: 'claimed',
              role: 'worker',
              attempt: 1,
              round: r.round,
              message: previous
                ? `worker ${o.workerId} (pid ${o.pid} on ${o.host}) resumes it at ${r.state}: the lease of ${previous} (pid ${r.lease_pid} on ${r.lease_host}) had expired`
                : `worker ${o.workerId} (pid ${o.pid} on ${o.host}) claimed it at ${r.state}`,
            },
            stamp,
          );
          return jobFromRow(mustRow(r.id));
        }
        return undefined;
      });
    },
    async heartbeat(id, workerId, leaseMs) {
      return tx(() => {
        const t = now();
        const r = db
          .prepare('UPDATE jobs SET lease_heartbeat_at = ?, lease_expires_at = ? WHERE id = ? AND lease_worker = ?')
          .run(t.toISOString(), t.getTime() + leaseMs, id, workerId);
        const cancel = db.prepare('SELECT cancel_requested FROM jobs WHERE id = ?').get(id) as
          | { cancel_requested: number }
          | undefined;
        return { held: r.changes === 1, cancelRequested: cancel?.cancel_requested === 1 };
      });
    },
    async release(id, workerId) {
      tx(() => db.prepare(`UPDATE jobs SET ${clearLease} WHERE id = ? AND lease_worker = ?`).run(id, workerId));
    },
    async cancel(id, message, isLeaseDead): Promise<CancelResult> {
      return tx(() => {
        const r = mustRow(id);
        const state = r.state as Job['state'];
        if (!isLive(state)) {
          throw jobFinished(id, state);
        }
        if (leaseLive(r, now().getTime(), isLeaseDead)) {
          applyPatch(id, { cancelRequested: true }, now().toISOString());
          insertEvent(
            id,
            { type: 'control', action: 'cancel-requested', role: 'human', attempt: 1, round: r.round, message },
            now().toISOString(),
          );
          return { job: jobFromRow(mustRow(id)), immediate: false };
        }
        db.prepare(`UPDATE jobs SET ${clearLease} WHERE id = ?`).run(id);
        const job = transitionTx(id, { from: state, to: 'cancelled', role: 'human', message } as TransitionRequest, {
          stoppedAt: state,
          runnable: false,
          cancelRequested: false,
        });
        return { job, immediate: true };
      });
    },
    async saveChatMessage(m): Promise<ChatMessage> {
      return tx(() => {
        mustRow(m.jobId);
        const at = now().toISOString();
        db.prepare(
          `INSERT INTO job_chat_messages (job_id, channel, chat_id, message_id, request_message_id, user_id,
             last_event_id, video_message_id, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (job_id, channel) DO UPDATE SET chat_id = excluded.chat_id, message_id = excluded.message_id,
             request_message_id = excluded.request_message_id, user_id = excluded.user_id,
             last_event_id = excluded.last_event_id, video_message_id = excluded.video_message_id,
             updated_at = excluded.updated_at`,
        ).run(
          m.jobId,
          m.channel,
          m.chatId,
          m.messageId,
          m.requestMessageId,
          m.userId,
          m.lastEventId,
          m.videoMessageId,
          at,
          at,
        );
        const r = db
          .prepare('SELECT * FROM job_chat_messages WHERE job_id = ? AND channel = ?')
          .get(m.jobId, m.channel) as ChatMessageRow;
        return chatMessageFromRow(r);
      });
    },
    async chatMessages({ channel, jobId }) {
      const rows =
        jobId === undefined
          ? db.prepare('SELECT * FROM job_chat_messages WHERE channel = ? ORDER BY created_at, job_id').all(channel)
          : db.prepare('SELECT * FROM job_chat_messages WHERE channel = ? AND job_id = ?').all(channel, jobId);
      return (rows as ChatMessageRow[]).map(chatMessageFromRow);
    },
    async close() {
      db.close();
    },
  };
  return store;
}
