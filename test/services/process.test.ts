/** The process wrapper and the checks, with real processes and sockets. */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthMonitor, Readiness } from '../../src/services/checks/readiness.js';
import type { ResolvedCheck } from '../../src/services/checks/types.js';
import { ManagedProcess } from '../../src/services/process.js';
import { MARKER_INSTANCE } from '../../src/services/markers.js';
import { processAlive, processesWithEnv } from '../../src/services/proc.js';
import { SVC, until } from './helpers.js';

const key = `unit-${process.pid}`;
const procs: ManagedProcess[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop('SIGKILL', 0);
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  expect(processesWithEnv(MARKER_INSTANCE, key)).toEqual([]);
});

function managed(args: string[], onLine?: (l: string) => void): ManagedProcess {
  const p = new ManagedProcess(
    {
      file: process.execPath,
      args: [SVC, ...args],
      cwd: process.cwd(),
      env: { ...process.env } as Record<string, string>,
      instanceKey: key,
      service: 's',
    },
    onLine ? { onLine: (_s, l) => onLine(l) } : {},
  );
  procs.push(p);
  return p;
}

const timing = {
  intervalMs: 10,
  maxIntervalMs: 250,
  timeoutMs: 500,
  startPeriodMs: 0,
  retries: 1,
  startupTimeoutMs: 3_000,
};

describe('ManagedProcess', () => {
  it('defers a stop that arrives before the process has spawned, then stops it', async () => {
    const p = managed([]);
    p.start();
    const exit = await p.stop('SIGTERM', 1_000);
    expect(exit.signal).toBe('SIGTERM');
    expect(p.kind).toBe('exited');
  });

  it('escalates to SIGKILL when SIGTERM is ignored, and kills forked children and setsid grandchildren', async () => {
    const lines: string[] = [];
    const p = managed(['--ignore-term', '--children', '2', '--setsid'], (l) => lines.push(l));
    p.start();
    await until('running', () => lines.includes('running'));
    await until('two children and a setsid grandchild', () => processesWithEnv(MARKER_INSTANCE, key).length === 4);
    // A grace long enough for a loaded machine to schedule the child's SIGTERM handler before the
    // escalation (with 200 ms it sometimes never ran: no "ignoring SIGTERM" line).
    const exit = await p.stop('SIGTERM', 1500);
    expect(exit.signal).toBe('SIGKILL');
    expect(lines).toContain('ignoring SIGTERM');
    expect(processesWithEnv(MARKER_INSTANCE, key)).toEqual([]);
  });

  it('reports a spawn failure as an exit with the error', async () => {
    const p = new ManagedProcess({
      file: '/nonexistent/binary',
      args: [],
      cwd: '/',
      env: {},
      instanceKey: key,
      service: 's',
    });
    procs.push(p);
    p.start();
    expect(await p.spawned).toBe(false);
    expect((await p.wait()).error).toMatch(/ENOENT/);
  });

  it('records pid and start time so liveness survives pid reuse checks', async () => {
    const lines: string[] = [];
    const p = managed([], (l) => lines.push(l));
    p.start();
    expect(await p.spawned).toBe(true);
    const id = p.identity;
    expect(processAlive(id)).toBe(true);
    expect(processAlive(id && { pid: id.pid, startTime: id.startTime + 1 })).toBe(false);
  });
});

describe('readiness', () => {
  const listen = async (port = 0) => {
    const s = createServer();
    servers.push(s);
    await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
    return (s.address() as { port: number }).port;
  };

  it('tcp: polls until the port opens; a poke triggers an attempt at once', async () => {
    const port = await listen();
    await new Promise((r) => servers.pop()?.close(r));
    const results: boolean[] = [];
    const r = new Readiness(
      { kind: 'tcp', port, hosts: [], ...timing },
      { onResult: (x) => results.push(x.ok), subscribeLines: () => () => {}, signal: new AbortController().signal },
    );
    await until('a failed attempt', () => results.length > 0);
    await listen(port);
    r.poke();
    expect(await r.outcome).toBe('ready');
    expect(results.at(-1)).toBe(true);
  });

  it('http: checks the status range; times out with the last result', async () => {
    const { createServer: http } = await import('node:http');
    const s = http((req, res) => res.writeHead(req.url === '/ok' ? 204 : 500).end());
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    try {
      const ok = new Readiness(
        { kind: 'http', url: `http://127.0.0.1:${port}/ok`, status: [200, 299], ...timing },
        { onResult: () => {}, subscribeLines: () => () => {}, signal: new AbortController().signal },
      );
      expect(await ok.outcome).toBe('ready');
      const details: string[] = [];
      const bad = new Readiness(
        { kind: 'http', url: `http://127.0.0.1:${port}/bad`, status: [200, 299], ...timing, startupTimeoutMs: 200 },
        {
          onResult: (x) => details.push(x.detail),
          subscribeLines: () => () => {},
          signal: new AbortController().signal,
        },
      );
      expect(await bad.outcome).toBe('timeout');
      expect(details.at(-1)).toBe('HTTP 500');
    } finally {
      await new Promise((r) => s.close(r));
    }
  });

  it('log: matches a line printed before or after it subscribed; abort ends the wait', async () => {
    const past = ['booting', 'server listening on 1234'];
    const c: ResolvedCheck = { kind: 'log', pattern: 'listening on \\d+', ...timing };
    const r = new Readiness(c, {
      onResult: () => {},
      subscribeLines: (fn) => {
        past.forEach(fn);
        return () => {};
      },
      signal: new AbortController().signal,
    });
    expect(await r.outcome).toBe('ready');
    const abort = new AbortController();
    const never = new Readiness(c, { onResult: () => {}, subscribeLines: () => () => {}, signal: abort.signal });
    abort.abort();
    expect(await never.outcome).toBe('aborted');
  });

  it('command: exit 0 is ready; ongoing health turns unhealthy after `retries` failures', async () => {
    const ok = new Readiness(
      { kind: 'command', file: 'true', args: [], cwd: '/', env: {}, ...timing },
      { onResult: () => {}, subscribeLines: () => () => {}, signal: new AbortController().signal },
    );
    expect(await ok.outcome).toBe('ready');
    const verdicts: (boolean | undefined)[] = [];
    const m = new HealthMonitor(
      { kind: 'command', file: 'false', args: [], cwd: '/', env: {}, ...timing, maxIntervalMs: 10 },
      0,
      (_r, h) => verdicts.push(h),
    );
    m.start();
    await until('unhealthy', () => verdicts.includes(false), 5_000);
    m.stop();
  });
});
