/**
 * api — a tiny notes API on API_PORT: GET /health (the database answers), GET /notes, POST /notes
 * with {"text": "…"}. Each factory instance has its own database (its own compose project).
 */
import { createServer } from 'node:http';
import pg from 'pg';

const port = Number(process.env.API_PORT);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4, connectionTimeoutMillis: 2_000 });
pool.on('error', (error) => console.error('api: idle database connection lost:', error.message));

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  let raw = '';
  for await (const chunk of req) {
    raw += chunk;
    if (raw.length > 65_536) throw new Error('body too large');
  }
  return JSON.parse(raw);
}

const server = createServer(async (req, res) => {
  try {
    if (req.method === 'GET' && req.url === '/health') {
      await pool.query('SELECT 1');
      return send(res, 200, { ok: true });
    }
    if (req.method === 'GET' && req.url === '/notes') {
      const { rows } = await pool.query('SELECT id, text FROM notes ORDER BY id');
      return send(res, 200, rows);
    }
    if (req.method === 'POST' && req.url === '/notes') {
      const body = await readJson(req);
      if (typeof body?.text !== 'string' || body.text.trim() === '')
        return send(res, 400, { error: 'text is required' });
      const { rows } = await pool.query('INSERT INTO notes (text) VALUES ($1) RETURNING id, text', [body.text]);
      return send(res, 201, rows[0]);
    }
    send(res, 404, { error: 'not found' });
  } catch (error) {
    send(res, 500, { error: error.message });
  }
});

server.listen(port, '127.0.0.1', () => console.log(`api: listening on http://127.0.0.1:${port}`));
const shutdown = () => server.close(() => pool.end().then(() => process.exit(0)));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
