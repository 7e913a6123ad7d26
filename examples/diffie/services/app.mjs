/**
 * app — serves the web front end (web/) on APP_PORT, plus `/config.js`, generated per instance,
 * which tells the browser where this instance's api and realtime services are and the realtime
 * token. Its URL is the one a person opens. Opened through `factory router` (by the stable name
 * `app.<worktree-id>.<project>.localhost`), it points the browser at the api and realtime services'
 * stable names beside it, so every request and the WebSocket go through the router too.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logger, onShutdown, requireEnv, requirePort } from '../lib/env.mjs';
import { realtimeToken } from '../lib/token.mjs';

const log = logger('app');
const port = requirePort('APP_PORT');
const webRoot = fileURLToPath(new URL('../web/', import.meta.url));
const instance = process.env.WORKTREE_ID ?? 'dev';
const config = {
  apiUrl: requireEnv('API_URL'),
  realtimeUrl: requireEnv('REALTIME_URL'),
  // The instance's token, never the secret itself.
  realtimeToken: realtimeToken(requireEnv('REALTIME_SECRET'), instance),
  instance,
};
const configJs = (c) => `window.DIFFIE_CONFIG = ${JSON.stringify(c)};\n`;
const STABLE_HOST = /^app\.([a-z0-9-]+\.[a-z0-9-]+\.localhost(?::\d+)?)$/i;

/** The config for a page served under `host`: the stable names' when it is the app's stable name. */
function configFor(host) {
  const m = STABLE_HOST.exec(host ?? '');
  return m ? { ...config, apiUrl: `http://api.${m[1]}`, realtimeUrl: `ws://realtime.${m[1]}` } : config;
}
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  if (path === '/health') return res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  if (path === '/config.js') {
    return res
      .writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' })
      .end(configJs(configFor(req.headers['x-forwarded-host'] ?? req.headers.host)));
  }
  const file = normalize(join(webRoot, path === '/' ? 'index.html' : path));
  if (!file.startsWith(webRoot) || file.endsWith(sep)) return res.writeHead(404).end('not found\n');
  try {
    const body = await readFile(file);
    res
      .writeHead(200, { 'content-type': `${TYPES[extname(file)] ?? 'application/octet-stream'}; charset=utf-8` })
      .end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
});

server.listen(port, '127.0.0.1', () => log(`open http://127.0.0.1:${port}`));
onShutdown(log, () => new Promise((resolve) => server.close(resolve)));
