/**
 * examples/diffie through `factory router`: real Chromium opens diffie's web app by its stable
 * hostname (`app.<worktree-id>.diffie.localhost`), the page reaches the api and the realtime
 * WebSocket by their stable names too (diffie's app points the browser at the names beside its own
 * when served under one), and a project created in the page gets its summary from the worker through
 * realtime — the whole path app → api → PostgreSQL → worker → realtime → app, through the router.
 * The file uses its own machine state dir, so other test files never see this router.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffieFixture, type DiffieFixture } from '../diffie/fixture.js';
import { basePort } from '../services/helpers.js';
import { startRouter, stopRouter } from './helpers.js';

const PORT = basePort(12);
const ID = 'routed';
const stateHome = mkdtempSync(join(tmpdir(), 'factory-router-diffie-state-'));
const env = { FACTORY_STATE_HOME: stateHome };
const stable = (service: string) => `${service}.${ID}.diffie.localhost:${PORT}`;

let fx: DiffieFixture;
let router: ChildProcess | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  fx = await diffieFixture(env);
  fx.track(ID);
  const setup = await fx.factory(['setup', '--worktree-id', ID], 240_000);
  expect(setup.code, setup.stderr).toBe(0);
  // Its own registry (the state home) but the run's port window: the instance leases from this
  // file's block, not from the run's default pool, which the run's shared registry hands out too.
  const start = await fx.factory(['start', '--worktree-id', ID, '--port-range', String(PORT + 10)], 180_000);
  expect(start.code, start.stderr).toBe(0);
  router = (await startRouter(fx.dir, env, PORT)).child;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
}, 420_000);

afterAll(async () => {
  await browser?.close();
  await stopRouter(router);
  await fx?.dispose();
  rmSync(stateHome, { recursive: true, force: true });
}, 120_000);

describe('diffie through factory router', { timeout: 120_000 }, () => {
  it('urls names the app, api and realtime by their stable hostnames', async () => {
    const urls = JSON.parse((await fx.factory(['urls', '--worktree-id', ID, '--json'])).stdout);
    expect(urls.stableUrls).toMatchObject({
      api: `http://${stable('api')}/`,
      app: `http://${stable('app')}/`,
      realtime: `ws://${stable('realtime')}/`,
    });
  });

  it('Chromium opens the app by name; its api calls and realtime WebSocket go through the router', async () => {
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      const sockets: string[] = [];
      const requests: string[] = [];
      page.on('websocket', (ws) => sockets.push(ws.url()));
      page.on('request', (r) => requests.push(new URL(r.url()).host));
      const res = await page.goto(`http://${stable('app')}/`);
      expect(res?.status()).toBe(200);
      await page.locator('#live[data-state="live"]').waitFor({ timeout: 30_000 });
      expect(sockets.length).toBeGreaterThan(0);
      for (const url of sockets) expect(new URL(url).host).toBe(stable('realtime'));

      await page.fill('#name', 'Routed plan');
      await page.fill('#description', 'one two two three');
      await page.click('#create');
      const item = page.locator('#projects li:has(.name:text-is("Routed plan"))');
      await item.locator('.summary:has-text("6 words, 5 unique")').waitFor({ timeout: 30_000 });
      // Every request the page made went to a stable name on the router's port, none to a leased port.
      expect(new Set(requests)).toEqual(new Set([stable('app'), stable('api')]));
    } finally {
      await context.close();
    }
  });
});
