/** `start --foreground`: the same graph attached, prefixed output, Ctrl-C stops everything. */
import { afterEach, describe, expect, it } from 'vitest';
import { basePort, expectNothingLeft, makeProject, svc, until, type Project } from './helpers.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

describe('start --foreground', () => {
  it('prefixes every service line, answers status from another process, and stops on SIGINT', async () => {
    const p = (project = makeProject(`
name: fg
ports: [api]
services:
  api:
    command: ${svc('--listen', 'API_PORT', '--say', 'api-up')}
    port: api
    healthcheck: { log: api-up }
  worker:
    command: ${svc('--say', 'worker-running')}
    depends_on: { api: healthy }
`));
    const child = p.spawn(['start', '--foreground', '--worktree-id', 'fg', '--port-range', String(basePort(3))]);
    await until(
      () => `ready; output so far:\n${child.out()}\n${child.err()}`,
      () => /ready in \d+ ms/.test(child.out()),
    );
    expect(child.out()).toMatch(/^api\s+\| api-up on \d+$/m);
    // worker has no check: ready once spawned, its first line may come after "ready"
    await until('worker output', () => /^worker\s+\| worker-running$/m.test(child.out()));
    const st = await p.run(['status', '--worktree-id', 'fg', '--json']);
    expect(st.code).toBe(0);
    expect(JSON.parse(st.stdout).supervisor).toMatchObject({ pid: child.pid, foreground: true, alive: true });
    const again = await p.run(['start', '--foreground', '--worktree-id', 'fg']);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already running/);
    child.kill('SIGINT');
    expect(await child.done).toBe(0);
    expect(child.out()).toMatch(/stopped\n$/);
    await expectNothingLeft(p, ['fg']);
  });
});
