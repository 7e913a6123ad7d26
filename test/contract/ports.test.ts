/**
 * Ports declared by use: a contract without `ports:` declares each port its `${NAME_PORT}` references
 * name (in order of first use); a written `ports:` list is the whole list.
 */
import { describe, expect, it } from 'vitest';
import { runFactory } from '../helpers/cli.js';
import { contractOf, problems } from './helpers.js';

const AS_WRITTEN = 'test/fixtures/contract/seed-sample-as-written/factory.yaml';

describe('ports declared by their references', () => {
  it('the seed sample as written: four ports in order of first use, owned by their services', () => {
    const c = contractOf(
      [
        'name: diffie',
        'services:',
        '  restate:',
        '    command: restate-server',
        '    healthcheck: curl -sf http://localhost:${RESTATE_ADMIN_PORT}/health',
        '  api:',
        '    command: cd packages/api && bun run dev',
        '    healthcheck: curl -sf http://localhost:${API_PORT}/health',
        '  app:',
        '    command: cd packages/app && bun run dev',
        '    url: http://localhost:${APP_PORT}',
        '  website:',
        '    command: bun run dev -- --port ${WEBSITE_PORT}',
        '    url: http://localhost:${WEBSITE_PORT}',
        'validation:',
        '  browser:',
        '    start_url: http://localhost:${APP_PORT}',
      ].join('\n'),
    );
    expect(c.ports.map(({ source, ...p }) => p)).toEqual([
      { name: 'restate_admin', envVar: 'RESTATE_ADMIN_PORT', offset: 0, inferred: true },
      { name: 'api', envVar: 'API_PORT', offset: 1, inferred: true },
      { name: 'app', envVar: 'APP_PORT', offset: 2, inferred: true },
      { name: 'website', envVar: 'WEBSITE_PORT', offset: 3, inferred: true },
    ]);
    expect(c.ports[0]!.source).toMatchObject({ line: 5, column: 44 });
    expect(Object.values(c.services).map((s) => [s.name, s.ports])).toEqual([
      ['restate', ['restate_admin']],
      ['api', ['api']],
      ['app', ['app']],
      ['website', ['website']],
    ]);
    expect(c.isolation.portBlockSize).toBe(10);
  });

  it('order is first use in the file, whatever section it is in; env keys and built-ins are not ports', () => {
    const c = contractOf(
      [
        'name: x',
        'env:',
        '  DB_PORT: "5432"',
        '  URL: http://127.0.0.1:${WEB_PORT}/${DB_PORT}',
        'setup:',
        '  - echo ${API_PORT} ${WEB_PORT}',
        'services:',
        '  web: { command: "serve --port ${WEB_PORT}", port: web }',
        '  api:',
        '    command: [api, "${API_PORT}"]',
        '    env: { OWN_PORT: "1" }',
        '    healthcheck: { command: "probe ${OWN_PORT} ${SERVICE_NAME}" }',
      ].join('\n'),
    );
    expect(c.ports.map((p) => [p.name, p.offset])).toEqual([
      ['web', 0],
      ['api', 1],
    ]);
  });

  it('an explicit ports: list wins; then an undeclared reference is an error again', () => {
    expect(
      problems(
        'name: x\nports: [web]\nservices:\n  web: { command: w, url: "http://localhost:${WEB_PORT}" }\n  api: { command: "a ${API_PORT}" }\n',
      ),
    ).toEqual(['5:22 error undefined-variable: ${API_PORT} is not defined [declare the port: ports: [web, api]]']);
    expect(contractOf('name: x\nports: []\nservices:\n  a: { command: "echo $${A_PORT}" }\n').ports).toEqual([]);
  });

  it('a port: that no reference declares still needs the ports: list, and the hint writes it', () => {
    expect(
      problems(
        'name: x\nservices:\n  web: { command: w, url: "http://localhost:${WEB_PORT}" }\n  db: { command: d, port: db }\n',
      ),
    ).toEqual([
      '4:27 error unknown-port: service "db" uses port "db", which is not declared in ports [declare it: ports: [web, db]]',
    ]);
    expect(
      contractOf(
        'name: x\nports: [web, db]\nservices:\n  web: { command: w, url: "http://localhost:${WEB_PORT}" }\n  db: { command: d, port: db }\n',
      ).ports.map((p) => p.name),
    ).toEqual(['web', 'db']);
  });

  it('factory check passes the seed sample as written; config notes where the ports came from', async () => {
    const check = await runFactory(['check', '-f', AS_WRITTEN]);
    expect(check.stdout).toBe(`✓ ${AS_WRITTEN}: valid (6 services, 4 ports, 1 warning)\n`);
    expect(check.code).toBe(0);
    const config = await runFactory(['config', '-f', AS_WRITTEN]);
    expect(config.code).toBe(0);
    expect(config.stdout).toContain(
      'ports: restate_admin=base+0 (${RESTATE_ADMIN_PORT}), api=base+1 (${API_PORT}), app=base+2 (${APP_PORT}), website=base+3 (${WEBSITE_PORT})\n' +
        '  note: no ports: list, so each ${NAME_PORT} reference declared its port, in order of first use; write "ports: [restate_admin, api, app, website]" to fix the names and offsets\n',
    );
    const json = JSON.parse((await runFactory(['config', '--json', '-f', AS_WRITTEN])).stdout) as {
      contract: { ports: { name: string; inferred?: boolean }[] };
    };
    expect(json.contract.ports.map((p) => [p.name, p.inferred])).toEqual([
      ['restate_admin', true],
      ['api', true],
      ['app', true],
      ['website', true],
    ]);
  });
});
