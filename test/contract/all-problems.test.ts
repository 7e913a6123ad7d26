/**
 * `factory check` reports every problem of a file in one run: schema errors and rule errors
 * together, and nothing that only follows from another error.
 */
import { describe, expect, it } from 'vitest';
import { runFactory } from '../helpers/cli.js';
import { problems } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

const codes = (text: string) => problems(text).map((p) => p.split(' ').slice(0, 3).join(' '));

describe('every problem in one run', () => {
  it('schema errors and rule errors together, in file order', () => {
    expect(
      problems(
        [
          'name: x',
          'ports: [api]',
          'env:',
          '  WORKTREE_ID: x',
          '  API_PORT: "1"',
          '  URL: http://127.0.0.1:${APIX_PORT}',
          'services:',
          '  api:',
          '    comand: node api.js',
          '    port: api',
          '  web:',
          '    command: node web.js',
          '    depends_on: { api: started, db: started }',
          '    stop_grace_period: soon',
          '    url: http://127.0.0.1:${WEB_PORT}',
          'tests:',
          '  unit: { command: npm test, needs: [wbe] }',
        ].join('\n'),
      ),
    ).toEqual([
      '4:3 error reserved-variable: WORKTREE_ID is set by factory (a built-in) and cannot be set in env [rename it, e.g. "APP_WORKTREE_ID"]',
      '5:3 error reserved-variable: API_PORT is set by factory (the variable of port "api") and cannot be set in env [rename it, e.g. "APP_API_PORT"]',
      '6:25 error undefined-variable: ${APIX_PORT} is not defined [did you mean ${API_PORT}?]',
      '9:5 error unknown-key: unknown key "comand" in services.api [did you mean "command"?]',
      '13:33 error unknown-dependency: service "web" depends on "db", which is not defined [defined services: api, web]',
      '14:24 error invalid-value: services.web.stop_grace_period has an invalid value "soon" [write a duration, e.g. "5s" (or "150ms", "2m", "1h", or a number of seconds)]',
      '15:27 error undefined-variable: ${WEB_PORT} is not defined [declare the port: ports: [api, web]]',
      '17:38 error unknown-service: "wbe" is not a service [defined services: api, web]',
    ]);
  });

  it('a missing name does not hide the rules', () => {
    expect(codes('services:\n  a: { command: x, depends_on: [b] }\n')).toEqual([
      '1:1 error missing-key:',
      '2:33 error unknown-dependency:',
    ]);
  });

  it('nothing that only follows from a part the schema rejected', () => {
    // The health check is invalid, so whether "api" has one is unknown: no condition error.
    expect(
      codes(
        'name: x\nservices:\n  api: { command: a, healthcheck: { tcp: "a b" } }\n  web: { command: w, depends_on: { api: healthy } }\n',
      ),
    ).toEqual(['3:42 error invalid-value:']);
    // env is not a mapping: its names are unknown, so no undefined-variable.
    expect(codes('name: x\nenv: [A=1]\nservices:\n  a: { command: "echo ${A}" }\n')).toEqual(['2:6 error wrong-type:']);
    // ports is not a list or mapping: no unknown port, no undefined port variable, no url without port.
    expect(codes('name: x\nports: 3\nservices:\n  a: { command: x, port: a, url: "http://x:${A_PORT}" }\n')).toEqual([
      '2:8 error wrong-type:',
    ]);
    // services is not a mapping: no unknown service in needs.
    expect(codes('name: x\nservices: [a]\ntests:\n  t: { command: x, needs: [a] }\n')).toEqual([
      '2:11 error wrong-type:',
    ]);
    // A service that is not a mapping keeps its name: depending on it is fine.
    expect(codes('name: x\nservices:\n  db: postgres\n  api: { command: a, depends_on: [db] }\n')).toEqual([
      '3:7 error wrong-type:',
    ]);
  });

  it('factory check prints them all and counts them', async () => {
    using t = tempDir();
    t.write(
      'factory.yaml',
      'name: x\nservices:\n  api:\n    command: a\n    restart: sometimes\n    depends_on: [dbb]\n  db: { command: d }\n',
    );
    const r = await runFactory(['check'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter((l) => / error /.test(l))).toEqual([
      'factory.yaml:5:14 error invalid-value: services.api.restart must be one of "no", "on-failure", "always", not "sometimes"',
      'factory.yaml:6:18 error unknown-dependency: service "api" depends on "dbb", which is not defined',
    ]);
    expect(r.stderr).toContain('✗ factory.yaml: 2 problems');
  });
});
