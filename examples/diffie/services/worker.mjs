/**
 * worker — processes the `jobs` table: claims a queued job with FOR UPDATE SKIP LOCKED (so several
 * workers never take the same job), computes the project's word summary and stores it. It wakes on
 * NOTIFY jobs (event-driven) and also sweeps every few seconds for work queued while it was
 * disconnected. Serves `/health` on WORKER_PORT: the api calls it when the register step registers
 * this worker.
 */
import { createServer } from 'node:http';
import { createPool, listen } from '../lib/db.mjs';
import { logger, onShutdown, requireEnv, requirePort } from '../lib/env.mjs';
import { sendJson } from '../lib/http.mjs';
import { summarize } from '../lib/summary.mjs';

const log = logger('worker');
const port = requirePort('WORKER_PORT');
const name = process.env.WORKER_NAME ?? 'summary-worker';
const databaseUrl = requireEnv('DATABASE_URL');
const pool = createPool(databaseUrl, log);
const SWEEP_MS = 5000;
const MAX_ATTEMPTS = 3;

let processed = 0;
let lastError = null;
let draining = false;
let again = false;

/**
 * Claim and run one job; false when the queue is empty. Two short transactions, not one: the claim
 * locks only the job row; the result is written in a second transaction that touches the project
 * (FK check) before the job, the same order as the api's DELETE (project, then its jobs by
 * cascade). One transaction holding the job row while reaching for the project deadlocks with a
 * concurrent delete of that project.
 */
async function runOne() {
  const { rows } = await pool.query(
    `UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = now()
     WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
     RETURNING id, kind, project_id, attempts`,
  );
  const job = rows[0];
  if (!job) return false;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      if (job.kind !== 'summarize') throw new Error(`unknown job kind ${job.kind}`);
      const project = await client.query('SELECT name, description FROM projects WHERE id = $1 FOR KEY SHARE', [
        job.project_id,
      ]);
      if (project.rows.length > 0) {
        const s = summarize(project.rows[0].name, project.rows[0].description);
        await client.query(
          `INSERT INTO project_summaries (project_id, word_count, unique_words, top_words, computed_by, computed_at)
           VALUES ($1, $2, $3, $4, $5, now())
           ON CONFLICT (project_id) DO UPDATE SET word_count = EXCLUDED.word_count, unique_words = EXCLUDED.unique_words,
             top_words = EXCLUDED.top_words, computed_by = EXCLUDED.computed_by, computed_at = now()`,
          [job.project_id, s.wordCount, s.uniqueWords, JSON.stringify(s.topWords), name],
        );
      }
      await client.query(`UPDATE jobs SET status = 'done', finished_at = now() WHERE id = $1`, [job.id]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const status = job.attempts >= MAX_ATTEMPTS ? 'failed' : 'queued';
      await client.query(`UPDATE jobs SET status = $2, error = $3 WHERE id = $1`, [job.id, status, error.message]);
    }
    processed++;
    return true;
  } finally {
    client.release();
  }
}

/** Jobs left `running` by a worker that died mid-job go back to the queue. */
async function requeueAbandoned() {
  await pool.query(
    `UPDATE jobs SET status = 'queued' WHERE status = 'running' AND started_at < now() - interval '1 minute'`,
  );
}

/** Run jobs until the queue is empty; a wake-up during a drain triggers one more pass. */
async function drain() {
  if (draining) {
    again = true;
    return;
  }
  draining = true;
  try {
    await requeueAbandoned();
    do {
      again = false;
      while (await runOne());
    } while (again);
    lastError = null;
  } catch (error) {
    lastError = error.message;
    log('job loop error:', error.message);
  } finally {
    draining = false;
  }
}

const subscription = listen(databaseUrl, ['jobs'], () => void drain(), {
  log,
  onState: (up) => up && void drain(),
});
const sweep = setInterval(() => void drain(), SWEEP_MS);

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/health') {
    const ok = subscription.isListening();
    return sendJson(res, ok ? 200 : 503, { ok, name, processed, lastError });
  }
  sendJson(res, 404, { error: 'not found' });
});
server.listen(port, '127.0.0.1', () => log(`${name} listening on http://127.0.0.1:${port}`));

onShutdown(log, async () => {
  clearInterval(sweep);
  await subscription.close();
  await new Promise((resolve) => server.close(resolve));
  await pool.end();
});
