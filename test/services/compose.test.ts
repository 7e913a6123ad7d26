/**
 * compose services, the pure parts: the argv per compose tool, the derived compose file, the
 * compose healthcheck and version parsing. What runs against a real engine (docker-compose and
 * podman-compose on podman) is in compose.e2e.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  composeDownArgvs,
  composeDurationMs,
  composeExecArgv,
  composeHealthcheck,
  composeLogsArgv,
  composeStopArgv,
  composeUpArgv,
  containerPorts,
  deriveCompose,
  parseComposeVersion,
  readCompose,
  type ComposeTool,
} from '../../src/services/compose/index.js';

const project = {
  project: 'diffie_a',
  file: '/repo/.factory/instances/a/run/compose/1-compose.yaml',
  projectDir: '/repo',
};
const tool = (name: ComposeTool['name'], flavor: ComposeTool['flavor']): ComposeTool => ({
  name,
  command: name.split(' '),
  flavor,
  version: 'x',
  engine: null,
});
const v2 = tool('docker compose', 'compose-v2');
const v1 = tool('docker-compose', 'compose-v1');
const pc = tool('podman-compose', 'podman-compose');

describe('compose argv per tool', () => {
  it('docker compose (v2) and docker-compose (v1): project, project directory, the derived file', () => {
    const head = ['-p', 'diffie_a', '--project-directory', '/repo', '-f', project.file];
    expect(composeUpArgv(v2, project, 'db')).toEqual(['docker', 'compose', ...head, 'up', '-d', 'db']);
    expect(composeUpArgv(v1, project, 'db')).toEqual(['docker-compose', ...head, 'up', '-d', 'db']);
    expect(composeStopArgv(v1, project, 'db', 15_000)).toEqual(['docker-compose', ...head, 'stop', '-t', '15', 'db']);
    expect(composeLogsArgv(v1, project, 'db')).toEqual([
      'docker-compose',
      ...head,
      'logs',
      '-f',
      '--no-color',
      '--no-log-prefix',
      'db',
    ]);
    expect(composeExecArgv(v2, project, 'db', ['pg_isready'])).toEqual([
      'docker',
      'compose',
      ...head,
      'exec',
      '-T',
      'db',
      'pg_isready',
    ]);
    expect(composeDownArgvs(v1, project)).toEqual([['docker-compose', ...head, 'down', '-v', '--remove-orphans']]);
  });

  it('podman-compose: no --project-directory, exec through podman, and a network sweep after down', () => {
    const head = ['-p', 'diffie_a', '-f', project.file];
    expect(composeUpArgv(pc, project, 'db')).toEqual(['podman-compose', ...head, 'up', '-d', 'db']);
    expect(composeLogsArgv(pc, project, 'db')).toEqual(['podman-compose', ...head, 'logs', '-f', 'db']);
    expect(composeExecArgv(pc, project, 'db', ['true'])).toEqual(['podman', 'exec', 'diffie_a_db_1', 'true']);
    expect(composeDownArgvs(pc, project)).toEqual([
      ['podman-compose', ...head, 'down', '-v'],
      ['podman', 'network', 'prune', '-f', '--filter', 'label=com.docker.compose.project=diffie_a'],
    ]);
  });
});

describe('the derived compose file', () => {
  const text = `
x-common: &common
  restart: unless-stopped
services:
  db:
    <<: *common
    build: ./db-image
    image: app-db:local
    ports: ["5432:5432", "127.0.0.1:8080:80/tcp"]
    volumes: ["./init:/docker-entrypoint-initdb.d:ro", "pgdata:/data", "/usr:/usr:ro"]
    env_file: .env.db
  cache:
    build: { context: ../cache, dockerfile: Dockerfile }
    ports: ["6379:6379"]
  other:
    image: busybox
    ports: ["9000:9000"]
volumes:
  pgdata: {}
`;

  it('replaces the managed services ports with leased loopback ones and makes relative paths absolute', () => {
    const derived = parse(
      deriveCompose(readCompose('/repo/app/compose.yaml', text), [
        { service: 'db', leased: [26000, 26001] },
        { service: 'cache', leased: [] },
      ]),
    );
    expect(derived.services.db).toEqual({
      restart: 'unless-stopped',
      build: '/repo/app/db-image',
      image: 'app-db:local',
      ports: ['127.0.0.1:26000:5432', '127.0.0.1:26001:80'],
      volumes: ['/repo/app/init:/docker-entrypoint-initdb.d:ro', 'pgdata:/data', '/usr:/usr:ro'],
      env_file: '/repo/app/.env.db',
    });
    // No leased port: its fixed host port would collide across instances, so it goes.
    expect(derived.services.cache).toEqual({ build: { context: '/repo/cache', dockerfile: 'Dockerfile' } });
    // Not managed by factory: left as written.
    expect(derived.services.other.ports).toEqual(['9000:9000']);
    expect(derived.volumes).toEqual({ pgdata: {} });
  });

  it('reads container ports in every compose form', () => {
    expect(
      containerPorts(['5432:5432', '127.0.0.1:8080:80/tcp', 9000, { target: 6379 }, '3000-3001:4000-4001']),
    ).toEqual([5432, 80, 9000, 6379, 4000]);
    expect(containerPorts(undefined)).toEqual([]);
  });

  it('fails with exit 2 on an unknown service, too few ports, or a file that is not compose', () => {
    const doc = readCompose('/repo/compose.yaml', text);
    expect(() => deriveCompose(doc, [{ service: 'nope', leased: [] }])).toThrow(
      expect.objectContaining({
        code: 'compose-service-unknown',
        exitCode: 2,
        hint: 'its services: db, cache, other (set "service:" in factory.yaml to one of them)',
      }),
    );
    expect(() => deriveCompose(doc, [{ service: 'other', leased: [1, 2] }])).toThrow(
      /publishes 1 port\(s\) but factory leases 2/,
    );
    expect(() => readCompose('/repo/compose.yaml', 'just: text\n')).toThrow(/has no "services:"/);
    expect(() => readCompose('/repo/compose.yaml', 'services: [\n')).toThrow(/is not valid YAML/);
    expect(() => readCompose('/nonexistent/compose.yaml')).toThrow(
      expect.objectContaining({ code: 'compose-file', exitCode: 2 }),
    );
  });
});

describe('the compose healthcheck as a factory check', () => {
  it('CMD, CMD-SHELL, a plain string, NONE and disable', () => {
    expect(
      composeHealthcheck({
        healthcheck: { test: ['CMD', 'pg_isready', '-U', 'app'], timeout: '3s', retries: 5, start_period: '3m' },
      }),
    ).toEqual({
      command: ['pg_isready', '-U', 'app'],
      timing: {
        intervalMs: 250,
        maxIntervalMs: 1_000,
        timeoutMs: 3_000,
        startPeriodMs: 180_000,
        retries: 5,
        startupTimeoutMs: 180_000,
      },
    });
    expect(composeHealthcheck({ healthcheck: { test: ['CMD-SHELL', 'curl -f localhost || exit 1'] } })).toMatchObject({
      command: ['sh', '-c', 'curl -f localhost || exit 1'],
      timing: { timeoutMs: 30_000, startupTimeoutMs: 120_000, retries: 3 },
    });
    expect(composeHealthcheck({ healthcheck: { test: 'redis-cli ping' } })).toMatchObject({
      command: ['sh', '-c', 'redis-cli ping'],
    });
    expect(composeHealthcheck({ healthcheck: { test: ['NONE'] } })).toBeUndefined();
    expect(composeHealthcheck({ healthcheck: { test: ['CMD', 'x'], disable: true } })).toBeUndefined();
    expect(composeHealthcheck({})).toBeUndefined();
  });

  it('compose durations', () => {
    expect(composeDurationMs('1m30s')).toBe(90_000);
    expect(composeDurationMs('500ms')).toBe(500);
    expect(composeDurationMs(2_000_000_000)).toBe(2_000);
    expect(composeDurationMs('soon')).toBeUndefined();
  });
});

describe('compose versions', () => {
  it('tells the implementations apart by what `version` prints', () => {
    expect(parseComposeVersion('Docker Compose version v2.29.1\n')).toEqual({
      flavor: 'compose-v2',
      version: '2.29.1',
    });
    expect(
      parseComposeVersion(
        'docker-compose version 1.29.2, build unknown\ndocker-py version: 5.0.3\nCPython version: 3.11.2',
      ),
    ).toEqual({ flavor: 'compose-v1', version: '1.29.2' });
    expect(
      parseComposeVersion(
        "['podman', '--version', '']\nusing podman version: 4.3.1\npodman-composer version  1.0.3\npodman --version \npodman version 4.3.1\nexit code: 0\n",
      ),
    ).toEqual({ flavor: 'podman-compose', version: '1.0.3' });
    expect(parseComposeVersion('docker: unknown command: docker compose')).toBeUndefined();
  });
});
