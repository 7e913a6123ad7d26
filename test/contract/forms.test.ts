/** Every accepted written form normalizes to the one form in types.ts, with the documented defaults. */
import { describe, expect, it } from 'vitest';
import { contractOf, problems } from './helpers.js';

describe('written forms → Contract', () => {
  it('setup steps: a string or an object', () => {
    const c = contractOf(
      'name: x\nsetup:\n  - bun install\n  - name: migrate\n    run: [node, migrate.js]\n    cwd: db\n    env: { N: 1 }\n    inputs: ["db/**"]\n    outputs: [db/.done]\n    timeout: 2m\n',
    );
    expect(c.setup.map(({ source, ...s }) => s)).toEqual([
      {
        name: '1-bun',
        command: { kind: 'shell', line: 'bun install' },
        cwd: '.',
        env: {},
        inputs: [],
        outputs: [],
        timeoutMs: 600_000,
      },
      {
        name: 'migrate',
        command: { kind: 'argv', argv: ['node', 'migrate.js'] },
        cwd: 'db',
        env: { N: '1' },
        inputs: ['db/**'],
        outputs: ['db/.done'],
        timeoutMs: 120_000,
      },
    ]);
  });

  it('ports: a list (offsets in order) or a map with offsets; block default max(10, ports)', () => {
    const list = contractOf('name: x\nports: [api, restate-admin]\n');
    expect(list.ports.map(({ source, ...p }) => p)).toEqual([
      { name: 'api', envVar: 'API_PORT', offset: 0 },
      { name: 'restate-admin', envVar: 'RESTATE_ADMIN_PORT', offset: 1 },
    ]);
    expect(list.isolation).toEqual({ strategy: 'git-worktree', portBlockSize: 10, composeProjectPrefix: 'x' });
    const map = contractOf('name: x\nports:\n  web:\n  api: { offset: 14 }\n');
    expect(map.ports.map((p) => [p.name, p.offset])).toEqual([
      ['web', 0],
      ['api', 14],
    ]);
    expect(map.isolation.portBlockSize).toBe(15);
  });

  it('depends_on: a list gets conditions from the target; a map takes a string or {condition}', () => {
    const c = contractOf(
      [
        'name: x',
        'ports: [api]',
        'services:',
        '  migrate: { command: ./migrate, one_shot: true }',
        '  db: { command: db, healthcheck: { log: ready } }',
        '  cache: { command: cache }',
        '  api:',
        '    command: api',
        '    port: api',
        '    depends_on: [migrate, db, cache]',
        '  web:',
        '    command: web',
        '    depends_on: { api: started, db: { condition: healthy } }',
      ].join('\n'),
    );
    expect(c.services.api!.dependsOn).toEqual([
      { service: 'migrate', condition: 'completed' },
      { service: 'db', condition: 'healthy' },
      { service: 'cache', condition: 'started' },
    ]);
    expect(c.services.web!.dependsOn).toEqual([
      { service: 'api', condition: 'started' },
      { service: 'db', condition: 'healthy' },
    ]);
    expect(c.startOrder).toEqual(['migrate', 'db', 'cache', 'api', 'web']);
  });

  it('start order is topological and otherwise keeps declaration order', () => {
    const c = contractOf(
      'name: x\nservices:\n  web: { command: w, depends_on: [api] }\n  worker: { command: k }\n  api: { command: a, depends_on: [db] }\n  db: { command: d }\n',
    );
    expect(c.startOrder).toEqual(['worker', 'db', 'api', 'web']);
  });

  it('health checks: a string is a command check; objects are http | tcp | command | log with timing', () => {
    const c = contractOf(
      [
        'name: x',
        'ports: [api, db]',
        'services:',
        '  a: { command: a, healthcheck: "curl -sf localhost:${API_PORT}" }',
        '  b:',
        '    command: b',
        '    port: api',
        '    healthcheck: { http: "http://localhost:${API_PORT}/health", status: 204, interval: 50ms, timeout: 1, start_period: 2s, retries: 5, startup_timeout: 2m }',
        '  c: { command: c, port: db, healthcheck: { tcp: db } }',
        '  d: { command: d, healthcheck: { command: [pg_isready] } }',
        '  e: { command: e, healthcheck: { log: "listening on \\\\d+" } }',
      ].join('\n'),
    );
    expect(c.services.a!.healthcheck).toEqual({
      kind: 'command',
      command: { kind: 'shell', line: 'curl -sf localhost:${API_PORT}' },
      intervalMs: 10,
      maxIntervalMs: 250,
      timeoutMs: 2000,
      startPeriodMs: 0,
      retries: 3,
      startupTimeoutMs: 60_000,
    });
    expect(c.services.a!.ports).toEqual(['api']); // inferred from the health check
    expect(c.services.b!.healthcheck).toEqual({
      kind: 'http',
      url: 'http://localhost:${API_PORT}/health',
      status: [204, 204],
      intervalMs: 50,
      maxIntervalMs: 250,
      timeoutMs: 1000,
      startPeriodMs: 2000,
      retries: 5,
      startupTimeoutMs: 120_000,
    });
    expect(c.services.c!.healthcheck).toMatchObject({ kind: 'tcp', port: 'db' });
    expect(c.services.d!.healthcheck).toMatchObject({
      kind: 'command',
      command: { kind: 'argv', argv: ['pg_isready'] },
    });
  });

  it('"status" on a non-http check is an error at the key', () => {
    expect(problems('name: x\nservices:\n  e: { command: e, healthcheck: { log: ready, status: 200 } }\n')).toEqual([
      '3:47 error healthcheck-kind: "status" applies only to http checks',
    ]);
  });

  it('restart, stop and one-shot defaults', () => {
    const c = contractOf(
      [
        'name: x',
        'services:',
        '  long: { command: l }',
        '  once: { command: o, one_shot: true }',
        '  always: { command: a, restart: always, stop_signal: INT, stop_grace_period: 250ms }',
        '  custom: { command: c, restart: { max_restarts: 9, backoff: 2s } }',
      ].join('\n'),
    );
    const pick = (n: string) => ({
      restart: c.services[n]!.restart,
      stop: c.services[n]!.stop,
      oneShot: c.services[n]!.oneShot,
    });
    expect(pick('long')).toEqual({
      restart: { policy: 'on-failure', maxRestarts: 3, backoffMs: 500 },
      stop: { signal: 'SIGTERM', graceMs: 5000 },
      oneShot: false,
    });
    expect(pick('once')).toEqual({
      restart: { policy: 'no', maxRestarts: 0, backoffMs: 500 },
      stop: { signal: 'SIGTERM', graceMs: 5000 },
      oneShot: true,
    });
    expect(pick('always')).toEqual({
      restart: { policy: 'always', maxRestarts: 3, backoffMs: 500 },
      stop: { signal: 'SIGINT', graceMs: 250 },
      oneShot: false,
    });
    expect(pick('custom').restart).toEqual({ policy: 'on-failure', maxRestarts: 9, backoffMs: 2000 });
  });

  it('compose services (type compose or docker-compose)', () => {
    const c = contractOf(
      'name: x\nservices:\n  pg: { type: docker-compose, compose_file: c.yaml, service: postgres }\n  el: { type: compose }\n',
    );
    expect(c.services.pg).toMatchObject({ kind: 'compose', composeFile: 'c.yaml', composeService: 'postgres' });
    expect(c.services.el).toMatchObject({ kind: 'compose', composeService: 'el' });
    expect(c.services.el).not.toHaveProperty('composeFile');
  });

  it('tests: a list of commands or an object', () => {
    const c = contractOf(
      'name: x\nservices:\n  api: { command: a }\ntests:\n  unit: [bun test, [node, --test]]\n  e2e:\n    command: npx playwright test\n    needs: [api]\n    timeout: 5m\n    reports: [junit.xml]\n',
    );
    expect(c.tests.unit!.commands).toEqual([
      { kind: 'shell', line: 'bun test' },
      { kind: 'argv', argv: ['node', '--test'] },
    ]);
    expect(c.tests.e2e).toMatchObject({ needs: ['api'], timeoutMs: 300_000, reports: ['junit.xml'], cwd: '.' });
  });

  it('validation: browser defaults and every step form', () => {
    const c = contractOf(
      [
        'name: x',
        'ports: [app]',
        'services:',
        '  app: { command: a, port: app }',
        'validation:',
        '  browser: { start_url: "http://localhost:${APP_PORT}" }',
        '  scenarios:',
        '    - name: signup',
        '      steps:',
        '        - goto: /signup',
        '        - fill: { selector: "#email", value: "a@b.c" }',
        '        - click: button[type=submit]',
        '        - press: Enter',
        '        - press: { key: Tab, selector: "#x" }',
        '        - wait_for: Welcome',
        '        - wait_for: { selector: .done, timeout: 10s }',
        '        - expect: { url: "http://localhost:${APP_PORT}/home" }',
        '        - expect: Hello',
        '        - screenshot: home',
        '        - screenshot: { name: full, full_page: true }',
        '    - name: scripted',
        '      script: validation/flow.ts',
        '      needs: [app]',
      ].join('\n'),
    );
    const v = c.validation!;
    expect([v.startUrl, v.recordVideo, v.mp4, v.viewport]).toEqual([
      'http://localhost:${APP_PORT}',
      true,
      false,
      { width: 1280, height: 720 },
    ]);
    expect(v.scenarios[0]!.steps).toEqual([
      { action: 'goto', url: '/signup' },
      { action: 'fill', selector: '#email', value: 'a@b.c' },
      { action: 'click', selector: 'button[type=submit]' },
      { action: 'press', key: 'Enter' },
      { action: 'press', key: 'Tab', selector: '#x' },
      { action: 'wait_for', text: 'Welcome', timeoutMs: 5000 },
      { action: 'wait_for', selector: '.done', timeoutMs: 10_000 },
      { action: 'expect', url: 'http://localhost:${APP_PORT}/home', timeoutMs: 5000 },
      { action: 'expect', text: 'Hello', timeoutMs: 5000 },
      { action: 'screenshot', name: 'home', fullPage: false },
      { action: 'screenshot', name: 'full', fullPage: true },
    ]);
    expect(v.scenarios[0]).toMatchObject({
      startUrl: 'http://localhost:${APP_PORT}',
      needs: ['app'],
      timeoutMs: 120_000,
    });
    expect(v.scenarios[1]).toMatchObject({ script: 'validation/flow.ts', steps: [] });
  });

  it('a step with two actions is an error', () => {
    expect(
      problems(
        'name: x\nvalidation:\n  browser: { start_url: "http://x" }\n  scenarios:\n    - name: s\n      steps:\n        - { goto: /a, click: b }\n',
      ),
    ).toEqual([
      '7:11 error scenario-step: a step has one action (goto, click, fill, press, wait_for, expect or screenshot), not goto and click [keep only one: "goto" or "click"]',
    ]);
  });

  it('artifacts, env_file and runtime forms', () => {
    expect(contractOf('name: x\nartifacts: ["logs/**"]\n').artifacts).toEqual({ collect: ['logs/**'] });
    const c = contractOf(
      'name: x\nruntime: { package_manager: pnpm }\nenv_file: [a.env, { path: b.env, required: false }]\n',
    );
    expect(c.runtime).toEqual({ packageManager: 'pnpm' });
    expect(c.envFiles.map((f) => [f.path, f.required])).toEqual([
      ['a.env', true],
      ['b.env', false],
    ]);
  });

  it('a missing env_file is a warning unless required: false; its variables are not defined', () => {
    expect(problems('name: x\nenv_file: .env.dev\nenv:\n  A: ${ONLY_IN_FILE}\n')).toEqual([
      '2:11 warning env-file-missing: env_file .env.dev does not exist (yet) [a setup step may create it; if it is optional, write "{ path: .env.dev, required: false }" in its place]',
      '4:6 error undefined-variable: ${ONLY_IN_FILE} is not defined [define it in env or an env_file, or declare the port it names (ports give <NAME>_PORT)]',
    ]);
    expect(problems('name: x\nenv_file: { path: .env.dev, required: false }\n')).toEqual([]);
  });

  it('x- keys hold YAML anchors; merge keys (<<) share settings between services', () => {
    const c = contractOf(
      'name: x\nx-node: &node\n  cwd: app\n  env: { NODE_ENV: development }\nservices:\n  a:\n    <<: *node\n    command: node a.js\n  b:\n    <<: *node\n    command: node b.js\n',
    );
    expect([c.services.a!.cwd, c.services.b!.env]).toEqual(['app', { NODE_ENV: 'development' }]);
  });
});
