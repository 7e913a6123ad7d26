import { describe, expect, it } from 'vitest';
import type { CommandName } from '../../src/commands/index.js';
import { runFactory } from '../helpers/cli.js';

/**
 * Every command answers --help (exit 0, its usage and options) and rejects an unknown option with a
 * suggestion. The table is typed by the command registry: adding a command without a row here is a
 * type error, so no command ships without its help being exercised.
 */
const options: Record<CommandName, string[]> = {
  check: ['--json', '--file'],
  config: ['--json'],
  init: ['--force'],
  start: ['--worktree-id', '--port-range', '--only', '--timeout', '--foreground'],
  status: ['--json', '--worktree-id'],
  urls: ['--json'],
  logs: ['--follow'],
  stop: ['--worktree-id'],
  restart: ['--worktree-id', '--json'],
  clean: ['--worktree-id'],
  ps: ['--json', '--prune'],
  env: ['--json', '--shell'],
  setup: ['--json', '--force'],
  test: ['--json'],
  validate: ['--scenario', '--feature', '--json'],
  agent: ['run'],
  mcp: ['--worktree-id'],
  job: ['new', 'run', 'list', 'show', 'logs', 'cancel', 'retry', 'approve', 'close', 'gc', 'sync'],
  worker: [
    '--concurrency',
    '--max-per-repo',
    '--lease',
    '--store',
    '--repo-url',
    '--port-range',
    '--publisher',
    '--remote',
    '--json',
  ],
  router: ['--port', '--json'],
  serve: ['--port', '--host', '--public-url', '--store', '--json'],
  doctor: ['--agent', '--sandbox', '--json'],
  bot: ['telegram'],
};

describe('factory <command> --help', () => {
  for (const [name, expected] of Object.entries(options)) {
    it(`${name}: usage with its options, exit 0`, async () => {
      const r = await runFactory([name, '--help']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('USAGE');
      expect(r.stdout).toContain(name);
      for (const option of expected) expect(r.stdout).toContain(option);
    });
  }

  it('logs --help shows -f once: --follow, as in tail -f and docker compose logs -f', async () => {
    const r = await runFactory(['logs', '--help']);
    expect(r.stdout.match(/-f,/g)).toEqual(['-f,']);
    expect(r.stdout).toMatch(/-f, --follow/);
    expect(r.stdout).toMatch(/ {2}--file=<file>/);
  });

  it('logs -f <a path> says that -f is --follow there and how to pick the contract', async () => {
    const r = await runFactory(['logs', '-f', 'factory.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error logs takes a service name, got the path "factory.yaml"\n' +
        '  hint: -f means --follow on logs (as in tail -f); pick the contract with --file factory.yaml\n',
    );
  });

  it('factory --help lists every command', async () => {
    const r = await runFactory(['--help']);
    expect(r.code).toBe(0);
    for (const name of Object.keys(options)) expect(r.stdout).toContain(name);
  });

  it('help piped to a file carries no colour codes, even without NO_COLOR', async () => {
    const r = await runFactory(['status', '--help'], { env: { NO_COLOR: undefined } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('factory --version prints the package version', async () => {
    const r = await runFactory(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('mistakes on the command line', () => {
  it('an unknown command exits 2 with a suggestion and no stack trace', async () => {
    const r = await runFactory(['stats']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error unknown command "stats"\n  hint: did you mean "status"?\n');
  });

  it('an unknown option exits 2 with a suggestion instead of being ignored', async () => {
    const r = await runFactory(['status', '--worktreeid', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error unknown option --worktreeid\n  hint: did you mean --worktree-id?\n');
  });

  it('with --json the error is structured on stdout', async () => {
    const r = await runFactory(['check', '--jsn', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      schemaVersion: 1,
      ok: false,
      error: { code: 'usage', message: 'unknown option --jsn', hint: 'did you mean --json?' },
    });
  });

  it('no command prints the usage and exits 2', async () => {
    const r = await runFactory([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('USAGE');
  });
});
