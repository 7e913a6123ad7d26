/**
 * compose services: no container engine runs on this machine, so the exact argv and the override
 * file are what is tested (docs/runtime.md says what ran for real).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  composeDownArgv,
  composeOverride,
  composeStopArgv,
  composeUpArgv,
  containerPorts,
} from '../../src/services/compose.js';

const target = {
  project: 'diffie_a',
  file: '/repo/compose.yaml',
  overrideFile: '/repo/.factory/instances/a/run/compose.db.override.yaml',
  service: 'db',
};

describe('compose', () => {
  it('builds the exact docker compose argv per instance project', () => {
    expect(composeUpArgv(target)).toEqual([
      'docker',
      'compose',
      '-p',
      'diffie_a',
      '-f',
      '/repo/compose.yaml',
      '-f',
      '/repo/.factory/instances/a/run/compose.db.override.yaml',
      'up',
      '-d',
      'db',
    ]);
    expect(composeStopArgv(target, 15_000)).toEqual([
      'docker',
      'compose',
      '-p',
      'diffie_a',
      '-f',
      '/repo/compose.yaml',
      '-f',
      '/repo/.factory/instances/a/run/compose.db.override.yaml',
      'stop',
      '-t',
      '15',
      'db',
    ]);
    expect(composeDownArgv(target)).toEqual(['docker', 'compose', '-p', 'diffie_a', 'down', '-v', '--remove-orphans']);
  });

  it('reads container ports in every compose form', () => {
    const text = `
services:
  db:
    ports: ["5432:5432", "127.0.0.1:8080:80/tcp", 9000, { target: 6379, published: 6379 }, "3000-3001:4000-4001"]
`;
    expect(containerPorts(text, 'db')).toEqual([5432, 80, 9000, 6379, 4000]);
    expect(containerPorts(text, 'missing')).toEqual([]);
  });

  it('writes an override that replaces the published ports with the leased ones on loopback', () => {
    const text = composeOverride('db', [46000, 46001], [5432, 80]);
    expect(text).toBe(
      'services:\n  db:\n    ports: !override\n      - 127.0.0.1:46000:5432\n      - 127.0.0.1:46001:80\n',
    );
    expect(
      parse(text, { customTags: [{ tag: '!override', resolve: (v: unknown) => v, collection: 'seq' } as never] }),
    ).toEqual({
      services: { db: { ports: ['127.0.0.1:46000:5432', '127.0.0.1:46001:80'] } },
    });
    expect(() => composeOverride('db', [46000, 46001], [5432])).toThrow(/publishes 1 port\(s\) but factory leases 2/);
  });
});

describe('compose services end to end (docker CLI replaced by a recorder: no engine here)', () => {
  it('runs up -d with the instance project and override, stop, and down -v on clean', async () => {
    const { makeProject, expectNothingLeft, basePort } = await import('./helpers.js');
    const { REPO_ROOT } = await import('../helpers/cli.js');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const p = makeProject(`
name: cmp
isolation: { docker_project_prefix: cmp }
ports: [db]
services:
  db:
    type: compose
    compose_file: compose.yaml
    port: db
`);
    try {
      writeFileSync(
        join(p.dir, 'compose.yaml'),
        'services:\n  db:\n    image: postgres:16\n    ports: ["5432:5432"]\n',
      );
      const log = join(p.dir, 'docker.log');
      const env = {
        PATH: `${join(REPO_ROOT, 'test/fixtures/services/fake-docker')}:${process.env.PATH}`,
        FAKE_DOCKER_LOG: log,
      };
      const base = basePort(4);
      const start = await p.run(['start', '--worktree-id', 'c1', '--port-range', String(base), '--json'], { env });
      expect(start.code, start.stderr).toBe(0);
      expect(JSON.parse(start.stdout).services[0]).toMatchObject({
        name: 'db',
        kind: 'compose',
        state: 'ready',
        pid: null,
      });
      const override = join(p.stateDir('c1'), 'run/compose.db.override.yaml');
      expect(readFileSync(override, 'utf8')).toBe(
        `services:\n  db:\n    ports: !override\n      - 127.0.0.1:${base}:5432\n`,
      );
      expect((await p.run(['stop', '--worktree-id', 'c1'], { env })).code).toBe(0);
      expect((await p.run(['clean', '--worktree-id', 'c1'], { env })).code).toBe(0);
      const calls = readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
      expect(calls).toEqual([
        ['compose', '-p', 'cmp_c1', '-f', join(p.dir, 'compose.yaml'), '-f', override, 'up', '-d', 'db'],
        ['compose', '-p', 'cmp_c1', '-f', join(p.dir, 'compose.yaml'), '-f', override, 'stop', '-t', '5', 'db'],
        ['compose', '-p', 'cmp_c1', 'down', '-v', '--remove-orphans'],
      ]);
      await expectNothingLeft(p, ['c1']);
    } finally {
      await p.cleanup();
    }
  });
});
