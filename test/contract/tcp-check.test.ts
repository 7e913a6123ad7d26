/** A tcp health check names its port three ways: a port name, a number, or a template. */
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/services/plan.js';
import { contractOf, problems } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

const CONTRACT = [
  'name: x',
  'env:',
  '  DB_PORT: "5433"',
  'services:',
  '  named: { command: a, port: web, healthcheck: { tcp: web } }',
  '  number: { command: b, healthcheck: { tcp: 5432 } }',
  '  digits: { command: c, healthcheck: { tcp: "6379" } }',
  '  port-variable: { command: d, healthcheck: { tcp: "${WEB_PORT}" } }',
  '  env-variable: { command: e, healthcheck: { tcp: "${DB_PORT}", host: 127.0.0.1 } }',
].join('\n');

describe('tcp health checks', () => {
  it('accept a port name, a number or a template; a port variable normalizes to its port', () => {
    const c = contractOf(CONTRACT);
    const ports = Object.fromEntries(
      Object.values(c.services).map((s) => [s.name, s.healthcheck?.kind === 'tcp' ? s.healthcheck.port : undefined]),
    );
    expect(ports).toEqual({
      named: 'web',
      number: '5432',
      digits: '6379',
      'port-variable': 'web',
      'env-variable': '${DB_PORT}',
    });
    // `${WEB_PORT}` in a tcp check declares the port too (no ports: list here).
    expect(c.ports.map((p) => p.name)).toEqual(['web']);
  });

  it('resolve to port numbers in the instance plan', () => {
    using state = tempDir('factory-tcp-');
    const plan = buildPlan({
      contract: contractOf(CONTRACT),
      worktreeId: 'w1',
      stateDir: state.dir,
      socket: `${state.dir}/s.sock`,
      portBase: 23_100,
      processEnv: {},
    });
    const port = (name: string) => {
      const check = plan.services[name]?.check;
      return check?.kind === 'tcp' ? [check.port, check.hosts] : undefined;
    };
    expect(['named', 'number', 'digits', 'port-variable', 'env-variable'].map(port)).toEqual([
      [23_100, []],
      [5432, []],
      [6379, []],
      [23_100, []],
      [5433, ['127.0.0.1']],
    ]);
  });

  it('an undefined template is an error at its reference, not a port to declare', () => {
    expect(
      problems('name: x\nports: [web]\nservices:\n  a: { command: a, healthcheck: { tcp: "${WEB_PROT}" } }\n'),
    ).toEqual(['4:41 error undefined-variable: ${WEB_PROT} is not defined [did you mean ${WEB_PORT}?]']);
  });

  it('anything else says which three forms there are', () => {
    expect(problems('name: x\nservices:\n  a: { command: a, healthcheck: { tcp: "localhost:80" } }\n')).toEqual([
      '3:40 error invalid-value: services.a.healthcheck.tcp has an invalid value "localhost:80" [write a port name, a number or a template, e.g. "5432" (or web, "${WEB_PORT}")]',
    ]);
    expect(problems('name: x\nservices:\n  a: { command: a, healthcheck: { tcp: 70000 } }\n')).toEqual([
      '3:40 error out-of-range: services.a.healthcheck.tcp must be <= 65535, not 70000',
    ]);
  });
});
