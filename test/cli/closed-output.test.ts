/**
 * A closed stdout (`factory ps | head -1`) ends every command quietly, as SIGPIPE ends
 * `git log | head`: exit 141, no stack trace, no "internal error", nothing left running. The table
 * is typed by the command registry, so a new command without a row is a type error.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandName } from '../../src/commands/index.js';
import { FACTORY_BIN, runFactory, type RunResult } from '../helpers/cli.js';
import { instanceKey } from '../../src/services/instance-key.js';
import { MARKER_INSTANCE } from '../../src/services/markers.js';
import { processesWithEnv } from '../../src/services/proc.js';
import { basePort, makeProject, svc, type Project } from '../services/helpers.js';

const BASE = basePort(7);

let p: Project;
const closed = (args: string[], input?: string) =>
  runFactory(args, { cwd: p.dir, closedStdout: true, ...(input !== undefined ? { input } : {}) });

/** What a command reads on stdin before it writes (the MCP server answers a request). */
const inputs: Partial<Record<CommandName, string>> = {
  mcp: `${JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'closed-output', version: '1' } },
  })}\n`,
};

beforeAll(async () => {
  p = makeProject(`name: pipes
ports: [web]
services:
  web:
    command: ${svc('--listen', 'WEB_PORT', '--say', 'hello from web')}
    port: web
    url: http://127.0.0.1:\${WEB_PORT}/
tests:
  unit: [[node, -e, "0"]]
`);
  const r = await p.run(['start', '--worktree-id', 'up', '--port-range', String(BASE)]);
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  await p?.cleanup();
});

/** Each command with arguments that make it write to stdout (a result, a report or a --json error). */
const cases: Record<CommandName, string[]> = {
  check: ['check'],
  config: ['config'],
  init: ['init', '--json'],
  start: ['start', '--worktree-id', 'piped', '--port-range', String(BASE + 10)],
  status: ['status', '--worktree-id', 'up'],
  urls: ['urls', '--worktree-id', 'up'],
  logs: ['logs', '--worktree-id', 'up'],
  stop: ['stop', '--worktree-id', 'never-started'],
  clean: ['clean', '--worktree-id', 'never-started'],
  ps: ['ps'],
  env: ['env', '--worktree-id', 'up'],
  setup: ['setup', '--worktree-id', 'up'],
  test: ['test', '--worktree-id', 'up', '--json'],
  validate: ['validate', '--worktree-id', 'up', '--json'],
  agent: ['agent', 'run', '--json'],
  restart: ['restart', 'nope', '--worktree-id', 'up', '--json'],
  // stdio is the MCP transport: its answer to a request (inputs below) meets the closed stdout.
  mcp: ['mcp'],
  job: ['job', 'list'],
  worker: ['worker', '--concurrency', '0', '--json'],
  // A --json error: a listening router would publish router.json in the state dir other files share.
  router: ['router', '--port', 'x', '--json'],
  // A --json error too: a listening dashboard would be a server left to stop.
  serve: ['serve', '--port', 'x', '--json'],
  doctor: ['doctor', '--json'],
  // A --json error (no allowlist file there): a running bot would need a Bot API server.
  bot: ['bot', 'telegram', '--config', 'no-such-telegram.json', '--json'],
};

function expectQuiet(r: RunResult): void {
  expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(r.stderr).not.toMatch(/EPIPE|internal error|Warning/);
}

describe('a closed stdout ends the command quietly', () => {
  for (const [name, args] of Object.entries(cases)) {
    it(`factory ${args.join(' ')} with its stdout closed: exit 141, no stack trace`, async () => {
      const r = await closed(args, inputs[name as CommandName]);
      expectQuiet(r);
      expect(r.code, r.stderr).toBe(141);
      if (name === 'start') expect((await p.run(['stop', '--worktree-id', 'piped'])).code).toBe(0);
    });
  }

  for (const command of ['status --worktree-id up', 'ps', 'config']) {
    // Its own code (ps: 1 when it flags a leak) if it wrote everything before head left, else 141.
    it(`factory ${command} | head -1 under pipefail: nothing on stderr`, async () => {
      const r = await promisify(execFile)(
        'bash',
        ['-o', 'pipefail', '-c', `node "$0" ${command} | head -1; echo "exit $?" >&2`, FACTORY_BIN],
        { cwd: p.dir, env: { ...process.env, NO_COLOR: '1' } },
      );
      expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.stderr).toMatch(/^exit (0|1|141)\n$/);
    });
  }

  it('logs -f stops following when its reader goes away', async () => {
    const r = await closed(['logs', '-f', '--worktree-id', 'up']);
    expectQuiet(r);
    expect(r.code).toBe(141);
  });

  it('start --foreground stops what it started when its reader goes away', async () => {
    const r = await closed(['start', '--foreground', '--worktree-id', 'fg', '--port-range', String(BASE + 20)]);
    expectQuiet(r);
    expect(r.code).toBe(141);
    expect((await p.run(['status', '--worktree-id', 'fg'])).code).toBe(3);
    expect(processesWithEnv(MARKER_INSTANCE, instanceKey(p.stateDir('fg')))).toEqual([]);
  });
});
