/**
 * An agent in a bwrap sandbox has its own pid namespace: the host's pids are invisible there, yet
 * `factory status` inside must still see the running instance (the supervisor's heartbeat), and
 * must see it gone once stopped.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { FACTORY_BIN } from '../helpers/cli.js';
import { basePort, expectNothingLeft, makeProject, svc, type Project } from './helpers.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

const BASE = basePort(5);

/** `factory status --json` run inside bwrap with a private pid namespace, like a sandboxed agent. */
function statusInSandbox(dir: string): { code: number; json: { running: boolean; healthy: boolean; phase: string } } {
  const argv = [
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--bind',
    dir,
    dir,
    '--unshare-pid',
    '--die-with-parent',
    '--cap-drop',
    'ALL',
    '--chdir',
    dir,
    '--',
    process.execPath,
    FACTORY_BIN,
    'status',
    '--worktree-id',
    'ns',
    '--json',
  ];
  try {
    return {
      code: 0,
      json: JSON.parse(execFileSync('bwrap', argv, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })),
    };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, json: JSON.parse(err.stdout) };
  }
}

describe('status from another pid namespace', () => {
  it('sees the running instance by its heartbeat, and sees it stopped', async () => {
    const p = (project = makeProject(`
name: ns
ports: [api]
services:
  api:
    command: ${svc('--listen', 'API_PORT')}
    port: api
    healthcheck: { tcp: api }
`));
    const start = await p.run(['start', '--worktree-id', 'ns', '--port-range', String(BASE)]);
    expect(start.code, start.stderr).toBe(0);

    const inside = statusInSandbox(p.dir);
    expect(inside.code).toBe(0);
    expect(inside.json).toMatchObject({ running: true, healthy: true, phase: 'running' });

    expect((await p.run(['stop', '--worktree-id', 'ns'])).code).toBe(0);
    const after = statusInSandbox(p.dir);
    expect(after.code).toBe(3);
    expect(after.json.running).toBe(false);
    await expectNothingLeft(p, ['ns']);
  });
});
