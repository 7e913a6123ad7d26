/**
 * api — Diffie's HTTP JSON API on API_PORT: CRUD on projects (each create/update queues a summary
 * job for the worker), worker registration, and `/health`, which runs a query so it reports the
 * database's real state (503 while PostgreSQL is down).
 */
import { createServer } from 'node:http';
import { createPool } from '../lib/db.mjs';
import { logger, onShutdown, requireEnv, requirePort } from '../lib/env.mjs';
import { HttpError, readJson, sendJson } from '../lib/http.mjs';
import { projectId, projectInput } from '../lib/validate.mjs';

const log = logger('api');
const port = requirePort('API_PORT');
const pool = createPool(requireEnv('DATABASE_URL'), log);

const PROJECT_COLUMNS = `p.id::text AS id, p.name, p.description, p.created_at AS "createdAt", p.updated_at AS "updatedAt",
  CASE WHEN s.project_id IS NULL THEN NULL ELSE json_build_object(
    'wordCount', s.word_count, 'uniqueWords', s.unique_words, 'topWords', s.top_words,
    'computedAt', s.computed_at, 'computedBy', s.computed_by) END AS summary`;

async function getProject(id) {
  const { rows } = await pool.query(
    `SELECT ${PROJECT_COLUMNS} FROM projects p LEFT JOIN project_summaries s ON s.project_id = p.id WHERE p.id = $1`,
    [id],
  );
  if (rows.length === 0) throw new HttpError(404, 'no such project');
  return rows[0];
}

/** Write a project and queue its summary job in one transaction. */
async function writeProject(sql, params) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(sql, params);
    if (rows.length === 0) throw new HttpError(404, 'no such project');
    await client.query(`INSERT INTO jobs (kind, project_id) VALUES ('summarize', $1)`, [rows[0].id]);
    await client.query('COMMIT');
    return rows[0].id;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function checkWorker(url) {
  const res = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(2000) }).catch((error) => {
    throw new HttpError(422, `worker at ${url} is unreachable: ${error.message}`);
  });
  if (!res.ok) throw new HttpError(422, `worker at ${url} answered ${res.status} on /health`);
}

const routes = [
  [
    'GET',
    /^\/health$/,
    async () => {
      const started = Date.now();
      try {
        const { rows } = await pool.query('SELECT count(*)::int AS workers FROM workers');
        return [200, { ok: true, database: 'up', latencyMs: Date.now() - started, workers: rows[0].workers }];
      } catch (error) {
        return [503, { ok: false, database: 'down', error: error.message }];
      }
    },
  ],
  [
    'GET',
    /^\/api\/projects$/,
    async () => {
      const { rows } = await pool.query(
        `SELECT ${PROJECT_COLUMNS} FROM projects p LEFT JOIN project_summaries s ON s.project_id = p.id ORDER BY p.id DESC LIMIT 500`,
      );
      return [200, { projects: rows }];
    },
  ],
  [
    'POST',
    /^\/api\/projects$/,
    async (req) => {
      const input = projectInput(await readJson(req));
      const id = await writeProject(
        'INSERT INTO projects (name, description) VALUES ($1, $2) RETURNING id::text AS id',
        [input.name, input.description],
      );
      return [201, { project: await getProject(id) }];
    },
  ],
  [
    'GET',
    /^\/api\/projects\/([^/]+)$/,
    async (_req, [segment]) => [200, { project: await getProject(projectId(segment)) }],
  ],
  [
    'PATCH',
    /^\/api\/projects\/([^/]+)$/,
    async (req, [segment]) => {
      const id = projectId(segment);
      const input = projectInput(await readJson(req), { partial: true });
      await writeProject(
        `UPDATE projects SET name = COALESCE($2, name), description = COALESCE($3, description), updated_at = now()
       WHERE id = $1 RETURNING id::text AS id`,
        [id, input.name ?? null, input.description ?? null],
      );
      return [200, { project: await getProject(id) }];
    },
  ],
  [
    'DELETE',
    /^\/api\/projects\/([^/]+)$/,
    async (_req, [segment]) => {
      const { rowCount } = await pool.query('DELETE FROM projects WHERE id = $1', [projectId(segment)]);
      if (rowCount === 0) throw new HttpError(404, 'no such project');
      return [204, null];
    },
  ],
  [
    'GET',
    /^\/api\/workers$/,
    async () => {
      const { rows } = await pool.query('SELECT name, url, registered_at AS "registeredAt" FROM workers ORDER BY name');
      return [200, { workers: rows }];
    },
  ],
  [
    'POST',
    /^\/api\/workers$/,
    async (req) => {
      const body = await readJson(req);
      if (typeof body.name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(body.name))
        throw new HttpError(400, 'name must match [a-z0-9][a-z0-9-]*');
      if (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url))
        throw new HttpError(400, 'url must be an http(s) URL');
      await checkWorker(body.url); // like a Restate deployment: the api calls the worker before accepting it
      await pool.query(
        `INSERT INTO workers (name, url) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET url = EXCLUDED.url, registered_at = now()`,
        [body.name, body.url],
      );
      return [201, { worker: { name: body.name, url: body.url } }];
    },
  ],
];

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method === 'OPTIONS') return sendJson(res, 204, null);
  try {
    const route = routes.find(([method, pattern]) => method === req.method && pattern.test(path));
    if (!route) {
      const known = routes.some(([, pattern]) => pattern.test(path));
      throw new HttpError(known ? 405 : 404, known ? 'method not allowed' : 'not found');
    }
    const [status, body] = await route[2](req, route[1].exec(path).slice(1));
    if (status === 204) {
      res.writeHead(204, { 'access-control-allow-origin': '*' }).end();
    } else {
      sendJson(res, status, body);
    }
  } catch (error) {
    if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message });
    log(`${req.method} ${path} failed:`, error.message);
    sendJson(res, error.code === 'ECONNREFUSED' || error.message.includes('timeout') ? 503 : 500, {
      error: error.message,
    });
  }
});

server.listen(port, '127.0.0.1', () => log(`listening on http://127.0.0.1:${port}`));
onShutdown(log, async () => {
  await new Promise((resolve) => server.close(resolve));
  await pool.end();
});
