/**
 * The runtime end to end with the real binary: start → status/urls/env/logs → stop → clean, two
 * instances of one contract side by side, every check kind, dependency conditions and --only.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { basePort, expectNothingLeft, expectSchema, makeProject, svc, until, type Project } from './helpers.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

const BASE = basePort(1);

const graph = `
name: rt
ports: [api, web, cache]
services:
  migrate:
    command: ${svc('--exit', 0, '--delay', 50)}
    one_shot: true
  api:
    command: ${svc('--listen', 'API_PORT')}
    port: api
    depends_on: { migrate: completed }
    healthcheck: { http: "http://127.0.0.1:\${API_PORT}/health" }
    url: http://127.0.0.1:\${API_PORT}
  cache:
    command: ${svc('--listen', 'CACHE_PORT')}
    port: cache
    healthcheck: { tcp: cache }
  web:
    command: ${svc('--listen', 'WEB_PORT', '--say', 'web-is-up')}
    port: web
    depends_on: { api: healthy, cache: healthy }
    healthcheck: { log: "web-is-up on \\\\d+" }
    url: http://127.0.0.1:\${WEB_PORT}/
  probe:
    command: ${svc('--say', 'probe-running')}
    depends_on: { web: started }
    healthcheck: 'test -n "$WEB_PORT"'
`;

describe('factory start/status/stop', () => {
  it('starts a graph with every check kind, reports it, and stops it leaving nothing', async () => {
    const p = (project = makeProject(graph));
    const start = await p.run(['start', '--worktree-id', 'one', '--port-range', String(BASE), '--json']);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    const st = JSON.parse(start.stdout);
    expectSchema('start', st);
    expect(st.ports).toEqual({ api: BASE, web: BASE + 1, cache: BASE + 2 });
    expect(st.urls).toEqual({ api: `http://127.0.0.1:${BASE}`, web: `http://127.0.0.1:${BASE + 1}/` });
    const states = Object.fromEntries(st.services.map((s: { name: string; state: string }) => [s.name, s.state]));
    expect(states).toEqual({ migrate: 'completed', api: 'ready', cache: 'ready', web: 'ready', probe: 'ready' });

    const res = await fetch(`http://127.0.0.1:${BASE}/`);
    expect(await res.text()).toBe('api ok\n');

    const status = await p.run(['status', '--worktree-id', 'one', '--json']);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout);
    expectSchema('status', s);
    expect(s.running).toBe(true);
    const api = s.services.find((x: { name: string }) => x.name === 'api');
    expect(api).toMatchObject({
      state: 'ready',
      health: 'healthy',
      ports: { api: BASE },
      restarts: 0,
      check: `http http://127.0.0.1:${BASE}/health`,
    });
    expect(api.lastCheck.ok).toBe(true);
    expect(api.logPath).toBe(`${p.stateDir('one')}/logs/api.log`);

    const human = await p.run(['status', '--worktree-id', 'one']);
    expect(human.stdout).toMatch(/instance one: running/);
    expect(human.stdout).toMatch(/web\s+ready\s+pid \d+\s+web=\d+/);

    expectSchema('urls', JSON.parse((await p.run(['urls', '--worktree-id', 'one', '--json'])).stdout));
    expectSchema('logs', JSON.parse((await p.run(['logs', '--worktree-id', 'one', '--json'])).stdout));
    const urls = await p.run(['urls', '--worktree-id', 'one']);
    expect(urls.stdout).toBe(`api http://127.0.0.1:${BASE}\nweb http://127.0.0.1:${BASE + 1}/\n`);

    const logs = await p.run(['logs', 'web', '--worktree-id', 'one', '-n', '5']);
    expect(logs.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z web-is-up on \d+$/m);

    const stop = await p.run(['stop', '--worktree-id', 'one', '--json']);
    expect(stop.code).toBe(0);
    expectSchema('stop', JSON.parse(stop.stdout));
    expect(JSON.parse(stop.stdout)).toMatchObject({ was: 'running', busyPorts: [], reaped: [] });
    const after = await p.run(['status', '--worktree-id', 'one', '--json']);
    expect(after.code).toBe(3);
    expect(JSON.parse(after.stdout)).toMatchObject({ running: false, phase: 'stopped' });
    expectSchema('status', JSON.parse(after.stdout));
    await expectNothingLeft(p, ['one']);
  });

  it('runs two instances of one contract side by side without collisions', async () => {
    const p = (project = makeProject(graph));
    const a = await p.run(['start', '--worktree-id', 'a', '--port-range', String(BASE + 20), '--json']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    // b asks for a's block: refused without --move-ports, moved (and told so) with it.
    const refused = await p.run(['start', '--worktree-id', 'b', '--port-range', String(BASE + 20)]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/leased by instance "a"/);
    const b = await p.run(['start', '--worktree-id', 'b', '--port-range', String(BASE + 20), '--move-ports']);
    expect(b.stderr).toMatch(/moved from \d+: leased by instance "a"/);
    expect(b.code, b.stderr).toBe(0);
    const pa = JSON.parse(a.stdout).ports;
    const pb = JSON.parse((await p.run(['status', '--worktree-id', 'b', '--json'])).stdout).ports;
    expect(new Set([...Object.values(pa), ...Object.values(pb)]).size).toBe(6);
    expect(await (await fetch(`http://127.0.0.1:${pa.api}/`)).text()).toBe('api ok\n');
    expect(await (await fetch(`http://127.0.0.1:${pb.api}/`)).text()).toBe('api ok\n');
    const ps = await p.run(['ps', '--json']);
    expectSchema('ps', JSON.parse(ps.stdout));
    const mine = JSON.parse(ps.stdout).instances.filter((i: { root: string }) => i.root === p.dir);
    expect(mine.map((i: { worktreeId: string; running: boolean }) => [i.worktreeId, i.running]).sort()).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect((await p.run(['stop', '--worktree-id', 'a'])).code).toBe(0);
    // b is untouched by stopping a
    expect((await p.run(['status', '--worktree-id', 'b'])).code).toBe(0);
    expect((await p.run(['stop', '--worktree-id', 'b'])).code).toBe(0);
    await expectNothingLeft(p, ['a', 'b']);
  });

  it('gets the same ports back, --only starts dependencies, env --shell evals, clean releases the lease', async () => {
    const p = (project = makeProject(graph));
    const firstRun = await p.run([
      'start',
      '--worktree-id',
      'x',
      '--port-range',
      String(BASE + 40),
      '--only',
      'api',
      '--json',
    ]);
    expect(firstRun.code, firstRun.stdout + firstRun.stderr).toBe(0);
    const first = JSON.parse(firstRun.stdout);
    expect(first.services.map((s: { name: string }) => s.name)).toEqual(['migrate', 'api']);
    await p.run(['stop', '--worktree-id', 'x']);
    const again = JSON.parse((await p.run(['start', '--worktree-id', 'x', 'cache', '--json'])).stdout);
    expect(again.ports).toEqual(first.ports);
    expect(again.services.map((s: { name: string }) => s.name)).toEqual(['cache']);

    const shell = await p.run(['env', '--worktree-id', 'x', '--shell']);
    const echoed = execFileSync('sh', [
      '-c',
      `${shell.stdout}\nprintf '%s|%s|%s' "$API_PORT" "$WORKTREE_ID" "$FACTORY_STATE_DIR"`,
    ]).toString();
    expect(echoed).toBe(`${first.ports.api}|x|${p.stateDir('x')}`);
    const json = JSON.parse((await p.run(['env', '--worktree-id', 'x', '--json'])).stdout);
    expectSchema('env', json);
    expect(json.env.CACHE_PORT).toBe(String(first.ports.cache));
    expect(json.env.PATH).toBeUndefined();

    const clean = await p.run(['clean', '--worktree-id', 'x', '--json']);
    expectSchema('clean', JSON.parse(clean.stdout));
    expect(JSON.parse(clean.stdout)).toMatchObject({ removed: true, lease: { base: BASE + 40 } });
    const ps = JSON.parse((await p.run(['ps', '--json'])).stdout);
    expect(ps.instances.filter((i: { root: string }) => i.root === p.dir)).toEqual([]);
    await expectNothingLeft(p, ['x']);
  });

  it('logs -f prints past lines, then follows new ones until interrupted', async () => {
    const p = (project = makeProject(`
name: logs
ports: [api]
services:
  api:
    command: ${svc('--listen', 'API_PORT', '--log-requests')}
    port: api
    healthcheck: { tcp: api }
`));
    const start = await p.run(['start', '--worktree-id', 'lg', '--port-range', String(BASE + 60), '--json']);
    expect(start.code).toBe(0);
    const follow = p.spawn(['logs', 'api', '-f', '--worktree-id', 'lg']);
    await until('the past lines', () => /listening on \d+/.test(follow.out()));
    // A line written after `logs -f` printed the past ones must come through the follow.
    await fetch(`http://127.0.0.1:${JSON.parse(start.stdout).ports.api}/after-follow`);
    await until(
      () => `the new line in:\n${follow.out()}`,
      () => /^\S+Z GET \/after-follow$/m.test(follow.out()),
    );
    follow.kill('SIGINT');
    expect(await follow.done).toBe(0);
    expect((await p.run(['stop', '--worktree-id', 'lg'])).code).toBe(0);
    await expectNothingLeft(p, ['lg']);
  });
});
