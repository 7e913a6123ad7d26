/**
 * `factory router` end to end: the built binary routes `<service>.<worktree-id>.<project>.localhost`
 * to two instances of one contract side by side (a small app with a realtime WebSocket). Real
 * Chromium opens each app by its stable hostname (it resolves *.localhost to loopback by itself)
 * and its WebSocket works through the router; method, path, query, headers and body pass through
 * intact; an unknown host lists the instances; a stopped instance answers 502; an instance started
 * after the router is routed without a restart; `urls`/`status --json` carry the stable URLs while
 * the router runs. The whole file uses its own machine state dir, so other test files never see
 * this router.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REPO_ROOT, runFactory } from '../helpers/cli.js';
import { startRouter, stopRouter } from './helpers.js';
import { basePort, expectSchema, makeProject, type Project, until } from '../services/helpers.js';
import type { ChildProcess } from 'node:child_process';

const APP = join(REPO_ROOT, 'test', 'fixtures', 'router', 'app.mjs');
const BASE = basePort(10);
const PORT = basePort(11);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];
const CHROMIUM_QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync'];

const CONTRACT = `name: Routed_App
ports: [web]
services:
  web:
    command: [node, ${JSON.stringify(APP)}]
    port: web
    env: { APP_PORT: "\${WEB_PORT}" }
    healthcheck: { http: "http://127.0.0.1:\${WEB_PORT}/echo", interval: 20ms }
    url: http://127.0.0.1:\${WEB_PORT}/
`;

const stateHome = mkdtempSync(join(tmpdir(), 'factory-router-state-'));
const env = { FACTORY_STATE_HOME: stateHome };
let project: Project;
let router: ChildProcess | undefined;
let browser: Browser | undefined;
const host = (id: string) => `web.${id}.routed-app.localhost`;
const factory = (args: string[]) => runFactory(args, { cwd: project.dir, env, timeoutMs: 90_000 });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to the router with an explicit Host header (Node does not resolve *.localhost). */
function ask(
  hostHeader: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: PORT,
        path,
        method: init.method ?? 'GET',
        headers: { host: hostHeader, ...init.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

async function start(id: string, base: number): Promise<void> {
  const r = await factory(['start', '--worktree-id', id, '--port-range', String(base)]);
  if (r.code !== 0) throw new Error(`start ${id}: ${r.stderr}`);
}

beforeAll(async () => {
  project = makeProject(CONTRACT);
  await start('one', BASE);
  await start('two', BASE + 10);
  const started = await startRouter(project.dir, env, PORT);
  router = started.child;
  const doc = started.doc;
  expectSchema('router', doc);
  expect(doc).toMatchObject({ schemaVersion: 1, port: PORT, url: `http://localhost:${PORT}/` });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...CHROMIUM_QUIET],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stopRouter(router);
  await project?.cleanup();
  rmSync(stateHome, { recursive: true, force: true });
}, 120_000);

describe('factory router', { timeout: 120_000 }, () => {
  it('urls and status carry the stable URLs while the router runs', async () => {
    const urls = await factory(['urls', '--worktree-id', 'one', '--json']);
    const u = JSON.parse(urls.stdout);
    expectSchema('urls', u);
    expect(u.stableUrls).toEqual({ web: `http://${host('one')}:${PORT}/` });
    const human = await factory(['urls', '--worktree-id', 'two']);
    expect(human.stdout).toBe(`web http://127.0.0.1:${BASE + 10}/ http://${host('two')}:${PORT}/\n`);
    const status = JSON.parse((await factory(['status', '--worktree-id', 'two', '--json'])).stdout);
    expectSchema('status', status);
    expect(status.stableUrls).toEqual({ web: `http://${host('two')}:${PORT}/` });
  });

  it('Chromium opens each app by its stable hostname, and its WebSocket works through the router', async () => {
    const context = await browser!.newContext();
    try {
      for (const id of ['one', 'two']) {
        const page = await context.newPage();
        const res = await page.goto(`http://${host(id)}:${PORT}/`);
        expect(res?.status()).toBe(200);
        await page.getByText(`instance ${id}`).waitFor();
        await page.getByText('live', { exact: true }).waitFor();
        await page.getByText(`hello from ${id}`).waitFor();
        await page.getByText('echo: ping').waitFor();
        expect(new URL(page.url()).host).toBe(`${host(id)}:${PORT}`);
        await page.close();
      }
    } finally {
      await context.close();
    }
  });

  it('passes method, path, query, headers and body through intact, with X-Forwarded-*', async () => {
    const path = '/echo/a%20b/c.json?x=1&y=%2F&z=%C3%A9';
    const r = await ask(`${host('one')}:${PORT}`, path, {
      method: 'POST',
      headers: { 'x-custom': 'value with spaces', 'content-type': 'text/plain', cookie: 'k=v' },
      body: 'payload ✓',
    });
    expect(r.status).toBe(200);
    expect(r.headers['x-app-worktree']).toBe('one');
    const echo = JSON.parse(r.body);
    expect(echo).toMatchObject({ method: 'POST', url: path, body: 'payload ✓', worktree: 'one' });
    expect(echo.headers).toMatchObject({
      host: `${host('one')}:${PORT}`,
      'x-custom': 'value with spaces',
      cookie: 'k=v',
      'x-forwarded-host': `${host('one')}:${PORT}`,
      'x-forwarded-proto': 'http',
      'x-forwarded-port': String(PORT),
    });
    // Host names are case-insensitive.
    expect(JSON.parse((await ask(host('two').toUpperCase(), '/echo')).body).worktree).toBe('two');
  });

  it('a WebSocket client reaches each instance by name', async () => {
    for (const id of ['one', 'two']) {
      const ws = new WebSocket(`ws://127.0.0.1:${PORT}/live`, { headers: { host: `${host(id)}:${PORT}` } });
      const got: string[] = [];
      ws.on('message', (m) => got.push(String(m)));
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.send('over the router');
      await until('two messages', () => got.length >= 2, 10_000);
      expect(got).toEqual([`hello from ${id}`, 'echo: over the router']);
      ws.close();
    }
  });

  it('an unknown host gets a page listing the live instances with links', async () => {
    const r = await ask('nope.localhost', '/');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('No instance answers to <code>nope.localhost</code>');
    expect(r.body).toContain(`<a href="http://${host('one')}:${PORT}/">web</a>`);
    expect(r.body).toContain(`<a href="http://${host('two')}:${PORT}/">web</a>`);
    const bare = await ask(`localhost:${PORT}`, '/');
    expect(bare.status).toBe(200);
    expect(bare.body).toContain('Routed_App');
  });

  it('a stopped instance answers 502 with a clear page; one started later is routed without a restart', async () => {
    expect((await factory(['stop', '--worktree-id', 'two'])).code).toBe(0);
    const r = await ask(host('two'), '/');
    expect(r.status).toBe(502);
    expect(r.body).toContain('Instance <code>two</code> of <code>Routed_App</code> is not running (stopped).');
    expect(r.body).toContain(`Start it: <code>cd ${project.dir} &amp;&amp; factory start --worktree-id two</code>`);
    expect((await ask(host('one'), '/echo')).status).toBe(200);
    const ws = new WebSocket(`ws://127.0.0.1:${PORT}/live`, { headers: { host: host('two') } });
    const refused = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0)),
    );
    expect(refused).toBe(502);

    await start('three', BASE + 20);
    expect(JSON.parse((await ask(host('three'), '/echo')).body).worktree).toBe('three');
    expect((await factory(['stop', '--worktree-id', 'three'])).code).toBe(0);
  });

  it('a second router is refused; once stopped, stable URLs disappear', async () => {
    const second = await runFactory(['router', '--port', String(PORT + 1)], { cwd: project.dir, env });
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/^error a router already runs on port \d+ \(pid \d+\)\n {2}hint: use it/);
    const exited = new Promise((r) => router?.once('exit', r));
    router?.kill('SIGINT');
    expect(await exited).toBe(0);
    const u = JSON.parse((await factory(['urls', '--worktree-id', 'one', '--json'])).stdout);
    expect(u.stableUrls).toEqual({});
  });
});
