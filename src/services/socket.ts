/**
 * The supervisor's control socket: a unix socket speaking JSON lines.
 *   → {"cmd":"status"}              ← {"ok":true,"state":{…}}
 *   → {"cmd":"stop"}                ← {"ok":true,"state":{…}} once everything is stopped
 *   → {"cmd":"subscribe"}           ← {"type":"snapshot","state":{…}} then one line per event
 *   → {"cmd":"restart","service":s} ← {"ok":true,"state":{…}} once s is ready, completed or failed again
 * Only the client half is imported by `start`/`stop`; `status` reads state.json instead.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { SupervisorEvent } from './events.js';
import type { InstanceStateFile } from './state.js';

export type Request =
  | { cmd: 'status' }
  | { cmd: 'stop' }
  | { cmd: 'subscribe'; lines?: boolean }
  | { cmd: 'restart'; service: string };
export type Reply = { ok: true; state: InstanceStateFile } | { ok: false; error: string };
export type StreamItem = { type: 'snapshot'; state: InstanceStateFile } | SupervisorEvent;

export interface ServerHooks {
  state: () => InstanceStateFile;
  stop: () => Promise<void>;
  /** Restart one service; rejects (its message is the reply's error) for an unknown service. */
  restart: (service: string) => Promise<unknown>;
  subscribe: (fn: (e: SupervisorEvent) => void) => () => void;
}

/** Call `fn` with each JSON line the socket receives (a line that is not JSON is ignored). */
export function lines(sock: Socket, fn: (value: unknown) => void): void {
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      try {
        fn(JSON.parse(line));
      } catch {
        // not JSON: ignore the line
      }
    }
  });
}

const send = (sock: Socket, v: unknown) => {
  if (!sock.destroyed) sock.write(`${JSON.stringify(v)}\n`);
};

const open = new WeakMap<Server, Set<Socket>>();

/** Close the server and every connection still open (followers that did not hang up). */
export function closeServer(server: Server): void {
  server.close();
  for (const s of open.get(server) ?? []) s.destroy();
}

export function serve(path: string, hooks: ServerHooks): Promise<Server> {
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  const conns = new Set<Socket>();
  const server = createServer((sock) => {
    conns.add(sock);
    sock.on('close', () => conns.delete(sock));
    sock.on('error', () => undefined);
    lines(sock, (msg) => {
      const req = msg as Request;
      if (req.cmd === 'status') send(sock, { ok: true, state: hooks.state() });
      else if (req.cmd === 'stop') void hooks.stop().then(() => send(sock, { ok: true, state: hooks.state() }));
      else if (req.cmd === 'restart')
        void hooks.restart(String(req.service)).then(
          () => send(sock, { ok: true, state: hooks.state() }),
          (e: unknown) => send(sock, { ok: false, error: e instanceof Error ? e.message : String(e) }),
        );
      else if (req.cmd === 'subscribe') {
        send(sock, { type: 'snapshot', state: hooks.state() });
        const off = hooks.subscribe((e) => {
          if (e.type !== 'line' || req.lines) send(sock, e);
        });
        sock.on('close', off);
      } else send(sock, { ok: false, error: 'unknown command' });
    });
  });
  open.set(server, conns);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });
}

export function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    sock.once('connect', () => resolve(sock));
    sock.once('error', reject);
  });
}

/** One request, one reply. Rejects when the supervisor does not answer (dead, or socket gone). */
export async function request(path: string, req: Request, timeoutMs = 60_000): Promise<Reply> {
  const sock = await connect(path);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('no reply'));
    }, timeoutMs);
    lines(sock, (v) => {
      clearTimeout(timer);
      sock.end();
      resolve(v as Reply);
    });
    sock.once('close', () => {
      clearTimeout(timer);
      reject(new Error('closed without a reply'));
    });
    send(sock, req);
  });
}
