/**
 * `factory mcp` end to end: the MCP SDK's real client spawns the built binary over stdio in a temp
 * project (a tiny HTTP service, the validation fixture web app, two test suites, three browser
 * scenarios) and drives the instance through the tools: list, start (with progress), status, urls,
 * env, logs (filtered), restart_service, test, validate in real Chromium, config, stop. Bad
 * arguments and failing calls are tool errors with the CLI's code/message/hint; the server keeps
 * answering after each.
 */
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACTORY_BIN, REPO_ROOT } from '../helpers/cli.js';
import {
  basePort,
  expectNothingLeft,
  expectSchema,
  makeProject,
  svc,
  type Project,
  until,
} from '../services/helpers.js';

const APP = join(REPO_ROOT, 'test', 'fixtures', 'validation', 'app.mjs');
const BASE = basePort(9);

const CONTRACT = `name: shop
ports: [api, web]
env:
  WEB_URL: http://127.0.0.1:\${WEB_PORT}/
services:
  api:
    command: ${svc('--listen', 'API_PORT', '--say', 'api-ready', '--log-requests')}
    port: api
    healthcheck: { http: "http://127.0.0.1:\${API_PORT}/health", interval: 20ms }
    url: http://127.0.0.1:\${API_PORT}/
  web:
    command: [node, ${JSON.stringify(APP)}]
    port: web
    healthcheck: { http: "\${WEB_URL}api/items", interval: 20ms }
    url: \${WEB_URL}
tests:
  unit:
    command: [node, -e, "console.log('unit ok')"]
  api:
    command: [node, -e, "fetch(process.env.API_URL_FOR_TEST ?? 'http://127.0.0.1:' + process.env.API_PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1))"]
    needs: [api]
  broken:
    command: [node, -e, "process.exit(3)"]
validation:
  browser:
    start_url: \${WEB_URL}
  scenarios:
    - name: create-item
      description: Create an item and see it arrive in the list
      steps:
        - wait_for: { text: live, timeout: 10s }
        - fill: { selector: "#name", value: "Item of \${WORKTREE_ID}" }
        - click: "#create"
        - wait_for: { text: "Item of \${WORKTREE_ID}", timeout: 10s }
    - name: noisy
      start_url: \${WEB_URL}?noise=1
      steps:
        - wait_for: { text: live, timeout: 10s }
    - name: delete-item
      timeout: 5s
      steps:
        - wait_for: { text: live, timeout: 10s }
        - click: "#delete"
`;

let project: Project;
let client: Client;
let stderr = '';

type Structured = Record<string, unknown> & { schemaVersion: number };

async function call(name: string, args: Record<string, unknown> = {}, onprogress?: (p: Progress) => void) {
  const r = (await client.callTool(
    { name, arguments: args },
    undefined,
    onprogress ? { onprogress, timeout: 180_000 } : { timeout: 180_000 },
  )) as CallToolResult;
  return r;
}

async function ok(name: string, args: Record<string, unknown> = {}, onprogress?: (p: Progress) => void) {
  const r = await call(name, args, onprogress);
  if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
  const out = r.structuredContent as Structured;
  // The text content is the same document, for clients that ignore structured content.
  expect(JSON.parse((r.content[0] as { text: string }).text)).toEqual(out);
  return out;
}

/** A tool error: the CLI's --json error document in the text content. */
async function toolError(name: string, args: Record<string, unknown>) {
  const r = await call(name, args);
  expect(r.isError).toBe(true);
  expect(r.structuredContent).toBeUndefined();
  const doc = JSON.parse((r.content[0] as { text: string }).text) as {
    ok: boolean;
    error: { code: string; message: string; hint: string | null };
  };
  expect(doc.ok).toBe(false);
  return doc.error;
}

beforeAll(async () => {
  project = makeProject(CONTRACT);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [FACTORY_BIN, 'mcp', '--worktree-id', 'mcp-a'],
    cwd: project.dir,
    env: { ...(process.env as Record<string, string>), NO_COLOR: '1' },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  client = new Client({ name: 'factory-test', version: '1.0.0' });
  await client.connect(transport);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await project?.cleanup();
}, 120_000);

describe('factory mcp over stdio', { timeout: 180_000 }, () => {
  it('lists every tool with JSON Schemas for input and output', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      'status',
      'urls',
      'env',
      'logs',
      'start',
      'stop',
      'restart_service',
      'test',
      'validate',
      'config',
    ]);
    for (const t of tools) {
      expect(t.description?.length).toBeGreaterThan(20);
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type).toBe('object');
    }
    const logs = tools.find((t) => t.name === 'logs');
    expect(Object.keys(logs?.inputSchema.properties ?? {})).toEqual(['service', 'lines', 'filter']);
    expect(client.getServerVersion()?.name).toBe('factory');
  });

  it('status before start: not started', async () => {
    const st = await ok('status');
    expectSchema('status', st);
    expect(st).toMatchObject({ worktreeId: 'mcp-a', running: false, phase: 'not-started' });
  });

  it('starts the instance with progress notifications, then status/urls/env describe it', async () => {
    const progress: Progress[] = [];
    const st = await ok('start', { portRange: BASE }, (p) => progress.push(p));
    expectSchema('start', st);
    expect(st).toMatchObject({ ok: true, attached: false, running: true, ports: { api: BASE, web: BASE + 1 } });
    const messages = progress.map((p) => p.message);
    expect(messages).toContain(`ports api=${BASE} web=${BASE + 1}`);
    expect(messages).toContain('api ready');
    expect(messages).toContain('web ready');
    const values = progress.map((p) => p.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(new Set(values).size).toBe(values.length);

    const status = await ok('status');
    expectSchema('status', status);
    expect(status).toMatchObject({ running: true, healthy: true, phase: 'running' });

    const urls = await ok('urls');
    expectSchema('urls', urls);
    expect(urls.urls).toEqual({ api: `http://127.0.0.1:${BASE}/`, web: `http://127.0.0.1:${BASE + 1}/` });

    const env = await ok('env');
    expectSchema('env', env);
    expect(env.env).toMatchObject({ API_PORT: String(BASE), WEB_URL: `http://127.0.0.1:${BASE + 1}/` });

    const again = await ok('start');
    expect(again.attached).toBe(true);
  });

  it('logs: last N lines of one service, filtered by a regular expression', async () => {
    for (const path of ['/one', '/two', '/three']) await fetch(`http://127.0.0.1:${BASE}${path}`);
    // The service logs a request as it answers it: the last line can reach its log file a moment
    // after the response, so ask until it is there (a wrong filter or count never gets there).
    const lines = (l: Record<string, unknown>) => (l.lines as { line: string }[]).map((x) => x.line);
    const logs = await until('the three requests in the log', async () => {
      const l = await ok('logs', { service: 'api', lines: 2, filter: '^GET /(one|two|three)$' });
      return lines(l).at(-1) === 'GET /three' ? l : undefined;
    });
    expectSchema('logs', logs);
    expect(lines(logs)).toEqual(['GET /two', 'GET /three']);
    const all = await ok('logs', { lines: 500 });
    expect(new Set((all.lines as { service: string }[]).map((l) => l.service))).toEqual(new Set(['api', 'web']));
  });

  it('restart_service restarts one service (new pid, ready again) with progress', async () => {
    const before = (await ok('status')) as unknown as { services: { name: string; pid: number }[] };
    const messages: string[] = [];
    const r = await ok('restart_service', { service: 'api' }, (p) => messages.push(p.message ?? ''));
    expectSchema('restart', r);
    const restarted = r.restarted as { state: string; pid: number };
    expect(r.ok).toBe(true);
    expect(restarted.state).toBe('ready');
    expect(restarted.pid).not.toBe(before.services.find((s) => s.name === 'api')?.pid);
    expect(messages).toEqual(expect.arrayContaining(['api stopping', 'api starting', 'api ready']));
    const logs = await ok('logs', { service: 'api', filter: 'api-ready' });
    expect(logs.lines).toHaveLength(2);
  });

  it('test runs suites: ok for passing ones, ok:false naming the failing one', async () => {
    const progress: Progress[] = [];
    const pass = await ok('test', { suites: ['unit', 'api'] }, (p) => progress.push(p));
    expectSchema('test', pass);
    expect(pass.ok).toBe(true);
    expect((pass.suites as { name: string; status: string }[]).map((s) => [s.name, s.status])).toEqual([
      ['unit', 'passed'],
      ['api', 'passed'],
    ]);
    expect(progress.at(-1)).toMatchObject({ progress: 2, total: 2, message: 'api passed' });

    const fail = await ok('test', { suites: ['broken'] });
    expect(fail.ok).toBe(false);
    expect((fail.suites as { status: string }[])[0]?.status).toBe('failed');

    const unknown = await toolError('test', { suites: ['nope'] });
    expect(unknown.code).toBe('unknown-test-suite');
  });

  it('validate in real Chromium: pass, console errors, and the failed step with its screenshot', async () => {
    const progress: Progress[] = [];
    const pass = await ok('validate', { scenarios: ['create-item', 'noisy'] }, (p) => progress.push(p));
    expectSchema('validation-summary', pass);
    expect(pass.ok).toBe(true);
    expect(String(pass.reportPath)).toMatch(/\/\.factory\/artifacts\/validate-mcp-a-[^/]+\/report\.html$/);
    const [created, noisy] = pass.scenarios as {
      name: string;
      status: string;
      failedStep: unknown;
      consoleErrors: string[];
      failedRequests: string[];
      video: string | null;
    }[];
    expect(created).toMatchObject({ name: 'create-item', status: 'passed', failedStep: null, consoleErrors: [] });
    expect(created?.video).toMatch(/\/01-create-item\/video\.webm$/);
    expect(noisy?.consoleErrors).toContain('noise: the widget failed to load');
    expect(noisy?.failedRequests.some((r) => r.includes('/api/missing'))).toBe(true);
    expect(progress.map((p) => p.message)).toContain('create-item passed');

    const fail = await ok('validate', { scenarios: ['delete-item'] });
    expect(fail.ok).toBe(false);
    const step = (fail.scenarios as { failedStep: Record<string, unknown> }[])[0]?.failedStep;
    expect(step).toMatchObject({ index: 2, expected: 'one visible, enabled element matching #delete to click' });
    expect(String(step?.screenshot)).toMatch(/\/01-delete-item\/failure\.png$/);

    const unknown = await toolError('validate', { scenarios: ['nope'] });
    expect(unknown.code).toBe('unknown-scenario');
  });

  it('config returns the normalized contract and its start order', async () => {
    const cfg = await ok('config');
    expectSchema('config', cfg);
    expect(cfg.startOrder).toEqual(['api', 'web']);
  });

  it('bad arguments and unknown tools are tool errors; the server keeps answering', async () => {
    expect(await toolError('logs', { lines: 'ten' })).toMatchObject({
      code: 'usage',
      message: 'argument lines must be integer',
    });
    expect(await toolError('logs', { lines: 0 })).toMatchObject({
      code: 'usage',
      message: 'argument lines must be >= 1',
    });
    expect(await toolError('logs', { filter: '(' })).toMatchObject({
      code: 'usage',
      hint: 'a JavaScript regular expression, e.g. "error|warn"',
    });
    expect(await toolError('logs', { service: 'nope' })).toMatchObject({ code: 'unknown-service' });
    expect(await toolError('status', { verbose: true })).toMatchObject({
      code: 'usage',
      message: 'unknown argument "verbose"',
    });
    expect(await toolError('restart_service', {})).toMatchObject({
      code: 'usage',
      message: "arguments must have required property 'service'",
    });
    expect(await toolError('restart_service', { service: 'db' })).toEqual({
      code: 'unknown-service',
      message: 'no service "db" in instance "mcp-a"',
      hint: 'services: api, web',
    });
    expect(await toolError('deploy', {})).toMatchObject({ code: 'unknown-tool' });
    expect((await ok('status')).running).toBe(true);
  });

  it('stop stops everything; tools on a stopped instance say so', async () => {
    const stop = await ok('stop');
    expectSchema('stop', stop);
    expect(stop).toMatchObject({ ok: true, was: 'running', busyPorts: [] });
    expect(await toolError('restart_service', { service: 'api' })).toMatchObject({
      code: 'instance-not-running',
      hint: 'start it first: factory start --worktree-id mcp-a',
    });
    expect((await toolError('validate', {})).code).toBe('instance-not-running');
    expect((await ok('urls')).running).toBe(false);
    await expectNothingLeft(project, ['mcp-a']);
    expect(stderr).toBe('');
  });
});
