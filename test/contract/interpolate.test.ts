/** Per-instance resolution: templates, the instance env and its precedence, service env, commands. */
import { describe, expect, it } from 'vitest';
import {
  buildInstanceEnv,
  resolveCommand,
  resolveTemplate,
  serviceEnv,
  type InstanceContext,
} from '../../src/contract/interpolate.js';
import { contractOf } from './helpers.js';
import { failureOf } from '../helpers/failure.js';
import { tempDir } from '../helpers/temp.js';

function ctx(ports: Record<string, number>, processEnv: NodeJS.ProcessEnv = {}): InstanceContext {
  return { worktreeId: 'Job_42', stateDir: '/w/.factory/instances/Job_42', ports, processEnv };
}

describe('resolveTemplate', () => {
  it('resolves ${NAME}, keeps other $ forms, and $$ is a literal $', () => {
    expect(resolveTemplate('http://localhost:${API_PORT}/x?a=$$HOME&b=$1', { API_PORT: '4100' })).toBe(
      'http://localhost:4100/x?a=$HOME&b=$1',
    );
    expect(resolveTemplate('$${API_PORT}', { API_PORT: '1' })).toBe('${API_PORT}');
  });
  it('an unknown name is an unresolved-variable failure', () => {
    expect(failureOf(() => resolveTemplate('${NOPE}', {})).code).toBe('unresolved-variable');
  });
});

describe('buildInstanceEnv', () => {
  it('gives built-ins, port variables and derived values (DATABASE_URL from POSTGRES_PORT)', () => {
    const c = contractOf(
      'name: My App\nports: [postgres, api]\nenv:\n  DATABASE_URL: postgres://app@127.0.0.1:${POSTGRES_PORT}/app_${WORKTREE_ID}\n',
      { root: '/w' },
    );
    const env = buildInstanceEnv(c, ctx({ postgres: 46200, api: 46201 }, { HOME: '/root' }));
    expect(env).toEqual({
      HOME: '/root',
      DATABASE_URL: 'postgres://app@127.0.0.1:46200/app_Job_42',
      POSTGRES_PORT: '46200',
      API_PORT: '46201',
      WORKTREE_ID: 'Job_42',
      FACTORY_WORKTREE_ID: 'Job_42',
      FACTORY_ROOT: '/w',
      FACTORY_STATE_DIR: '/w/.factory/instances/Job_42',
      FACTORY_DATA_DIR: '/w/.factory/instances/Job_42/data',
      FACTORY_LOG_DIR: '/w/.factory/instances/Job_42/logs',
      FACTORY_RUN_DIR: '/w/.factory/instances/Job_42/run',
      FACTORY_ARTIFACTS_DIR: '/w/.factory/artifacts',
      FACTORY_PORT_BASE: '46200',
      COMPOSE_PROJECT_NAME: 'my_app_job_42',
    });
  });

  it('precedence: contract env over env_file over the process env; a self-reference reads the layer below', () => {
    using t = tempDir();
    t.write('.env', 'A=from-file\nB=from-file\n# comment\nexport C="quoted value"\n');
    const c = contractOf(
      'name: x\nenv_file: .env\nenv:\n  B: from-contract\n  PATH: "${PATH}:/extra"\n  D: ${A}-${C}\n',
      {
        root: t.dir,
        env: { PATH: '/bin' },
      },
    );
    const env = buildInstanceEnv(c, ctx({}, { A: 'from-process', PATH: '/bin', Z: 'z' }));
    expect({ A: env.A, B: env.B, C: env.C, D: env.D, PATH: env.PATH, Z: env.Z }).toEqual({
      A: 'from-file',
      B: 'from-contract',
      C: 'quoted value',
      D: 'from-file-quoted value',
      PATH: '/bin:/extra',
      Z: 'z',
    });
  });

  it('a missing required env_file fails at instance start; an optional one is skipped', () => {
    using t = tempDir();
    const required = contractOf('name: x\nenv_file: .env.dev\n', { root: t.dir });
    expect(failureOf(() => buildInstanceEnv(required, ctx({}))).code).toBe('missing-env-file');
    const optional = contractOf('name: x\nenv_file: { path: .env.dev, required: false }\n', { root: t.dir });
    expect(buildInstanceEnv(optional, ctx({})).WORKTREE_ID).toBe('Job_42');
  });
});

describe('serviceEnv and resolveCommand', () => {
  const c = contractOf(
    [
      'name: x',
      'ports: [api]',
      'env:',
      '  BASE: http://127.0.0.1:${API_PORT}',
      'services:',
      '  api:',
      '    command: [node, server.js, --port, "${API_PORT}", --name, "${SERVICE_NAME}"]',
      '    env:',
      '      URL: ${BASE}/v1',
      '      LOG_PREFIX: "[${SERVICE_NAME}]"',
      '  db:',
      '    type: compose',
      '    compose_file: deploy/compose.yaml',
      '  shell:',
      '    command: echo "$HOME ${API_PORT}; $(date)"',
    ].join('\n'),
    { root: '/w' },
  );
  const base = buildInstanceEnv(c, ctx({ api: 5000 }));

  it('adds the service env (over the instance env) and SERVICE_NAME', () => {
    const api = c.services.api!;
    const env = serviceEnv(c, api, base);
    expect([env.URL, env.LOG_PREFIX, env.SERVICE_NAME, env.API_PORT]).toEqual([
      'http://127.0.0.1:5000/v1',
      '[api]',
      'api',
      '5000',
    ]);
    expect(serviceEnv(c, c.services.db!, base).COMPOSE_FILE).toBe('/w/deploy/compose.yaml');
  });

  it('argv elements are resolved by factory; a shell line goes to sh -c untouched', () => {
    const api = c.services.api!;
    if (api.kind !== 'process') throw new Error('process expected');
    expect(resolveCommand(api.command, serviceEnv(c, api, base))).toEqual({
      file: 'node',
      args: ['server.js', '--port', '5000', '--name', 'api'],
    });
    const sh = c.services.shell!;
    if (sh.kind !== 'process') throw new Error('process expected');
    expect(resolveCommand(sh.command, base)).toEqual({ file: 'sh', args: ['-c', 'echo "$HOME ${API_PORT}; $(date)"'] });
  });
});
