/**
 * examples/notes end to end on a real engine: its PostgreSQL is a compose service (the seed's
 * diffie shape), built from busybox at test time (no registry) and run by whichever compose tool
 * the preflight finds here (docker-compose 1.29 against a private podman API service). Two
 * instances at once with isolated data, the example's own test suite through `factory test`, and
 * `clean` leaving no container, network or volume. Tests run in order on one copy of the example.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runFactory, type RunResult } from '../helpers/cli.js';
import { startEngine, type Engine } from '../helpers/engine.js';
import { basePort, expectNothingLeft, expectSchema, type Project } from '../services/helpers.js';

const SRC = join(REPO_ROOT, 'examples', 'notes');
const BASE = basePort(7);
const ids = ['a', 'b'] as const;

let engine: Engine;
let dir: string;
const factory = (args: string[], timeoutMs = 180_000): Promise<RunResult> =>
  runFactory(args, { cwd: dir, env: { ...engine.env, FACTORY_COMPOSE: undefined }, timeoutMs });

interface StatusJson {
  healthy: boolean;
  urls: Record<string, string>;
  ports: Record<string, number>;
  compose: { name: string; version: string; engine: { name: string; version: string } | null } | null;
  services: { name: string; state: string; health: string; check: string | null }[];
}

async function status(id: string): Promise<StatusJson> {
  const r = await factory(['status', '--worktree-id', id, '--json']);
  const json = JSON.parse(r.stdout) as StatusJson;
  expectSchema('status', json);
  return json;
}

async function notes(s: StatusJson, post?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${s.urls.api}/notes`, {
    ...(post ? { method: 'POST', body: JSON.stringify({ text: post }) } : {}),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  engine = await startEngine();
  dir = mkdtempSync(join(tmpdir(), 'factory-notes-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '.'], {
    cwd: SRC,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(SRC, f), join(dir, f), { preserveTimestamps: true });
  }
  const setup = await factory(['setup'], 300_000);
  expect(setup.code, setup.stderr).toBe(0);
}, 360_000);

afterAll(async () => {
  if (dir) {
    for (const id of ids) await factory(['clean', '--worktree-id', id]);
    rmSync(dir, { recursive: true, force: true });
  }
  await engine?.stop();
}, 180_000);

describe('examples/notes: PostgreSQL as a compose service', () => {
  it('two instances start at once, each with its own compose project on its leased port', async () => {
    const starts = await Promise.all(
      ids.map((id, i) => factory(['start', '--worktree-id', id, '--port-range', String(BASE + i * 10), '--json'])),
    );
    for (const s of starts) expect(s.code, `${s.stdout}\n${s.stderr}`).toBe(0);
    for (const [i, id] of ids.entries()) {
      const s = await status(id);
      expect(s.healthy).toBe(true);
      expect(s.ports.postgres).toBe(BASE + i * 10);
      expect(s.compose).toMatchObject({ name: 'docker-compose', engine: { name: 'Podman Engine' } });
      // The compose file's own healthcheck is the check, run in the container.
      expect(s.services.find((x) => x.name === 'postgres')).toMatchObject({
        state: 'ready',
        health: 'healthy',
        check: expect.stringContaining(`-p notes_${id} `) as unknown as string,
      });
    }
    expect(engine.inventory()).toMatchObject({
      containers: expect.arrayContaining(['notes_a_db_1', 'notes_b_db_1']) as unknown as string[],
      volumes: ['notes_a_pgdata', 'notes_b_pgdata'],
    });
  }, 240_000);

  it('the data is isolated: a note written in one instance is not in the other', async () => {
    const [a, b] = [await status('a'), await status('b')];
    expect(await notes(a, 'only in a')).toMatchObject({ status: 201, body: { text: 'only in a' } });
    expect((await notes(a)).body).toEqual([{ id: 1, text: 'only in a' }]);
    expect((await notes(b)).body).toEqual([]);
  }, 240_000);

  it("the example's own test suite passes against each instance", async () => {
    for (const id of ids) {
      const r = await factory(['test', 'api', '--worktree-id', id]);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    }
  }, 240_000);

  it('the database container logs reach factory logs', async () => {
    const r = await factory(['logs', 'postgres', '--worktree-id', 'a']);
    expect(r.stdout).toContain('notes-db: new cluster in /data/pg');
    expect(r.stdout).toContain('database system is ready to accept connections');
  }, 240_000);

  it('stop keeps the data for the next start; clean removes container, network and volume', async () => {
    expect((await factory(['stop', '--worktree-id', 'a'])).code).toBe(0);
    expect((await factory(['start', '--worktree-id', 'a', '--port-range', String(BASE)])).code).toBe(0);
    expect((await notes(await status('a'))).body).toContainEqual({ id: 1, text: 'only in a' });
    for (const id of ids) {
      const r = await factory(['clean', '--worktree-id', id, '--json']);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(engine.inventory()).toEqual({ containers: [], pods: [], networks: [], volumes: [] });
    await expectNothingLeft({ dir, stateDir: (id: string) => join(dir, '.factory', 'instances', id) } as Project, [
      ...ids,
    ]);
  }, 240_000);
});
