/** `factory init` in real temp repositories: detection, the file it writes, .gitignore, --force. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTALLED_SCHEMA } from '../../src/contract/init/index.js';
import { runFactory } from '../helpers/cli.js';
import { schemaErrors } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

describe('factory init', () => {
  it('a Node project with a lockfile, scripts and a compose file', async () => {
    using t = tempDir('factory-init-');
    t.write(
      'package.json',
      JSON.stringify({ name: 'shop', scripts: { dev: 'vite', test: 'vitest run', typecheck: 'tsc' } }),
    );
    t.write('pnpm-lock.yaml', "lockfileVersion: '9.0'\n");
    t.write('docker-compose.yml', 'services:\n  postgres:\n    image: postgres:16\n  redis:\n    image: redis\n');
    t.write('.gitignore', 'node_modules');
    const r = await runFactory(['init', '--json'], { cwd: t.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(schemaErrors('init', JSON.parse(r.stdout))).toEqual([]);
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      ok: true,
      file: join(t.dir, 'factory.yaml'),
      overwritten: false,
      gitignoreUpdated: true,
      detected: {
        packageManager: 'pnpm',
        scripts: ['dev', 'test', 'typecheck'],
        composeFile: 'docker-compose.yml',
        composeServices: ['postgres', 'redis'],
        procfile: [],
      },
      services: ['postgres', 'redis', 'app'],
      tests: ['test', 'typecheck'],
    });
    const name = t.dir
      .split('/')
      .pop()!
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-');
    expect(readFileSync(join(t.dir, 'factory.yaml'), 'utf8')).toBe(
      [
        `# yaml-language-server: $schema=${INSTALLED_SCHEMA}`,
        '# The runtime contract of this repository for `factory` (docs: docs/contract.md).',
        '# Written by `factory init` from what it detected; review the commands, ports and checks.',
        `name: ${name}`,
        'runtime:',
        '  package_manager: pnpm',
        'setup:',
        '  - pnpm install',
        'ports: [app]',
        'services:',
        '  postgres:',
        '    type: compose',
        '    compose_file: docker-compose.yml',
        '    service: postgres',
        '  redis:',
        '    type: compose',
        '    compose_file: docker-compose.yml',
        '    service: redis',
        '  app:',
        '    command: pnpm run dev',
        '    # Assumes the app listens on $PORT; change it to the port variable your app reads.',
        '    port: app',
        '    env:',
        '      PORT: ${APP_PORT}',
        '    url: http://localhost:${APP_PORT}',
        '    healthcheck: { tcp: app }',
        '    depends_on: [postgres, redis]',
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
        'next: review it, then run "factory check"',
        '',
      ].join('\n'),
    );
    const text = readFileSync(join(t.dir, 'factory.yaml'), 'utf8');
    expect(text).toContain('  web:\n    command: node server.js --port $PORT\n    port: web\n');
    expect(text).toContain('  worker:\n    command: node worker.js\n');
    expect((await runFactory(['check'], { cwd: t.dir })).code).toBe(0);
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
