/**
 * The running app: a repo with a factory.yaml gets its worktree's instance started before the first
 * iteration; the agent sees URLs and ports (env and prompt), can call `factory` inside bwrap and
 * reach the app; the instance stops at the end unless keepEnv.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFactory } from '../helpers/cli.js';
import { processesMentioning, svc } from '../services/helpers.js';
import { makeRepo, scripted, type TestRepo } from './helpers.js';

let repo: TestRepo | undefined;
const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s().catch(() => {});
  // The supervisor writes its last state as it exits: wait for it to be gone before deleting the
  // directory it writes into (bounded; a process still there fails the test).
  if (repo) {
    const root = repo.root;
    const deadline = Date.now() + 10_000;
    while (processesMentioning(root).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(processesMentioning(root)).toEqual([]);
  }
  repo?.cleanup();
  repo = undefined;
});

const contract = `name: agent-app
ports: [api]
services:
  api:
    command: ${svc('--listen', 'API_PORT')}
    port: api
    healthcheck: { http: "http://127.0.0.1:\${API_PORT}/health" }
    url: http://127.0.0.1:\${API_PORT}
`;

const fetchApi = [
  'node',
  '-e',
  'fetch("http://127.0.0.1:" + process.env.API_PORT + "/").then((r) => r.text()).then((t) => process.stdout.write("fetched: " + t))',
];

// Through the built binary: the runtime's supervisor runs from dist/ (from sources it needs tsx).
describe('factory agent run with the running app', () => {
  it('starts the instance, gives the agent URLs/env/factory, stops it at the end', async () => {
    repo = makeRepo({ 'factory.yaml': contract });
    const r = await runFactory(
      [
        'agent',
        'run',
        '--sandbox',
        'bwrap',
        '--mount',
        `${repo.bin}:ro`,
        '--merge-to-head',
        '--name',
        'app-run',
        '--stream',
        '--json',
        '--prompt',
        scripted(
          [
            { echoPrompt: true },
            { echoEnv: ['API_PORT', 'FACTORY_AGENT_RUN'] },
            { run: ['factory', 'status', '--json'] },
            { run: fetchApi },
            { say: '<promise>COMPLETE</promise>' },
          ],
          'The app: {{FACTORY_URLS}}',
        ),
      ],
      { cwd: repo.repo, env: { PATH: repo.path } },
    );
    expect(r.code, r.stderr).toBe(0);
    const url = /The app: - api: (http:\/\/127\.0\.0\.1:(\d+))/.exec(r.stderr);
    expect(url).not.toBeNull();
    const port = (url as RegExpExecArray)[2];
    expect(r.stderr).toContain(`{"API_PORT":"${port}","FACTORY_AGENT_RUN":"app-run"}`);
    expect(r.stderr).toMatch(/"worktreeId": "app-run"/);
    // (Inside bwrap's pid namespace `factory status` cannot see the supervisor's host pid, so it
    // reports `running: false`; the URLs and ports it prints are the instance's.)
    expect(r.stderr).toContain(`"api": "http://127.0.0.1:${port}"`);
    expect(r.stderr).toContain('fetched: api ok');
    const out = JSON.parse(r.stdout) as { app: unknown; worktreePath: string };
    expect(out.app).toBeNull();
    expect(processesMentioning(out.worktreePath)).toEqual([]);
  });

  it('--keep-env leaves the app (and worktree) up; --no-app never starts it', async () => {
    repo = makeRepo({ 'factory.yaml': contract });
    // Registered first: a failed assertion below must not leave the kept instance running.
    const keptPath = join(repo.repo, '.factory/worktrees/kept');
    stops.push(() => runFactory(['stop', '--worktree-id', 'kept'], { cwd: keptPath }));
    const r = await runFactory(
      [
        'agent',
        'run',
        '--sandbox',
        'bwrap',
        '--mount',
        `${repo.bin}:ro`,
        '--merge-to-head',
        '--name',
        'kept',
        '--keep-env',
        '--json',
        '--prompt',
        scripted([{ say: 'ok' }]),
      ],
      { cwd: repo.repo, env: { PATH: repo.path } },
    );
    expect(r.code, r.stderr).toBe(0);
    const kept = JSON.parse(r.stdout) as {
      app: { kept: boolean; urls: Record<string, string> };
      worktreeKept: boolean;
      worktreePath: string;
    };
    expect(kept.worktreePath).toBe(keptPath);
    expect(kept.app.kept).toBe(true);
    expect(kept.worktreeKept).toBe(true);
    expect(await (await fetch(`${kept.app.urls.api}/`)).text()).toBe('api ok\n');

    const none = await runFactory(
      [
        'agent',
        'run',
        '--sandbox',
        'bwrap',
        '--mount',
        `${repo.bin}:ro`,
        '--merge-to-head',
        '--no-app',
        '--json',
        '--prompt',
        scripted([{ echoEnv: ['API_PORT'] }]),
      ],
      { cwd: repo.repo, env: { PATH: repo.path } },
    );
    expect(none.code, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout).text).toBe('{"API_PORT":null}');
  });
});
