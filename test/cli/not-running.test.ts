/**
 * Commands that need a running instance say how to start it, and the command they suggest works
 * (the test runs it); `logs` of an instance that never ran is an error, not a silent exit 0; a
 * second `clean` does not claim it removed something.
 */
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basePort, expectSchema, makeProject, svc, type Project } from '../services/helpers.js';

const BASE = basePort(23);
let p: Project;

beforeAll(() => {
  p = makeProject(
    `name: idle\nports: [web]\nservices:\n  web:\n    command: ${svc('--listen', 'WEB_PORT', '--say', 'up')}\n    port: web\n`,
  );
});
afterAll(async () => p?.cleanup());

/** The command after "start it with" in `stderr`, as argv (its words are plain, see commandFor). */
function suggested(stderr: string): string[] {
  const m = /start it with (factory .+)$/m.exec(stderr);
  expect(m, stderr).not.toBeNull();
  return (m?.[1] ?? '').split(' ').slice(1);
}

describe('an instance that is not running', () => {
  it('status says how to start it, and that command starts it', async () => {
    const r = await p.run(['status', '--worktree-id', 'n1']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('instance n1: not started\n');
    expect(r.stderr).toBe('hint: start it with factory start --worktree-id n1\n');
    const start = await p.run([...suggested(r.stderr), '--port-range', String(BASE)]);
    expect(start.code, start.stderr).toBe(0);
    expect((await p.run(['status', '--worktree-id', 'n1'])).code).toBe(0);
    expect((await p.run(['stop', '--worktree-id', 'n1'])).code).toBe(0);
  });

  it('a stopped instance: status and urls say how to start it; logs shows its lines and says it is not running', async () => {
    const status = await p.run(['status', '--worktree-id', 'n1']);
    expect(status.code).toBe(3);
    expect(status.stdout.split('\n')[0]).toBe('instance n1: stopped (not running)');
    expect(status.stderr).toBe('hint: start it with factory start --worktree-id n1\n');
    const urls = await p.run(['urls', '--worktree-id', 'n1']);
    expect(urls.code).toBe(3);
    expect(urls.stderr).toBe('instance n1 is not running\n  hint: start it with factory start --worktree-id n1\n');
    const logs = await p.run(['logs', '--worktree-id', 'n1']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('up');
    expect(logs.stderr).toBe(
      'hint: instance n1 is not running (stopped); start it with factory start --worktree-id n1\n',
    );
  });

  it('logs of an instance that never ran exits 3 with the start command', async () => {
    const r = await p.run(['logs', '--worktree-id', 'never']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error instance never has no logs: it was never started\n  hint: start it with factory start --worktree-id never\n',
    );
    const json = await p.run(['logs', '--worktree-id', 'never', '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'not-started' } });
  });

  it('the suggested command keeps the contract file the user gave', async () => {
    mkdirSync(join(p.dir, 'sub'));
    renameSync(join(p.dir, 'factory.yaml'), join(p.dir, 'sub', 'factory.yaml'));
    try {
      const r = await p.run(['status', '--file', 'sub/factory.yaml', '--worktree-id', 'n2']);
      expect(r.stderr).toBe('hint: start it with factory start --worktree-id n2 --file sub/factory.yaml\n');
      const start = await p.run([...suggested(r.stderr), '--port-range', String(BASE + 10)]);
      expect(start.code, start.stderr).toBe(0);
      expect((await p.run(['clean', '--worktree-id', 'n2', '--file', 'sub/factory.yaml'])).code).toBe(0);
    } finally {
      renameSync(join(p.dir, 'sub', 'factory.yaml'), join(p.dir, 'factory.yaml'));
    }
  });
});

describe('clean', () => {
  it('a second clean says there was nothing to clean (and --json says removed: false)', async () => {
    const first = await p.run(['clean', '--worktree-id', 'n1']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^instance n1: cleaned \(.*instances\/n1 removed, ports \d+–\d+ released\)\n$/);
    const second = await p.run(['clean', '--worktree-id', 'n1']);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('instance n1: nothing to clean (no instance folder, no port lease)\n');
    const json = JSON.parse((await p.run(['clean', '--worktree-id', 'n1', '--json'])).stdout);
    expectSchema('clean', json);
    expect(json).toMatchObject({ ok: true, removed: false, lease: null, reaped: [] });
  });
});
