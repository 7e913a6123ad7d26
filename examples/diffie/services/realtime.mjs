/**
 * realtime — a WebSocket service on REALTIME_PORT that pushes project changes to clients. Changes
 * come from PostgreSQL (LISTEN project_changes, fed by triggers). Clients authenticate with the
 * per-instance token derived from REALTIME_SECRET (written by setup into the git-ignored
 * `.dev.vars`, loaded by factory as an env_file; see lib/token.mjs): `ws://…/?token=<token>`; a wrong
 * or missing token gets 401 before the upgrade. `/health` is 200 only while the LISTEN connection is up.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { listen } from '../lib/db.mjs';
import { logger, onShutdown, requireEnv, requirePort } from '../lib/env.mjs';
import { sendJson } from '../lib/http.mjs';
import { realtimeToken } from '../lib/token.mjs';

const log = logger('realtime');
const port = requirePort('REALTIME_PORT');
const instance = process.env.WORKTREE_ID ?? 'dev';
const expected = Buffer.from(realtimeToken(requireEnv('REALTIME_SECRET'), instance));

function authorized(token) {
  const given = Buffer.from(token ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const wss = new WebSocketServer({ noServer: true });
let delivered = 0;

const subscription = listen(
  requireEnv('DATABASE_URL'),
  ['project_changes'],
  (message) => {
    let change;
    try {
      change = JSON.parse(message.payload ?? '');
    } catch {
      return;
    }
    const frame = JSON.stringify({ type: 'change', ...change });
    for (const client of wss.clients) {
      if (client.readyState === client.OPEN) {
        client.send(frame);
        delivered++;
      }
    }
  },
  { log },
);

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/health') {
    const listening = subscription.isListening();
    return sendJson(res, listening ? 200 : 503, { ok: listening, listening, clients: wss.clients.size, delivered });
  }
  sendJson(res, 404, { error: 'not found; connect a WebSocket to / with ?token=' });
});

server.on('upgrade', (req, socket, head) => {
  const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  if (!authorized(token)) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.send(JSON.stringify({ type: 'hello', listening: subscription.isListening() }));
    wss.emit('connection', ws, req);
  });
});

// Keep idle connections alive through proxies and notice dead peers.
const heartbeat = setInterval(() => {
  for (const client of wss.clients) client.ping();
}, 15_000);

server.listen(port, '127.0.0.1', () => log(`listening on ws://127.0.0.1:${port}`));
onShutdown(log, async () => {
  clearInterval(heartbeat);
  for (const client of wss.clients) client.close(1001, 'server stopping');
  await subscription.close();
  await new Promise((resolve) => server.close(resolve));
});
