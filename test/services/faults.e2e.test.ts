/**
 * The faults the runtime must survive, each with real processes, and after each: nothing left
 * (no process, no supervisor, no bound port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { identityOf, processAlive } from '../../src/services/proc.js';
import { basePort, expectNothingLeft, makeProject, processesMentioning, svc, until, type Project } from './helpers.js';

let project: Project | undefined;
const extra: (ChildProcess | Server)[] = [];
afterEach(async () => {
  for (const x of extra.splice(0)) {
    if ('kill' in x) x.kill('SIGKILL');
    else await new Promise((r) => x.close(r));
  }
  await project?.cleanup();
  project = undefined;
});

const BASE = basePort(2);

const one = (service: string) => `
name: faults
ports: [api]
services:
${service}
`;

const statusOf = async (p: Project, id: string) =>
  JSON.parse((await p.run(['status', '--worktree-id', id, '--json'])).stdout);

describe('faults', () => {
  it('a service that crashes at start: start fails naming it, its exit code and log tail, nothing runs', async () => {
    const p = (project = makeProject(
      one(`  api:
    command: ${svc('--exit', 3)}
    port: api
    restart: no
    healthcheck: { http: "http://127.0.0.1:\${API_PORT}/health" }`),
    ));
    const r = await p.run(['start', '--worktree-id', 'c', '--port-range', String(BASE)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/service "api" failed: exited with code 3/);
    expect(r.stderr).toMatch(/check: http http:\/\/127\.0\.0\.1:\d+\/health/);
    expect(r.stderr).toMatch(/exit code: 3/);
    expect(r.stderr).toMatch(/last \d+ line\(s\) of .*api\.log:\n\s+exiting with 3\n\s+something went wrong/);
    const json = await p.run(['start', '--worktree-id', 'c', '--json']);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'service-failed', service: 'api', exitCode: 3 });
    expect((await p.run(['status', '--worktree-id', 'c'])).code).toBe(3);
    await expectNothingLeft(p, ['c']);
  });

  it('a service that crashes later is restarted by policy, and status shows it', async () => {
    const p = (project = makeProject(''));
    const marker = join(p.dir, 'crashed-once');
    writeFileSync(
      join(p.dir, 'factory.yaml'),
      one(`  api:
    command: ${svc('--listen', 'API_PORT', '--crash-after', 200, '--crash-once', marker)}
    port: api
    restart: { policy: on-failure, max_restarts: 2, backoff: 50ms }
    healthcheck: { tcp: api }`),
    );
    expect((await p.run(['start', '--worktree-id', 'l', '--port-range', String(BASE + 10)])).code).toBe(0);
    const st = await until('the restart', async () => {
      const s = await statusOf(p, 'l');
      return s.services[0].restarts === 1 && s.services[0].state === 'ready' ? s : undefined;
    });
    expect(st.services[0]).toMatchObject({ health: 'healthy', exitCode: null });
    expect(readFileSync(join(p.stateDir('l'), 'logs/api.log'), 'utf8')).toMatch(
      /factory exited with code 1; restarting in 50 ms/,
    );
    expect((await p.run(['stop', '--worktree-id', 'l'])).code).toBe(0);
    await expectNothingLeft(p, ['l']);
  });

  it('a health check that never passes: start times out with the check and the log tail', async () => {
    const p = (project = makeProject(
      one(`  api:
    command: ${svc('--listen', 'API_PORT', '--status', 503)}
    port: api
    healthcheck: { http: "http://127.0.0.1:\${API_PORT}/health", startup_timeout: 800ms }`),
    ));
    const r = await p.run(['start', '--worktree-id', 'h', '--port-range', String(BASE + 20)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /service "api" failed: check http http:\/\/127\.0\.0\.1:\d+\/health did not pass within 800 ms \(last: HTTP 503\)/,
    );
    expect(r.stderr).toMatch(/listening on \d+/);
    await expectNothingLeft(p, ['h']);
  });

  it('--timeout stops a start that takes too long', async () => {
    const p = (project = makeProject(
      one(`  api:
    command: ${svc('--listen', 'API_PORT', '--delay', 30000)}
    port: api
    healthcheck: { tcp: api }`),
    ));
    const r = await p.run(['start', '--worktree-id', 't', '--port-range', String(BASE + 30), '--timeout', '0.5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/service "api" was not ready after 500 ms \(--timeout\)/);
    await expectNothingLeft(p, ['t']);
  });

  it('supervisor killed with SIGKILL: status says so; stop reaps every child (setsid too) and spares a recycled pid', async () => {
    const p = (project = makeProject(
      one(`  api:
    command: ${svc('--listen', 'API_PORT', '--children', 2, '--setsid')}
    port: api
    healthcheck: { tcp: api }`),
    ));
    expect((await p.run(['start', '--worktree-id', 'k', '--port-range', String(BASE + 40)])).code).toBe(0);
    const st = await statusOf(p, 'k');
    process.kill(st.supervisor.pid, 'SIGKILL');
    await until('supervisor gone', () => !processAlive(identityOf(st.supervisor.pid)));

    // An unrelated process whose pid we record as a child with another start time: a recycled pid.
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    extra.push(bystander);
    await until('bystander up', () => identityOf(bystander.pid as number));
    const stateFile = join(p.stateDir('k'), 'state.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    state.children.push({ pid: bystander.pid, startTime: 1, service: 'api', pgid: bystander.pid });
    writeFileSync(stateFile, JSON.stringify(state));

    const dead = await p.run(['status', '--worktree-id', 'k', '--json']);
    expect(dead.code).toBe(3);
    const ds = JSON.parse(dead.stdout);
    expect(ds).toMatchObject({ running: false, phase: 'supervisor-dead' });
    expect(ds.orphans.length).toBeGreaterThanOrEqual(4); // api, 2 children, the setsid grandchild
    const human = await p.run(['status', '--worktree-id', 'k']);
    expect(human.stdout).toMatch(/supervisor \(pid \d+\) is not running/);
    const ps = JSON.parse((await p.run(['ps', '--json'])).stdout);
    expect(ps.instances.find((i: { root: string }) => i.root === p.dir)).toMatchObject({
      phase: 'supervisor-dead',
      leaks: ['orphans'],
    });

    const stop = await p.run(['stop', '--worktree-id', 'k', '--json']);
    expect(JSON.parse(stop.stdout)).toMatchObject({ was: 'supervisor-dead', busyPorts: [] });
    expect(JSON.parse(stop.stdout).reaped.length).toBe(ds.orphans.length);
    expect(bystander.exitCode).toBeNull();
    expect(processAlive(identityOf(bystander.pid as number))).toBe(true);
    await expectNothingLeft(p, ['k']);
  });

  it('a foreign process on a leased port: start names its pid; --move-ports moves and says so', async () => {
    const p = (project = makeProject(
      one(`  api:
    command: ${svc('--listen', 'API_PORT')}
    port: api
    healthcheck: { tcp: api }`),
    ));
    const port = BASE + 50;
    const server = createServer();
    extra.push(server);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const r = await p.run(['start', '--worktree-id', 'f', '--port-range', String(port)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`port ${port} (pid ${process.pid}`);
    expect(r.stderr).toMatch(/--move-ports/);
    const moved = await p.run(['start', '--worktree-id', 'f', '--port-range', String(port), '--move-ports', '--json']);
    expect(moved.code).toBe(0);
    expect(JSON.parse(moved.stdout).ports.api).not.toBe(port);
    expect((await p.run(['stop', '--worktree-id', 'f'])).code).toBe(0);
    await expectNothingLeft(p, ['f']);
  });

  it('SIGINT during start stops what it started', async () => {
    const p = (project = makeProject(`
name: faults
ports: [api, web]
services:
  api:
    command: ${svc('--listen', 'API_PORT')}
    port: api
    healthcheck: { tcp: api }
  web:
    command: ${svc('--listen', 'WEB_PORT', '--delay', 60000)}
    port: web
    depends_on: { api: healthy }
    healthcheck: { tcp: web }
`));
    const child = p.spawn(['start', '--worktree-id', 'i', '--port-range', String(BASE + 60)]);
    await until('web starting', () => /web starting/.test(child.err()));
    child.kill('SIGINT');
    expect(await child.done).toBe(130);
    expect(child.err()).toMatch(/interrupted/);
    expect((await p.run(['status', '--worktree-id', 'i'])).code).toBe(3);
    await expectNothingLeft(p, ['i']);
  });

  it('two racing starts of one id end with exactly one supervisor', async () => {
    const p = (project = makeProject(
      one(`  api:
    command: ${svc('--listen', 'API_PORT', '--delay', 200)}
    port: api
    healthcheck: { tcp: api }`),
    ));
    const args = ['start', '--worktree-id', 'r', '--port-range', String(BASE + 70), '--json'];
    const [a, b] = await Promise.all([p.run(args), p.run(args)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const ja = JSON.parse(a.stdout);
    const jb = JSON.parse(b.stdout);
    expect([ja.attached, jb.attached].sort()).toEqual([false, true]);
    expect(ja.supervisor.pid).toBe(jb.supervisor.pid);
    expect(
      processesMentioning(p.dir).filter((pid) =>
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('supervisor-main'),
      ),
    ).toEqual([ja.supervisor.pid]);
    expect((await p.run(['stop', '--worktree-id', 'r'])).code).toBe(0);
    await expectNothingLeft(p, ['r']);
  });

  it('a service that ignores SIGTERM is killed after its grace period', async () => {
    const p = (project = makeProject(
      one(`  api:
    command: ${svc('--listen', 'API_PORT', '--ignore-term')}
    port: api
    stop_grace_period: 300ms
    healthcheck: { tcp: api }`),
    ));
    expect((await p.run(['start', '--worktree-id', 'g', '--port-range', String(BASE + 80)])).code).toBe(0);
    const stop = await p.run(['stop', '--worktree-id', 'g', '--json']);
    expect(JSON.parse(stop.stdout)).toMatchObject({ was: 'running', reaped: [], busyPorts: [] });
    expect(readFileSync(join(p.stateDir('g'), 'logs/api.log'), 'utf8')).toMatch(/ignoring SIGTERM/);
    await expectNothingLeft(p, ['g']);
  });

  it('a service that forks grandchildren (one of them setsid) leaves none behind on stop', async () => {
    const p = (project = makeProject(
      one(`  api:
    command: ${svc('--listen', 'API_PORT', '--children', 3, '--setsid')}
    port: api
    healthcheck: { tcp: api }`),
    ));
    expect((await p.run(['start', '--worktree-id', 'd', '--port-range', String(BASE + 90)])).code).toBe(0);
    const stop = await p.run(['stop', '--worktree-id', 'd', '--json']);
    expect(stop.code).toBe(0);
    // The supervisor itself got them all: nothing was left for stop's safety-net reaping.
    expect(JSON.parse(stop.stdout)).toMatchObject({ was: 'running', reaped: [], busyPorts: [] });
    await expectNothingLeft(p, ['d']);
  });

  it('ongoing health: a ready service whose check starts failing becomes unhealthy (status exit 1)', async () => {
    const p = (project = makeProject(
      one(`  api:
    command: ${svc('--listen', 'API_PORT', '--sick-after', 300)}
    port: api
    healthcheck: { http: "http://127.0.0.1:\${API_PORT}/health", retries: 2 }`),
    ));
    expect((await p.run(['start', '--worktree-id', 'u', '--port-range', String(basePort(6))])).code).toBe(0);
    const st = await until('unhealthy', async () => {
      const r = await p.run(['status', '--worktree-id', 'u', '--json']);
      const s = JSON.parse(r.stdout);
      return s.services[0].health === 'unhealthy' ? { code: r.code, s } : undefined;
    });
    expect(st.code).toBe(1);
    expect(st.s).toMatchObject({ running: true, phase: 'degraded', healthy: false });
    expect(st.s.services[0]).toMatchObject({ state: 'ready', lastCheck: { ok: false, detail: 'HTTP 500' } });
    expect((await p.run(['stop', '--worktree-id', 'u'])).code).toBe(0);
    await expectNothingLeft(p, ['u']);
  });
});
