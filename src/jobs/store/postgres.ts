/**
 * The shared job store: PostgreSQL through `pg`, for workers on many machines (ADR 0150). Same
 * tables and migrations as the embedded store (./migrations.ts), same row mapping (./rows.ts), same
 * contract (the suite in test/jobs/store-suite.ts runs against both).
 *
 * Concurrency, in PostgreSQL's own terms rather than a coordinator of ours:
 * - claim: the oldest free runnable row `FOR UPDATE SKIP LOCKED` (two claimers never wait on, nor
 *   take, the same row); the per-repository limit is counted under a transaction-level advisory
 *   lock on the repository's key, taken with `pg_try_advisory_xact_lock` (a claimer never waits
 *   for another: it skips a repository being claimed in right now and tries again at once), and
 *   the per-machine limit under one on the host;
 * - events: ids must become visible in id order, or a subscriber reading "after the last id"
 *   would skip one committed late. Every event insert takes one advisory lock right before it, as
 *   the transaction's last write, so event-writing transactions commit in id order;
 * - wake-ups: writes `NOTIFY factory_work` (a job queued, released or made runnable) and
 *   `NOTIFY factory_events` (an event written), delivered at commit; `wait` LISTENs on a
 *   connection of its own, opened on first use.
 */
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { sleep } from '../../lib/sleep.js';
import pg from 'pg';
import { checkTransition, isLive } from '../states.js';
import type { Job, JobEvent, NewJob, NewJobEvent, TransitionRequest } from '../types.js';
import { isStoreUnavailable, jobFinished, leaseLost, notFound, stateChanged } from './failures.js';
import { MIGRATIONS, migrationSql } from './migrations.js';
import {
  chatMessageFromRow,
  eventBody,
  eventFromRow,
  jobFromRow,
  repoKey,
  type ChatMessageRow,
  type EventRow,
  type JobRow,
} from './rows.js';
import type {
  CancelResult,
  ChatMessage,
  ClaimOptions,
  JobFilter,
  JobPatch,
  JobStore,
  WakeTopic,
  WriteOptions,
} from './types.js';

/** Advisory lock keys (first half: this application; second: what it guards). */
const LOCK = { app: 7421, migrate: 1, events: 2, host: 7422, repo: 7423 } as const;
const CHANNEL: Record<WakeTopic, string> = { work: 'factory_work', events: 'factory_events' };
/** Connections per process: a worker's heartbeats, claims and stage writes rarely overlap more. */
const POOL_SIZE = 4;
/** A claim that found every candidate repository being claimed in by others tries again this often. */
const CONTENDED_RETRIES = 20;

type Client = pg.PoolClient;
interface Tx {
  c: Client;
  notify: Set<WakeTopic>;
}

/** The connection target without credentials: `postgres://host:port/db`. */
export function locationOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

// BIGINT columns (seq, event ids, lease expiry) as numbers: they stay far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function unreachable(location: string, error: unknown): FactoryFailure {
  const message = error instanceof Error ? error.message : String(error);
  return new FactoryFailure('job-store-unreachable', `cannot open the job store at ${location}: ${message}`, {
    exitCode: ExitCode.unavailable,
    hint: 'check FACTORY_JOBS_DATABASE_URL (or --store) and that PostgreSQL accepts connections there',
  });
}

const CLEAR_LEASE =
  'lease_worker = NULL, lease_host = NULL, lease_pid = NULL, lease_pid_start = NULL, lease_claimed_at = NULL, lease_heartbeat_at = NULL, lease_expires_at = NULL';

export function openPostgresJobStore(url: string): JobStore {
  const location = locationOf(url);
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types });
  // An idle connection the server closed: the pool drops it; the next query opens another.
  pool.on('error', () => {});
  // A checked-out one (a transaction between two queries when the server shuts down) emits its
  // error on the client, which would crash the process: the query in flight fails instead, and the
  // client is released as broken (below).
  pool.on('connect', (client) => client.on('error', () => {}));

  const migrate = async () => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK.app, LOCK.migrate]);
      await c.query('CREATE TABLE IF NOT EXISTS factory_schema (version INTEGER NOT NULL)');
      const at = Number((await c.query('SELECT COALESCE(MAX(version), 0) AS v FROM factory_schema')).rows[0]?.v ?? 0);
      for (const m of MIGRATIONS) {
        if (m.version <= at) continue;
        await c.query(migrationSql(m, 'postgres'));
        await c.query('INSERT INTO factory_schema (version) VALUES ($1)', [m.version]);
      }
      await c.query('COMMIT');
    } catch (error) {
      await c.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      c.release();
    }
  };
  const ready = migrate().catch((error: unknown) => {
    throw unreachable(location, error);
  });
  ready.catch(() => {}); // surfaced by the first method that awaits it

  const tx = async <T>(fn: (t: Tx) => Promise<T>): Promise<T> => {
    await ready;
    const c = await pool.connect();
    const t: Tx = { c, notify: new Set() };
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      const result = await fn(t);
      for (const topic of t.notify) await c.query('SELECT pg_notify($1, $2)', [CHANNEL[topic], '']);
      await c.query('COMMIT');
      return result;
    } catch (error) {
      if (isStoreUnavailable(error)) broken = error as Error;
      else await c.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      c.release(broken); // a broken connection is closed, not handed to the next caller
    }
  };
  const query = async <R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> => {
    await ready;
    return (await pool.query<R>(sql, values)).rows;
  };

  const now = () => new Date();
  const row = async (c: Client, id: string, lock = false) =>
    (await c.query<JobRow>(`SELECT * FROM jobs WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];
  const mustRow = async (c: Client, id: string, lock = false) => {
    const r = await row(c, id, lock);
    if (!r) throw notFound(id);
    return r;
  };
  /** Always a transaction's last write (see the header: events commit in id order). */
  const insertEvent = async (t: Tx, jobId: string, e: NewJobEvent, at: string): Promise<JobEvent> => {
    await t.c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK.app, LOCK.events]);
    const r = await t.c.query<EventRow>(
      'INSERT INTO job_events (job_id, at, type, body) VALUES ($1, $2, $3, $4) RETURNING *',
      [jobId, at, e.type, eventBody(e)],
    );
    t.notify.add('events');
    return eventFromRow(r.rows[0] as EventRow);
  };
  const applyPatch = async (t: Tx, id: string, p: JobPatch, at: string, state?: string) => {
    const sets: string[] = ['updated_at = $1', 'version = version + 1'];
    const values: unknown[] = [at];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (state !== undefined) set('state', state);
    if (p.data !== undefined) set('data', JSON.stringify(p.data));
    if (p.round !== undefined) set('round', p.round);
    if (p.stoppedAt !== undefined) set('stopped_at', p.stoppedAt);
    if (p.runnable !== undefined) set('runnable', p.runnable ? 1 : 0);
    if (p.cancelRequested !== undefined) set('cancel_requested', p.cancelRequested ? 1 : 0);
    if (p.runnable === true) t.notify.add('work');
    values.push(id);
    await t.c.query(`UPDATE jobs SET ${sets.join(', ')} WHERE id = $${values.length}`, values);
  };
  const checkLease = (r: JobRow, options: WriteOptions | undefined) => {
    if (options?.workerId !== undefined && r.lease_worker !== options.workerId) throw leaseLost(r.id);
  };
  const leaseLive = (r: JobRow, at: number, dead: ClaimOptions['isLeaseDead']) => {
    if (r.lease_worker === null || (r.lease_expires_at ?? 0) < at) return false;
    const lease = jobFromRow(r).lease;
    return !(lease && dead?.(lease));
  };

  const transitionTx = async (
    t: Tx,
    id: string,
    req: TransitionRequest,
    patch: JobPatch,
    options?: WriteOptions,
  ): Promise<Job> => {
    const r = await mustRow(t.c, id, true);
    checkLease(r, options);
    if (r.state !== req.from) throw stateChanged(id, req.from, r.state);
    checkTransition(req.from, req.to);
    const at = now().toISOString();
    await applyPatch(t, id, patch, at, req.to);
    await insertEvent(
      t,
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
    return jobFromRow(await mustRow(t.c, id));
  };

  /** One claim attempt: the job, or why there is none (`contended`: a repository was being claimed in). */
  const claimOnce = async (o: ClaimOptions): Promise<{ job?: Job; contended: boolean }> =>
    tx(async (t) => {
      const { c } = t;
      const clock = now();
      const at = clock.getTime();
      if (o.maxPerMachine !== undefined) {
        await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK.host, o.host]);
      }
      // The claimer's own host's leases: the only ones its process table can tell dead.
      const mine = (
        await c.query<JobRow>(
          'SELECT * FROM jobs WHERE lease_worker IS NOT NULL AND lease_expires_at >= $1 AND lease_host = $2',
          [at, o.host],
        )
      ).rows;
      const dead = mine.filter((r) => !leaseLive(r, at, o.isLeaseDead)).map((r) => r.id);
      if (o.maxPerMachine !== undefined && mine.length - dead.length >= o.maxPerMachine) return { contended: false };
      const skip: string[] = [];
      let contended = false;
      for (;;) {
        const where = [
          'runnable = 1',
          'cancel_requested = 0',
          '(lease_worker IS NULL OR lease_expires_at < $1 OR id = ANY($2))',
          'COALESCE(remote, repo) <> ALL($3)',
        ];
        const values: unknown[] = [at, dead, skip];
        const filter = (sql: string, value: unknown) => {
          values.push(value);
          where.push(`${sql} $${values.length}`);
        };
        if (o.repo !== undefined) filter('repo =', o.repo);
        if (o.remote === null) where.push('remote IS NULL');
        else if (o.remote !== undefined) filter('remote =', o.remote);
        if (o.jobId !== undefined) filter('id =', o.jobId);
        const r = (
          await c.query<JobRow>(
            `SELECT * FROM jobs WHERE ${where.join(' AND ')} ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
            values,
          )
        ).rows[0];
        if (!r) return { contended };
        const key = repoKey(r);
        skip.push(key);
        const locked = (
          await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok', [LOCK.repo, key])
        ).rows[0]?.ok;
        if (!locked) {
          contended = true;
          continue;
        }
        const held = Number(
          (
            await c.query<{ n: number }>(
              `SELECT COUNT(*)::int AS n FROM jobs WHERE COALESCE(remote, repo) = $1 AND lease_worker IS NOT NULL
                 AND lease_expires_at >= $2 AND NOT (id = ANY($3))`,
              [key, at, dead],
            )
          ).rows[0]?.n ?? 0,
        );
        const limit = (JSON.parse(r.config) as { concurrency?: number }).concurrency ?? o.maxPerRepo;
        if (held >= limit) continue;
        const stamp = clock.toISOString();
        await c.query(
          `UPDATE jobs SET lease_worker = $1, lease_host = $2, lease_pid = $3, lease_pid_start = $4, lease_claimed_at = $5,
             lease_heartbeat_at = $5, lease_expires_at = $6, version = version + 1, updated_at = $5 WHERE id = $7`,
          [o.workerId, o.host, o.pid, o.pidStart, stamp, at + o.leaseMs, r.id],
        );
        const previous = r.lease_worker;
        await insertEvent(
          t,
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
        return { job: jobFromRow(await mustRow(c, r.id)), contended };
      }
    });

  // Wake-ups: one LISTEN connection per handle, opened by the first wait.
  let listening: Promise<boolean> | undefined;
  let listener: pg.Client | undefined;
  const pending: Record<WakeTopic, boolean> = { work: false, events: false };
  const waiters = new Set<{ topic: WakeTopic; wake: () => void }>();
  const listen = () => {
    listening ??= (async () => {
      await ready;
      const client = new pg.Client({ connectionString: url, types });
      client.on('notification', (n) => {
        const topic: WakeTopic = n.channel === CHANNEL.work ? 'work' : 'events';
        let woke = false;
        for (const w of waiters) {
          if (w.topic !== topic) continue;
          woke = true;
          w.wake();
        }
        if (!woke) pending[topic] = true;
      });
      client.on('error', () => {
        // The server went away: waits sleep their full time until a later wait listens again.
        listening = undefined;
        listener = undefined;
      });
      await client.connect();
      await client.query(`LISTEN ${CHANNEL.work}; LISTEN ${CHANNEL.events}`);
      listener = client;
      return true;
    })().catch(() => {
      listening = undefined;
      return false;
    });
    return listening;
  };
  let closed = false;

  const store: JobStore = {
    backend: 'postgres',
    location,
    pushes: true,
    async wait(topic, ms, signal) {
      if (closed || signal?.aborted) return;
      const fresh = listening === undefined;
      const ok = await listen();
      // Just started listening: what happened before is unknown, so the caller looks again first.
      if (fresh && ok) return;
      if (pending[topic]) {
        pending[topic] = false;
        return;
      }
      await new Promise<void>((resolve) => {
        const stop = new AbortController();
        const w = {
          topic,
          wake: () => {
            waiters.delete(w);
            stop.abort();
          },
        };
        waiters.add(w);
        const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
        sleep(ms, both).then(() => {
          waiters.delete(w);
          resolve();
        });
      });
    },
    async create(job: NewJob): Promise<Job> {
      return tx(async (t) => {
        const at = now().toISOString();
        await t.c.query(
          `INSERT INTO jobs (id, repo, remote, title, request, state, round, config, data, runnable, created_at, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, 'received', 1, $6, $7, 1, $8, $8, 1)`,
          [
            job.id,
            job.repo,
            job.remote ?? null,
            job.title,
            job.request,
            JSON.stringify(job.config),
            JSON.stringify({ rounds: [], attempts: {} }),
            at,
          ],
        );
        t.notify.add('work');
        await insertEvent(
          t,
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
        return jobFromRow(await mustRow(t.c, job.id));
      });
    },
    async get(id) {
      const r = (await query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]))[0];
      return r ? jobFromRow(r) : undefined;
    },
    async list(filter: JobFilter = {}) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.repo !== undefined) {
        values.push(filter.repo);
        where.push(`repo = $${values.length}`);
      }
      if (filter.states?.length) {
        values.push(filter.states);
        where.push(`state = ANY($${values.length})`);
      }
      values.push(filter.limit ?? 100);
      const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${values.length}`;
      return (await query<JobRow>(sql, values)).map(jobFromRow);
    },
    async transition(id, request, patch = {}, options) {
      return tx((t) => transitionTx(t, id, request, patch, options));
    },
    async update(id, patch, options) {
      return tx(async (t) => {
        checkLease(await mustRow(t.c, id, true), options);
        await applyPatch(t, id, patch, now().toISOString());
        return jobFromRow(await mustRow(t.c, id));
      });
    },
    async append(id, event, options) {
      return tx(async (t) => {
        checkLease(await mustRow(t.c, id, true), options);
        return insertEvent(t, id, event, now().toISOString());
      });
    },
    async events({ jobId, afterId = 0, limit = 1000 }) {
      const rows =
        jobId === undefined
          ? await query<EventRow>('SELECT * FROM job_events WHERE id > $1 ORDER BY id LIMIT $2', [afterId, limit])
          : await query<EventRow>('SELECT * FROM job_events WHERE job_id = $1 AND id > $2 ORDER BY id LIMIT $3', [
              jobId,
              afterId,
              limit,
            ]);
      return rows.map(eventFromRow);
    },
    async lastEventId() {
      return Number((await query<{ id: number }>('SELECT COALESCE(MAX(id), 0) AS id FROM job_events'))[0]?.id ?? 0);
    },
    async claim(o: ClaimOptions) {
      for (let round = 0; ; round++) {
        const { job, contended } = await claimOnce(o);
        if (job || !contended || round >= CONTENDED_RETRIES) return job;
        await sleep(2 + round * 2);
      }
    },
    async heartbeat(id, workerId, leaseMs) {
      const t = now();
      const beat = await query<{ cancel_requested: number }>(
        'UPDATE jobs SET lease_heartbeat_at = $1, lease_expires_at = $2 WHERE id = $3 AND lease_worker = $4 RETURNING cancel_requested',
        [t.toISOString(), t.getTime() + leaseMs, id, workerId],
      );
      if (beat[0]) return { held: true, cancelRequested: beat[0].cancel_requested === 1 };
      const r = (await query<{ cancel_requested: number }>('SELECT cancel_requested FROM jobs WHERE id = $1', [id]))[0];
      return { held: false, cancelRequested: r?.cancel_requested === 1 };
    },
    async release(id, workerId) {
      await tx(async (t) => {
        const r = await t.c.query(`UPDATE jobs SET ${CLEAR_LEASE} WHERE id = $1 AND lease_worker = $2`, [id, workerId]);
        if (r.rowCount) t.notify.add('work');
      });
    },
    async cancel(id, message, isLeaseDead): Promise<CancelResult> {
      return tx(async (t) => {
        const r = await mustRow(t.c, id, true);
        const state = r.state as Job['state'];
        if (!isLive(state)) throw jobFinished(id, state);
        if (leaseLive(r, now().getTime(), isLeaseDead)) {
          await applyPatch(t, id, { cancelRequested: true }, now().toISOString());
          await insertEvent(
            t,
            id,
            { type: 'control', action: 'cancel-requested', role: 'human', attempt: 1, round: r.round, message },
            now().toISOString(),
          );
          return { job: jobFromRow(await mustRow(t.c, id)), immediate: false };
        }
        await t.c.query(`UPDATE jobs SET ${CLEAR_LEASE} WHERE id = $1`, [id]);
        const job = await transitionTx(
          t,
          id,
          { from: state, to: 'cancelled', role: 'human', message } as TransitionRequest,
          {
            stoppedAt: state,
            runnable: false,
            cancelRequested: false,
          },
        );
        return { job, immediate: true };
      });
    },
    async saveChatMessage(m): Promise<ChatMessage> {
      return tx(async (t) => {
        await mustRow(t.c, m.jobId);
        const at = now().toISOString();
        const r = await t.c.query<ChatMessageRow>(
          `INSERT INTO job_chat_messages (job_id, channel, chat_id, message_id, request_message_id, user_id,
             last_event_id, video_message_id, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
           ON CONFLICT (job_id, channel) DO UPDATE SET chat_id = excluded.chat_id, message_id = excluded.message_id,
             request_message_id = excluded.request_message_id, user_id = excluded.user_id,
             last_event_id = excluded.last_event_id, video_message_id = excluded.video_message_id,
             updated_at = excluded.updated_at
           RETURNING *`,
          [
            m.jobId,
            m.channel,
            m.chatId,
            m.messageId,
            m.requestMessageId,
            m.userId,
            m.lastEventId,
            m.videoMessageId,
            at,
          ],
        );
        return chatMessageFromRow(r.rows[0] as ChatMessageRow);
      });
    },
    async chatMessages({ channel, jobId }) {
      const rows =
        jobId === undefined
          ? await query<ChatMessageRow>(
              'SELECT * FROM job_chat_messages WHERE channel = $1 ORDER BY created_at, job_id',
              [channel],
            )
          : await query<ChatMessageRow>('SELECT * FROM job_chat_messages WHERE channel = $1 AND job_id = $2', [
              channel,
              jobId,
            ]);
      return rows.map(chatMessageFromRow);
    },
    async close() {
      closed = true;
      for (const w of waiters) w.wake();
      await listening;
      await listener?.end().catch(() => {});
      await pool.end();
    },
  };
  return store;
}
