/** Shared by the api suite: the running instance's URLs come from the environment factory passes. */
import WebSocket from 'ws';
import { realtimeToken } from '../../lib/token.mjs';

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this suite with \`factory test api\` (or dev.sh's environment)`);
  return value;
}

export const apiUrl = env('API_URL');
export const realtimeUrl = env('REALTIME_URL');
export const instance = process.env.WORKTREE_ID ?? 'dev';
export const token = () => realtimeToken(env('REALTIME_SECRET'), instance);

export async function call(method, path, body) {
  const res = await fetch(new URL(path, apiUrl), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/**
 * A realtime client that collects messages; `next(predicate)` resolves with the first message
 * (already received or future) that matches, or rejects after `ms`.
 */
export async function realtimeClient(tokenValue = token()) {
  const url = new URL(realtimeUrl);
  url.searchParams.set('token', tokenValue);
  const ws = new WebSocket(url);
  const seen = [];
  const waiters = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    seen.push(message);
    for (const w of [...waiters]) {
      if (w.predicate(message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(message);
      }
    }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
    );
  });
  return {
    next(predicate, ms = 10_000) {
      const found = seen.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve };
        waiters.push(waiter);
        setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`no matching realtime message within ${ms} ms; got ${JSON.stringify(seen)}`));
          }
        }, ms).unref();
      });
    },
    close: () => ws.close(),
  };
}
