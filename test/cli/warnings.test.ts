/**
 * No Node warning reaches a user's terminal. The two leaks that printed MaxListenersExceededWarning
 * are fixed at their source (an abort listener per `logs -f` poll, a drain listener per video frame
 * while ffmpeg is behind), and whatever warning is left goes to stderr only with FACTORY_DEBUG=1.
 */
import { execFileSync, spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followLogs, type LogLine } from '../../src/services/logs.js';
import { findFfmpegTool } from '../../src/validation/tools.js';
import { VideoEncoder } from '../../src/validation/video.js';
import { FACTORY_BIN, REPO_ROOT, runFactory } from '../helpers/cli.js';
import { basePort, makeProject, until, type Project } from '../services/helpers.js';

const PROBE = join(REPO_ROOT, 'test', 'fixtures', 'cli', 'warn-on-first-write.mjs');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'factory-warnings-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stamp = (text: string) => `${new Date().toISOString()} out ${text}\n`;

/** A contract and an instance folder with one service log, as a started instance leaves them. */
function fakeInstance(id: string): string {
  writeFileSync(join(dir, 'factory.yaml'), 'name: warn\nservices:\n  web:\n    command: [sleep, "100"]\n');
  const logs = join(dir, '.factory', 'instances', id, 'logs');
  mkdirSync(logs, { recursive: true });
  writeFileSync(join(logs, 'web.log'), stamp('first'));
  return join(dir, '.factory', 'instances', id);
}

describe('the listener leaks are gone', () => {
  it('logs -f keeps one abort listener however many times it polls', async () => {
    const stateDir = fakeInstance('poll');
    const seen: LogLine[] = [];
    const abort = new AbortController();
    const following = followLogs(stateDir, 'web', (l) => seen.push(l), abort.signal);
    // Each appended line is printed by a later poll, so 15 lines mean at least 15 polls.
    for (let i = 1; i <= 15; i++) {
      appendFileSync(join(stateDir, 'logs', 'web.log'), stamp(`line ${i}`));
      await until(`line ${i}`, () => seen.some((l) => l.line === `line ${i}`));
      expect(getEventListeners(abort.signal, 'abort').length).toBeLessThanOrEqual(1);
    }
    abort.abort();
    await following;
  });

  it('frames written faster than ffmpeg reads them share one drain listener (no MaxListenersExceededWarning)', async () => {
    const jpeg = join(dir, 'frame.jpg');
    execFileSync(findFfmpegTool('ffmpeg'), [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=1280x720:rate=1',
      '-frames:v',
      '1',
      '-q:v',
      '2',
      jpeg,
    ]);
    const frame = readFileSync(jpeg);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const t0 = Date.now();
    const encoder = new VideoEncoder(findFfmpegTool('ffmpeg'), join(dir, 'video.webm'), t0);
    let pending: (Promise<void> | undefined)[] = [];
    try {
      // Each frame a second after the last: 25 copies each, far more than the pipe holds at once,
      // and nobody waits in between (as when the trace's screencast client acks the frames).
      pending = Array.from({ length: 20 }, (_, i) => encoder.writeFrame(frame, t0 + (i + 1) * 1000));
      expect(pending.filter((p) => p !== undefined).length).toBeGreaterThan(10);
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      await encoder.abort();
    }
    // ffmpeg is gone: whoever waited for a drain is let go instead of waiting forever.
    await Promise.all(pending);
  });
});

describe('no Node warning on a user terminal', () => {
  it('a warning raised while a command runs is not shown; FACTORY_DEBUG=1 shows it', async () => {
    const env = { NODE_OPTIONS: `--import ${PROBE}` };
    const quiet = await runFactory(['ps'], { env, cwd: dir });
    expect(quiet.stderr).not.toMatch(/Warning/);
    const debug = await runFactory(['ps'], { env: { ...env, FACTORY_DEBUG: '1' }, cwd: dir });
    expect(debug.stderr).toContain('node warning ProbeWarning: a probe warning');
  });

  it('logs -f followed for many polls prints no warning, even with FACTORY_DEBUG=1', async () => {
    const stateDir = fakeInstance('follow');
    const child = spawn(process.execPath, [FACTORY_BIN, 'logs', '-f', '--worktree-id', 'follow'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', FACTORY_DEBUG: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      await until('the first line', () => out.includes('first'));
      for (let i = 1; i <= 15; i++) {
        appendFileSync(join(stateDir, 'logs', 'web.log'), stamp(`line ${i}`));
        await until(`line ${i}`, () => out.includes(`line ${i}\n`));
      }
    } finally {
      child.kill('SIGINT');
    }
    expect(await closed).toBe(0);
    // Only the hint that this (hand-made) instance is not running.
    expect(err).toBe(
      'hint: instance follow is not running (not-started), so nothing new appears until it is started; start it with factory start --worktree-id follow\n',
    );
  });
});

describe('validate prints no warning', { timeout: 180_000 }, () => {
  let p: Project;
  const APP = join(REPO_ROOT, 'test', 'fixtures', 'validation', 'app.mjs');
  beforeAll(async () => {
    p = makeProject(`name: shop
ports: [web]
env:
  WEB_URL: http://127.0.0.1:\${WEB_PORT}/
services:
  web:
    command: [node, ${JSON.stringify(APP)}]
    port: web
    healthcheck: { http: "\${WEB_URL}api/items", interval: 20ms }
    url: \${WEB_URL}
validation:
  browser:
    start_url: \${WEB_URL}
  scenarios:
    - name: create-item
      steps:
        - wait_for: { text: live, timeout: 10s }
        - fill: { selector: "#name", value: "Item" }
        - click: "#create"
        - wait_for: { text: "Item", timeout: 10s }
        - screenshot: created
`);
    const r = await p.run(['start', '--worktree-id', 'v', '--port-range', String(basePort(21))]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => p?.cleanup(), 120_000);

  it('a recorded scenario with FACTORY_DEBUG=1: no "Warning" on stderr', async () => {
    const r = await p.run(['validate', '--worktree-id', 'v'], { env: { FACTORY_DEBUG: '1' }, timeoutMs: 150_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/Warning/);
  });
});
