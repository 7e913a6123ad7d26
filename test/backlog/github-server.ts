import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * A real HTTP server on 127.0.0.1 that replays recorded GitHub REST responses
 * (test/fixtures/github/*.json) and records every request it gets, so tests assert the method,
 * path, headers and body the github backlog sent. An unknown request gets a 599 and is recorded:
 * a test that expects a fixed request list fails on it.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface ReplayServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startReplayServer(fixture: string): Promise<ReplayServer> {
  const file = fileURLToPath(new URL(`../fixtures/github/${fixture}`, import.meta.url));
  const routes = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Reply[] | string>;
  const served = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      requests.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      });
      const key = `${req.method} ${path}`;
      const replies = routes[key];
      if (!Array.isArray(replies) || replies.length === 0) {
        res.writeHead(599, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `no recorded response for ${key}` }));
        return;
      }
      const n = served.get(key) ?? 0;
      served.set(key, n + 1);
      const reply = replies[Math.min(n, replies.length - 1)] as Reply;
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'x-github-api-version-selected': '2022-11-28',
      };
      for (const [k, v] of Object.entries(reply.headers ?? {})) headers[k] = v.replaceAll('{API}', base);
      res.writeHead(reply.status, headers);
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
