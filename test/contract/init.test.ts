/**
 * `factory init` in real temp repositories: detection, the file it writes, .gitignore, --force, and
 * whether what it wrote starts on this machine (it does, or init says why not).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTALLED_SCHEMA } from '../../src/contract/init/index.js';
import { CONTRACT_DOCS_URL } from '../../src/contract/init/render.js';
import { runFactory } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { basePort } from '../services/helpers.js';
import { schemaErrors } from './helpers.js';

/** PATH with node and the system's tools, and nothing else (no pnpm, no bun). */
const NODE_ONLY_PATH = [dirname(process.execPath), '/usr/bin', '/bin'].join(':');

/** A machine without pnpm and with a compose tool whose engine does not answer. */
const NO_TOOLS = {
  PATH: NODE_ONLY_PATH,
  FACTORY_COMPOSE: 'docker-compose',
  DOCKER_HOST: 'unix:///nonexistent/docker.sock',
};

const COMPOSE = [
  'services:',
  '  postgres:',
  '    image: postgres:16',
  '    ports: ["5432:5432"]',
  '  redis:',
  '    image: redis',
  '    ports: ["6379:6379"]',
  '    healthcheck:',
  '      test: [CMD, redis-cli, ping]',
  '  rabbit:',
  '    image: rabbitmq',
  '    ports: ["5672:5672", "127.0.0.1:15672:15672"]',
  '  worker:',
  '    image: worker',
  '',
].join('\n');

describe('factory init', () => {
  it('a Node project with a lockfile, scripts and a compose file: every published port is leased', async () => {
    using t = tempDir('factory-init-');
    t.write(
      'package.json',
      JSON.stringify({ name: 'shop', scripts: { dev: 'node server.js', test: 'vitest run', typecheck: 'tsc' } }),
    );
    t.write('pnpm-lock.yaml', "lockfileVersion: '9.0'\n");
    t.write('docker-compose.yml', COMPOSE);
    t.write('.gitignore', 'node_modules');
    const r = await runFactory(['init', '--json'], { cwd: t.dir, env: NO_TOOLS });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(schemaErrors('init', out)).toEqual([]);
    expect({ ...out, blockers: (out.blockers as { code: string }[]).map((b) => b.code) }).toEqual({
      schemaVersion: 1,
      ok: true,
      file: join(t.dir, 'factory.yaml'),
      overwritten: false,
      gitignoreUpdated: true,
      detected: {
        packageManager: 'pnpm',
        scripts: ['dev', 'test', 'typecheck'],
        composeFile: 'docker-compose.yml',
        composeServices: ['postgres', 'redis', 'rabbit', 'worker'],
        procfile: [],
      },
      services: ['postgres', 'redis', 'rabbit', 'worker', 'app'],
      tests: ['test', 'typecheck'],
      startsHere: false,
      // pnpm is not on this PATH, and the compose tool has no engine.
      blockers: ['missing-program', 'compose-unavailable'],
      next: ['factory setup', 'factory start'],
    });
    const name = t.dir
      .split('/')
      .pop()!
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-');
    expect(readFileSync(join(t.dir, 'factory.yaml'), 'utf8')).toBe(
      [
        `# yaml-language-server: $schema=${INSTALLED_SCHEMA}`,
        `# The runtime contract of this repository for \`factory\`: ${CONTRACT_DOCS_URL}`,
        '# Written by `factory init` from what it detected; review the commands, ports and checks.',
        `name: ${name}`,
        'runtime:',
        '  package_manager: pnpm',
        'setup:',
        '  - pnpm install',
        'ports: [postgres, redis, rabbit, rabbit-15672, app]',
        'services:',
        '  postgres:',
        '    type: compose',
        '    compose_file: docker-compose.yml',
        '    service: postgres',
        '    # compose publishes 5432; each instance gets leased host ports instead: ${POSTGRES_PORT} on 127.0.0.1.',
        '    port: postgres',
        '    healthcheck: { tcp: postgres }',
        '  redis:',
        '    type: compose',
        '    compose_file: docker-compose.yml',
        '    service: redis',
        '    # compose publishes 6379; each instance gets leased host ports instead: ${REDIS_PORT} on 127.0.0.1.',
        '    port: redis',
        "    # Ready when the compose file's own healthcheck passes (factory runs it).",
        '  rabbit:',
        '    type: compose',
        '    compose_file: docker-compose.yml',
        '    service: rabbit',
        '    # compose publishes 5672, 15672; each instance gets leased host ports instead: ${RABBIT_PORT}, ${RABBIT_15672_PORT} on 127.0.0.1.',
        '    ports: [rabbit, rabbit-15672]',
        '    healthcheck: { tcp: rabbit }',
        '  worker:',
        '    type: compose',
        '    compose_file: docker-compose.yml',
        '    service: worker',
        '  app:',
        '    command: pnpm run dev',
        '    # Assumes the app listens on $PORT; change it to the port variable your app reads.',
        '    port: app',
        '    env:',
        '      PORT: ${APP_PORT}',
        '    url: http://localhost:${APP_PORT}',
        '    healthcheck: { tcp: app }',
        '    depends_on: [postgres, redis, rabbit, worker]',
        'tests:',
        '  test:',
        '    - pnpm test',
        '  typecheck:',
        '    - pnpm run typecheck',
        'artifacts:',
        '  collect:',
        '    - test-results/**',
        '',
      ].join('\n'),
    );
    expect(readFileSync(join(t.dir, '.gitignore'), 'utf8')).toBe(
      'node_modules\n# factory instance state (logs, data, leases)\n.factory/\n',
    );
    const check = await runFactory(['check'], { cwd: t.dir });
    expect(check.code).toBe(0);
  });

  it('says precisely why it will not start here: the runtime preflight for compose, PATH for programs', async () => {
    using t = tempDir('factory-init-');
    t.write('compose.yaml', COMPOSE);
    t.write('Procfile', 'worker: celery -A app worker\n');
    const r = await runFactory(['init'], { cwd: t.dir, env: NO_TOOLS });
    expect(r.code).toBe(0);
    const why = r.stdout.slice(r.stdout.indexOf('✗'));
    expect(why).toMatch(/^✗ it will not start on this machine yet:\n/);
    expect(why).toContain(
      "  - the Procfile's worker runs celery, which is not installed here (not on PATH)\n" +
        '    hint: install celery, or change the command of service "worker" in factory.yaml\n',
    );
    expect(why).toContain(
      '  - no usable compose tool for the compose service(s) postgres, redis, rabbit, worker (FACTORY_COMPOSE=docker-compose):',
    );
    expect(why).toMatch(/\n {4}hint: \S/);
    expect(r.stdout).toMatch(/next: review it, then fix the above and run factory start\n$/);
    expect((await runFactory(['check'], { cwd: t.dir })).code).toBe(0);
  });

  it('a package.json dev script is a service; a dev server that ignores $PORT gets --port', async () => {
    using t = tempDir('factory-init-');
    t.write('package.json', JSON.stringify({ name: 'x', scripts: { dev: 'vite --host 127.0.0.1' } }));
    expect((await runFactory(['init'], { cwd: t.dir })).code).toBe(0);
    const text = readFileSync(join(t.dir, 'factory.yaml'), 'utf8');
    expect(text).toContain(
      [
        '  app:',
        '    command: npm run dev -- --port ${APP_PORT}',
        "    # vite takes its port as --port; the instance's leased port is ${APP_PORT}.",
        '    port: app',
        '    url: http://localhost:${APP_PORT}',
        '    healthcheck: { tcp: app }',
      ].join('\n'),
    );
    expect((await runFactory(['check'], { cwd: t.dir })).code).toBe(0);
  });

  it('workspace packages with a dev script are services of their own, each with a port', async () => {
    using t = tempDir('factory-init-');
    t.write(
      'package.json',
      JSON.stringify({ name: 'mono', workspaces: ['packages/*'], scripts: { dev: 'turbo dev' } }),
    );
    t.write('bun.lock', '');
    t.write('packages/api/package.json', JSON.stringify({ scripts: { dev: 'bun --watch src/index.ts' } }));
    t.write('packages/web/package.json', JSON.stringify({ scripts: { dev: 'astro dev' } }));
    t.write('packages/lib/package.json', JSON.stringify({ scripts: { build: 'tsc' } }));
    const r = await runFactory(['init', '--json'], { cwd: t.dir });
    expect(JSON.parse(r.stdout)).toMatchObject({ services: ['api', 'web'] });
    const text = readFileSync(join(t.dir, 'factory.yaml'), 'utf8');
    expect(text).toContain('ports: [api, web]\n');
    expect(text).toContain('  api:\n    command: bun run dev\n    cwd: packages/api\n');
    expect(text).toContain('  web:\n    command: bun run dev --port ${WEB_PORT}\n    cwd: packages/web\n');
    expect((await runFactory(['check'], { cwd: t.dir })).code).toBe(0);
  });

  it('a Procfile becomes services; web gets a port; npm is the default', async () => {
    using t = tempDir('factory-init-');
    t.write('package.json', '{"name":"x"}');
    t.write('Procfile', 'web: node server.js --port $PORT\nworker: node worker.js\n');
    const r = await runFactory(['init'], { cwd: t.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `✓ wrote ${join(t.dir, 'factory.yaml')}`,
        '  detected: package manager npm; Procfile (web, worker)',
        '  services: web, worker',
        '  added .factory/ to .gitignore',
        'next: review it, then factory setup, then factory start',
        '',
      ].join('\n'),
    );
    const text = readFileSync(join(t.dir, 'factory.yaml'), 'utf8');
    expect(text).toContain('  web:\n    command: node server.js --port $PORT\n    port: web\n');
    expect(text).toContain('  worker:\n    command: node worker.js\n');
    expect((await runFactory(['check'], { cwd: t.dir })).code).toBe(0);
  });

  it('what it wrote starts on this machine: factory start brings the dev script up on its leased port', async () => {
    using t = tempDir('factory-init-');
    t.write('package.json', JSON.stringify({ name: 'hello', scripts: { dev: 'node server.js' } }));
    t.write(
      'server.js',
      "require('node:http').createServer((q, s) => s.end('hello from init')).listen(Number(process.env.PORT), '127.0.0.1');\n",
    );
    const init = JSON.parse((await runFactory(['init', '--json'], { cwd: t.dir })).stdout) as {
      startsHere: boolean;
      next: string[];
    };
    expect(init).toMatchObject({ startsHere: true, next: ['factory setup', 'factory start'] });
    const port = basePort(47);
    try {
      const start = await runFactory(['start', '--worktree-id', 'init', '--port-range', String(port), '--json'], {
        cwd: t.dir,
      });
      expect(start.code, start.stderr).toBe(0);
      const urls = JSON.parse(
        (await runFactory(['urls', '--worktree-id', 'init', '--json'], { cwd: t.dir })).stdout,
      ) as {
        urls: Record<string, string>;
      };
      expect(urls.urls.app).toBe(`http://localhost:${port}`);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello from init');
    } finally {
      await runFactory(['clean', '--worktree-id', 'init'], { cwd: t.dir });
    }
  });

  it('never overwrites without --force, and leaves an existing .factory/ ignore alone', async () => {
    using t = tempDir('factory-init-');
    t.write('factory.yaml', 'name: mine\n');
    t.write('.gitignore', '/.factory/\n');
    const r = await runFactory(['init'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error factory.yaml already exists in ${t.dir}\n  hint: pass --force to overwrite it, or run "factory check" to validate it\n`,
    );
    expect(readFileSync(join(t.dir, 'factory.yaml'), 'utf8')).toBe('name: mine\n');
    const forced = await runFactory(['init', '--force', '--json'], { cwd: t.dir });
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ overwritten: true, gitignoreUpdated: false, services: [] });
    expect(readFileSync(join(t.dir, '.gitignore'), 'utf8')).toBe('/.factory/\n');
    expect((await runFactory(['check'], { cwd: t.dir })).code).toBe(0);
  });
});
