/**
 * examples/diffie end to end, with real processes: two instances of one checkout at once (own
 * ports, own PostgreSQL clusters), their test suites, PostgreSQL killed and brought back by the
 * restart policy, and a stop that leaves nothing behind. The tests run in order on one fixture.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { expectNothingLeft, until, type Project } from '../services/helpers.js';
import { diffieFixture, type DiffieFixture } from './fixture.js';

interface ServiceJson {
  name: string;
  state: string;
  health: string;
  pid: number | null;
  restarts: number;
}
interface StatusJson {
  running: boolean;
  healthy: boolean;
  phase: string;
  stateDir: string;
  ports: Record<string, number>;
  urls: Record<string, string>;
  services: ServiceJson[];
}

let fx: DiffieFixture;
const ids = ['a', 'b'] as const;
const COLD = 'c';

async function status(id: string): Promise<StatusJson> {
  const r = await fx.factory(['status', '--worktree-id', id, '--json']);
  return JSON.parse(r.stdout) as StatusJson;
}
const service = (s: StatusJson, name: string) => s.services.find((x) => x.name === name) as ServiceJson;

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of several diffie endpoints, asserted field by field
async function api(s: StatusJson, path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(path, s.urls.api), { ...init, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

/** 'open' when the realtime service accepts `token`, else the HTTP status it refused it with. */
function wsAnswer(url: string, token: string): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/?token=${encodeURIComponent(token)}`);
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  fx = await diffieFixture();
  for (const id of [...ids, COLD]) fx.track(id);
}, 60_000);

afterAll(async () => {
  await fx?.dispose();
}, 120_000);

describe('examples/diffie', () => {
  it('sets up once, and a repeat with nothing changed skips every step', async () => {
    for (const id of ids) {
      const first = await fx.factory(['setup', '--worktree-id', id, '--json'], 240_000);
      expect(first.code, first.stderr).toBe(0);
    }
    // The checkout is private (mode 700, like a repository under /root): the postgres user could
    // not traverse it, which is why PostgreSQL runs in a user namespace (docs/adr/0020).
    expect(statSync(fx.dir).mode & 0o777).toBe(0o700);
    expect(existsSync(join(fx.dir, '.dev.vars'))).toBe(true);
    expect(existsSync(join(fx.dir, '.factory', 'cache', 'pg-template', 'PG_VERSION'))).toBe(true);
    const again = JSON.parse((await fx.factory(['setup', '--worktree-id', 'a', '--json'])).stdout) as {
      steps: { name: string; status: string }[];
    };
    expect(again.steps.map((s) => `${s.name}:${s.status}`)).toEqual([
      'deps:skipped',
      'dev-vars:skipped',
      'pg-template:skipped',
    ]);
  }, 300_000);

  it('runs two instances at once with their own ports and databases', async () => {
    const started = await Promise.all(ids.map((id) => fx.factory(['start', '--worktree-id', id], 180_000)));
    for (const r of started) expect(r.code, r.stderr).toBe(0);
    const [a, b] = await Promise.all(ids.map(status));
    if (!a || !b) throw new Error('no status');
    for (const s of [a, b]) {
      expect(s).toMatchObject({ running: true, healthy: true, phase: 'running' });
      expect(service(s, 'migrate').state).toBe('completed');
      expect(service(s, 'register').state).toBe('completed');
      expect(existsSync(join(s.stateDir, 'data', 'postgres', 'PG_VERSION'))).toBe(true);
    }
    const portsA = Object.values(a.ports);
    const portsB = Object.values(b.ports);
    expect(portsA).toHaveLength(5);
    expect(portsA.filter((p) => portsB.includes(p))).toEqual([]);
    expect(a.stateDir).not.toBe(b.stateDir);

    // A project created through a's API exists in a only.
    const name = `only-in-a-${Date.now()}`;
    const created = await api(a, '/api/projects', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, description: 'isolation check' }),
    });
    expect(created.status).toBe(201);
    const inA = await api(a, '/api/projects');
    const inB = await api(b, '/api/projects');
    expect(inA.body.projects.map((p: { name: string }) => p.name)).toContain(name);
    expect(inB.body.projects.map((p: { name: string }) => p.name)).not.toContain(name);

    // Each app serves its own instance's URLs, and a's realtime token is refused by b.
    const configA = await (await fetch(new URL('/config.js', a.urls.app))).text();
    expect(configA).toContain(a.urls.api);
    expect(configA).not.toContain(b.urls.api);
    const tokenA = /"realtimeToken":"([^"]+)"/.exec(configA)?.[1] ?? '';
    expect(await wsAnswer(a.urls.realtime ?? '', tokenA)).toBe('open');
    expect(await wsAnswer(b.urls.realtime ?? '', tokenA)).toBe(401);
  }, 240_000);

  it("passes both instances' test suites, run at the same time", async () => {
    const runs = await Promise.all(ids.map((id) => fx.factory(['test', '--worktree-id', id, '--json'], 240_000)));
    for (const [i, r] of runs.entries()) {
      const json = JSON.parse(r.stdout) as {
        ok: boolean;
        startedServices: string[];
        suites: { name: string; status: string; tests: { failed: number; tests: number } | null }[];
        artifactsDir: string;
      };
      expect(r.code, `${ids[i]}: ${r.stdout}`).toBe(0);
      expect(json.ok).toBe(true);
      expect(json.startedServices).toEqual([]);
      expect(json.suites.map((s) => [s.name, s.status])).toEqual([
        ['unit', 'passed'],
        ['api', 'passed'],
      ]);
      for (const s of json.suites) expect(s.tests?.tests).toBeGreaterThan(0);
      expect(existsSync(join(json.artifactsDir, 'api', 'api.xml'))).toBe(true);
    }
  }, 300_000);

  it("sees a's PostgreSQL killed, restarts it by policy, and the api's health follows", async () => {
    const before = await status('a');
    const pg = service(before, 'postgres');
    expect(pg.pid).toBeGreaterThan(0);

    // Watch both APIs back to back from before the kill until a is healthy again.
    const seenA: number[] = [];
    const seenB: number[] = [];
    let watching = true;
    const watch = async (s: StatusJson, seen: number[]) => {
      while (watching) seen.push((await api(s, '/health').catch(() => ({ status: 0 }))).status);
    };
    const b = await status('b');
    const watchers = [watch(before, seenA), watch(b, seenB)];
    await until('the watchers to see a healthy api', () => seenA.includes(200) && seenB.includes(200));

    process.kill(pg.pid as number, 'SIGKILL');
    await until('a api to report the database down', () => seenA.includes(503), 20_000);
    const down = await api(before, '/health');
    if (down.status === 503) expect(down.body).toMatchObject({ ok: false, database: 'down' });

    const after = await until(
      'postgres restarted by policy and a healthy again',
      async () => {
        const s = await status('a');
        const p = service(s, 'postgres');
        return p.restarts >= 1 && p.state === 'ready' && p.pid !== pg.pid && s.healthy ? s : undefined;
      },
      60_000,
    );
    await until('a api healthy again', () => seenA.lastIndexOf(200) > seenA.indexOf(503), 30_000);
    watching = false;
    await Promise.all(watchers);
    expect(service(after, 'postgres').restarts).toBeGreaterThanOrEqual(1);
    expect(seenB.every((code) => code === 200)).toBe(true);

    // Everything that holds a database connection came back: realtime listens, the worker works.
    await until(
      'realtime listening again',
      async () =>
        (await fetch(new URL('/health', (after.urls.realtime ?? '').replace('ws:', 'http:'))).catch(() => undefined))
          ?.status === 200,
      30_000,
    );
    const created = await api(after, '/api/projects', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'after restart', description: 'still works' }),
    });
    expect(created.status).toBe(201);
    await until(
      'the worker to summarize it',
      async () => (await api(after, `/api/projects/${created.body.project.id}`)).body.project.summary,
      30_000,
    );
  }, 180_000);

  it('stops both instances, leaving no process and no bound port', async () => {
    const stopped = await Promise.all(ids.map((id) => fx.factory(['stop', '--worktree-id', id], 120_000)));
    for (const r of stopped) expect(r.code, r.stderr).toBe(0);
    for (const id of ids) expect((await status(id)).running).toBe(false);
    const project = {
      dir: fx.dir,
      stateDir: (id: string) => join(fx.dir, '.factory', 'instances', id),
    } as unknown as Project;
    await expectNothingLeft(project, [...ids]);
  }, 180_000);

  it('factory test on an instance that is not running starts what the api suite needs, then stops it', async () => {
    expect((await fx.factory(['setup', '--worktree-id', COLD])).code).toBe(0);
    const r = await fx.factory(['test', 'api', '--worktree-id', COLD, '--json'], 240_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as {
      ok: boolean;
      startedServices: string[];
      suites: { name: string; status: string }[];
    };
    expect(json.startedServices).toEqual(['api', 'worker', 'register', 'realtime']);
    expect(json.suites.map((s) => [s.name, s.status])).toEqual([['api', 'passed']]);
    const after = await status(COLD);
    expect(after.running).toBe(false);
    expect(service(after, 'app')).toBeUndefined();
    const project = {
      dir: fx.dir,
      stateDir: (id: string) => join(fx.dir, '.factory', 'instances', id),
    } as unknown as Project;
    await expectNothingLeft(project, [...ids, COLD]);
  }, 300_000);
});
