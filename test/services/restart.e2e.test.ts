/**
 * `factory restart <service>`: the supervisor stops one service in stages and runs it again while
 * its dependency and its dependents keep running; mistakes are exit 2 / 3 with a hint.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { basePort, expectNothingLeft, expectSchema, makeProject, svc, type Project } from './helpers.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

const BASE = basePort(8);

const contract = `
name: rs
ports: [db, api]
services:
  db:
    command: ${svc('--listen', 'DB_PORT')}
    port: db
    healthcheck: { tcp: db, interval: 20ms }
  api:
    command: ${svc('--listen', 'API_PORT', '--say', 'api-up')}
    port: api
    depends_on: { db: healthy }
    healthcheck: { http: "http://127.0.0.1:\${API_PORT}/health", interval: 20ms }
`;

const pidOf = (st: { services: { name: string; pid: number | null }[] }, name: string) =>
  st.services.find((s) => s.name === name)?.pid;

describe('factory restart', () => {
  it('restarts one service (new pid, ready again, log shows both runs) and leaves the others running', async () => {
    const p = (project = makeProject(contract));
    const start = await p.run(['start', '--worktree-id', 'r', '--port-range', String(BASE), '--json']);
    expect(start.code).toBe(0);
    const before = JSON.parse(start.stdout);

    const r = await p.run(['restart', 'api', '--worktree-id', 'r', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expectSchema('restart', out);
    expect(out.ok).toBe(true);
    expect(out.restarted).toMatchObject({ name: 'api', state: 'ready', health: 'healthy', restarts: 0 });
    expect(out.restarted.pid).not.toBe(pidOf(before, 'api'));
    expect(pidOf(out, 'db')).toBe(pidOf(before, 'db'));
    expect(out.phase).toBe('running');
    expect(await (await fetch(`http://127.0.0.1:${BASE + 1}/health`)).status).toBe(200);

    const logs = await p.run(['logs', 'api', '--worktree-id', 'r']);
    expect(logs.stdout.match(/api-up on/g)).toHaveLength(2);

    const human = await p.run(['restart', 'api', '--worktree-id', 'r']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^restarted api in /);
    expect(human.stderr).toContain('api starting');

    const status = await p.run(['status', '--worktree-id', 'r']);
    expect(status.code).toBe(0);

    const unknown = await p.run(['restart', 'apx', '--worktree-id', 'r']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error no service "apx" in instance "r"\n  hint: services: db, api\n');

    expect((await p.run(['stop', '--worktree-id', 'r'])).code).toBe(0);
    const stopped = await p.run(['restart', 'api', '--worktree-id', 'r', '--json']);
    expect(stopped.code).toBe(3);
    expect(JSON.parse(stopped.stdout).error).toMatchObject({
      code: 'instance-not-running',
      hint: 'start it first: factory start --worktree-id r',
    });
    await expectNothingLeft(p, ['r']);
  });
});
