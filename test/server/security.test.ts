/**
 * `factory serve` without a browser: the JSON API and its schemas, the token a bind beyond loopback
 * needs (127.0.0.2 stands in for any other address, staying on loopback), the CSRF and Host checks,
 * path traversal into and out of a job's folder, redaction, and the SSE stream: Last-Event-ID
 * reconnects, and 50 concurrent clients (half of them stalled) within a memory bound.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobStore } from '../../src/jobs/store/types.js';
import { diffieRig, type Rig } from '../jobs/harness.js';
import { runFactory } from '../helpers/cli.js';
import { basePort, expectSchema } from '../services/helpers.js';
import { raw, serve, type Served } from './helpers.js';

const SECRET = 'dash-s3cret-value-7f6e5d4c';
let rig: Rig;
let state: string;
let env: Record<string, string>;
let jobId = '';
let jobDir = '';
let server: Served;
let store: JobStore;

beforeAll(async () => {
  rig = diffieRig({ plain: true });
  state = mkdtempSync(join(tmpdir(), 'factory-serve-state-'));
  env = { ...rig.env, FACTORY_STATE_HOME: state, DASH_API_SECRET: SECRET };
  const r = await rig.factory(['job', 'new', `Show the count; the key is ${SECRET}`, '--json']);
  expect(r.code, r.stderr).toBe(0);
  jobId = JSON.parse(r.stdout).id;
  jobDir = join(rig.repo, '.factory', 'jobs', jobId);
  mkdirSync(join(jobDir, 'logs'), { recursive: true });
  writeFileSync(join(jobDir, 'logs', 'build.log'), `agent said: DASH_API_SECRET=${SECRET}\n`);
  writeFileSync(join(jobDir, 'logs', 'a b%.log'), 'spaces and percent\n');
  writeFileSync(join(jobDir, 'clip.webm'), Buffer.alloc(4096, 7));
  writeFileSync(join(rig.root, 'outside.txt'), 'outside the job folder\n');
  symlinkSync(join(rig.root, 'outside.txt'), join(jobDir, 'link-out.txt'));
  symlinkSync('/etc', join(jobDir, 'etc'));
  server = await serve(['--port', String(basePort(60))], env, rig.repo);
  store = rig.store();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rig?.dispose();
  if (state) rmSync(state, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) => raw('127.0.0.1', server.port, path, { headers });

describe('the JSON API', () => {
  it('lists jobs, shows one with its manifest, lists instances and reports health, each as its schema says', async () => {
    const list = await get('/api/jobs');
    expect(list.status).toBe(200);
    const jobs = JSON.parse(list.body);
    expectSchema('serve-jobs', jobs);
    expect(jobs.jobs.map((j: { id: string }) => j.id)).toEqual([jobId]);
    expect(jobs.jobs[0].links.page).toBe(`/jobs/${jobId}`);
    const one = await get(`/api/jobs/${jobId.slice(-6)}`);
    expect(one.status).toBe(200);
    const body = JSON.parse(one.body);
    expectSchema('serve-job', body);
    expect(body.manifest.state).toBe('received');
    expectSchema('serve-instances', JSON.parse((await get('/api/instances')).body));
    expectSchema('serve-health', JSON.parse((await get('/api/health')).body));
    const filtered = JSON.parse((await get('/api/jobs?state=failed')).body);
    expect(filtered.jobs).toEqual([]);
  });

  it('answers mistakes with the CLI error shape and a status: unknown job 404, bad filter 400', async () => {
    const missing = await get('/api/jobs/nope');
    expect(missing.status).toBe(404);
    const err = JSON.parse(missing.body);
    expectSchema('serve-error', err);
    expect(err.error).toEqual({
      code: 'job-not-found',
      message: 'no job nope',
      hint: 'list them with: factory job list',
    });
    const bad = await get('/api/jobs?state=sleeping');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe('usage');
    const retry = await raw('127.0.0.1', server.port, `/api/jobs/${jobId}/retry`, { method: 'POST' });
    expect(retry.status).toBe(409);
    expect(JSON.parse(retry.body).error.code).toBe('not-retryable');
  });

  it('never shows a secret: the request, the manifest, the pages and the logs are redacted', async () => {
    for (const path of [
      '/api/jobs',
      `/api/jobs/${jobId}`,
      '/',
      `/jobs/${jobId}`,
      `/jobs/${jobId}/logs/build.log`,
      `/jobs/${jobId}/request.md`,
    ]) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      expect(r.body, path).not.toContain(SECRET);
    }
    expect((await get(`/jobs/${jobId}/logs/build.log`)).body).toBe('agent said: DASH_API_SECRET=[redacted]\n');
  });
});

describe('a job folder is all that is served', () => {
  it('serves its files, encoded names included, with byte ranges for media', async () => {
    expect((await get(`/jobs/${jobId}/logs/a%20b%25.log`)).body).toBe('spaces and percent\n');
    const r = await get(`/jobs/${jobId}/clip.webm`, { range: 'bytes=0-3' });
    expect(r.status).toBe(206);
    expect(r.headers['content-type']).toBe('video/webm');
    expect(r.headers['content-range']).toBe('bytes 0-3/4096');
    expect(r.body).toBe('\x07\x07\x07\x07');
  });

  const attempts = [
    '../../../../etc/passwd',
    '..%2f..%2f..%2f..%2fetc%2fpasswd',
    '%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '%2e%2e%2f%2e%2e%2fjobs.db',
    '%252e%252e%252fjobs.db',
    '..%5c..%5cjobs.db',
    '%2fetc%2fpasswd',
    'logs/..%2f..%2f..%2f..%2foutside.txt',
    'logs%2f..%2f..%2f..%2f..%2f..%2foutside.txt',
    './job.json%00.log',
    'link-out.txt',
    'etc/passwd',
    'logs',
    'logs/',
    'logs//build.log',
  ];
  for (const a of attempts) {
    it(`GET /jobs/<id>/${a} → 404`, async () => {
      const r = await get(`/jobs/${jobId}/${a}`);
      expect(r.status).toBe(404);
      expect(r.body).not.toContain('root:');
      expect(r.body).not.toContain('outside the job folder');
    });
  }

  it('a job id that is a path is no job', async () => {
    for (const p of ['/jobs/..%2f..%2fetc/passwd', '/jobs/%2e%2e/%2e%2e/etc/passwd', `/api/jobs/..%2f${jobId}`])
      expect((await get(p)).status, p).toBe(404);
  });
});

describe('loopback: no token, but the Host and Origin must be the dashboard', () => {
  it('refuses another Host name (DNS rebinding) and a cross-site POST', async () => {
    const rebound = await get('/api/jobs', { host: `evil.example:${server.port}` });
    expect(rebound.status).toBe(403);
    const csrf = await raw('127.0.0.1', server.port, `/jobs/${jobId}/cancel`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(csrf.status).toBe(403);
    expect((await store.get(jobId))?.state).toBe('received');
  });
});

describe('any other bind needs the token', () => {
  let other: Served;
  afterAll(async () => {
    await other?.stop();
  });

  it('generates it once (mode 600, a login link), and refuses every request without it', async () => {
    other = await serve(['--host', '127.0.0.2', '--port', String(basePort(60) + 1)], env, rig.repo);
    expect(other.tokenFile).toBe(join(state, 'serve-token'));
    expect(statSync(other.tokenFile as string).mode & 0o777).toBe(0o600);
    expect(other.loginUrl).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/login\?token=[A-Za-z0-9_-]{43}$/);
    const token = new URL(other.loginUrl as string).searchParams.get('token') as string;
    const at = (path: string, o: Parameters<typeof raw>[3] = {}) => raw('127.0.0.2', other.port, path, o);
    for (const path of [
      '/',
      '/api/jobs',
      `/api/jobs/${jobId}`,
      `/jobs/${jobId}/request.md`,
      '/api/events',
      '/instances',
    ]) {
      const r = await at(path);
      expect(r.status, path).toBe(401);
      expect(r.body).not.toContain('Show the count');
    }
    expect((await at('/api/jobs', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await at('/login?token=wrong')).status).toBe(401);
    const ok = await at('/api/jobs', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ok.body).not.toContain(token);
    // The login link sets an HttpOnly cookie that opens the pages; it holds no token.
    const login = await at(`/login?token=${token}`);
    expect(login.status).toBe(303);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(token);
    const session = cookie.split(';')[0] as string;
    expect((await at('/', { headers: { cookie: session } })).status).toBe(200);
    // POST with the cookie needs the dashboard's own origin.
    const cross = await at(`/api/jobs/${jobId}/approve`, {
      method: 'POST',
      headers: { cookie: session, origin: 'http://evil.example' },
    });
    expect(cross.status).toBe(403);
    const noOrigin = await at(`/api/jobs/${jobId}/approve`, { method: 'POST', headers: { cookie: session } });
    expect(noOrigin.status).toBe(403);
    const same = await at(`/api/jobs/${jobId}/approve`, {
      method: 'POST',
      headers: { cookie: session, origin: `http://127.0.0.2:${other.port}` },
    });
    // Past the guard: the job itself refuses (it is not awaiting approval).
    expect(same.status).toBe(409);
    expect(await other.stop()).toBe(0);
  });

  it('a second start reuses the token and does not print it again', async () => {
    other = await serve(['--host', '127.0.0.2', '--port', String(basePort(60) + 1)], env, rig.repo);
    expect(other.loginUrl).toBeNull();
    expect(other.output()).not.toMatch(/token=/);
    expect(await other.stop()).toBe(0);
  });

  it('a token file others can read is refused (exit 3), nothing served', async () => {
    chmodSync(join(state, 'serve-token'), 0o644);
    const r = await runFactory(['serve', '--host', '127.0.0.2', '--port', String(basePort(60) + 1)], {
      cwd: rig.repo,
      env,
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/readable by others/);
    expect(r.stderr).toMatch(/hint: chmod 600 /);
    chmodSync(join(state, 'serve-token'), 0o600);
  });

  it('bad flags exit 2 with a hint, before listening', async () => {
    const host = await rig.factory(['serve', '--host', 'not a host']);
    expect(host.code).toBe(2);
    expect(host.stderr).toMatch(/--host expects an IP address or a host name/);
    const url = await rig.factory(['serve', '--public-url', 'ftp://x']);
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/hint: for example --public-url https:\/\/factory.example.com/);
    const taken = await rig.factory(['serve', '--port', String(server.port)]);
    expect(taken.code).toBe(3);
    expect(taken.stderr).toMatch(/is taken/);
  });
});

/** An SSE client: its events' ids; `stall` stops reading (the socket fills up). */
function sseClient(path: string, headers: Record<string, string> = {}) {
  const ids: number[] = [];
  let res: IncomingMessage | undefined;
  let buffer = '';
  const req = httpRequest({
    host: '127.0.0.1',
    port: server.port,
    path,
    headers: { accept: 'text/event-stream', ...headers },
  });
  const ready = new Promise<void>((resolve, reject) => {
    req.on('response', (r) => {
      res = r;
      r.setEncoding('utf8');
      r.on('data', (d: string) => {
        buffer += d;
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const id = /^id: (\d+)$/m.exec(frame)?.[1];
          if (id) ids.push(Number(id));
        }
      });
      resolve();
    });
    req.on('error', reject);
  });
  req.end();
  return {
    ids,
    ready,
    stall: () => res?.pause(),
    resume: () => res?.resume(),
    close: () => req.destroy(),
  };
}

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const progress = (i: number) =>
  store.append(jobId, {
    type: 'progress',
    stage: 'plan',
    role: 'planner',
    attempt: 1,
    round: 1,
    message: `line ${i} ${'x'.repeat(400)}`,
  });

describe('Server-Sent Events', () => {
  it('a reconnect with Last-Event-ID gets exactly what it missed', async () => {
    const first = await progress(0);
    for (let i = 1; i <= 5; i++) await progress(i);
    const c = sseClient(`/api/jobs/${jobId}/events`, { 'last-event-id': String(first.id) });
    await c.ready;
    await until('5 events', () => c.ids.length >= 5);
    const all = (await store.events({ jobId, afterId: first.id })).map((e) => e.id);
    expect(c.ids).toEqual(all);
    const later = await progress(6);
    await until('the live one', () => c.ids.includes(later.id));
    c.close();
  });

  it('50 concurrent clients, half of them stalled: each reader gets every event, memory stays bounded', {
    timeout: 300_000,
  }, async () => {
    const health = async () => JSON.parse((await get('/api/health')).body);
    const before = await health();
    const clients = Array.from({ length: 50 }, () => sseClient(`/api/jobs/${jobId}/events`));
    await Promise.all(clients.map((c) => c.ready));
    await until('50 clients', async () => (await health()).clients === 50);
    const stalled = clients.slice(0, 25);
    for (const c of stalled) c.stall();
    const first = (await store.lastEventId()) + 1;
    const N = 3000;
    let maxBuffered = 0;
    for (let i = 0; i < N; i++) {
      await progress(1000 + i);
      if (i % 250 === 0) maxBuffered = Math.max(maxBuffered, (await health()).buffered);
    }
    const last = await store.lastEventId();
    const readers = clients.slice(25);
    await until('every reader has every event', () => readers.every((c) => c.ids.at(-1) === last));
    for (const c of readers) expect(c.ids).toEqual(Array.from({ length: last - first + 1 }, (_, k) => first + k));
    const after = await health();
    expectSchema('serve-health', after);
    // One shared ring, whatever the clients do; the stalled ones are still connected, holding no queue.
    expect(maxBuffered).toBeLessThanOrEqual(after.maxBuffered);
    expect(after.buffered).toBe(after.maxBuffered);
    expect(after.clients).toBe(50);
    // A stalled client, once it reads again, still gets everything from where it stopped.
    const resumed = stalled[0];
    resumed?.resume();
    await until('the stalled client caught up', () => resumed?.ids.at(-1) === last);
    expect(resumed?.ids).toEqual(Array.from({ length: last - first + 1 }, (_, k) => first + k));
    // 3000 events of ~0.5 KB to 50 clients is ~75 MB if buffered per client; the bound keeps it far below.
    expect(after.rssBytes - before.rssBytes).toBeLessThan(60 * 1024 * 1024);
    for (const c of clients) c.close();
    await until('clients gone', async () => (await health()).clients === 0);
  });
});
