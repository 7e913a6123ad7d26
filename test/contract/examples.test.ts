/**
 * Every example contract and the seed's sample compile; the hello example's service runs for real
 * with the environment factory computes for it (interpolation end to end, on loopback).
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import getPort from 'get-port';
import { afterEach, describe, expect, it } from 'vitest';
import { buildInstanceEnv, resolveCommand, serviceEnv, resolveTemplate } from '../../src/contract/interpolate.js';
import { loadContract } from '../../src/contract/load.js';
import { REPO_ROOT, runFactory } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

/** Every factory.yaml under examples/, at any depth (not inside node_modules or .factory). */
function exampleContracts(dir = join(REPO_ROOT, 'examples')): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && e.name !== 'node_modules' && e.name !== '.factory' && e.name !== '.git')
      out.push(...exampleContracts(join(dir, e.name)));
    else if (e.isFile() && e.name === 'factory.yaml') out.push(relative(REPO_ROOT, join(dir, e.name)));
  }
  return out.sort();
}

describe('factory check accepts', () => {
  const files = [
    ...exampleContracts(),
    'test/fixtures/contract/seed-sample/factory.yaml',
    'test/fixtures/contract/seed-sample-as-written/factory.yaml',
    'test/fixtures/contract/full/factory.yaml',
  ];
  it('at least the hello example', () => {
    expect(files).toContain('examples/hello/factory.yaml');
  });
  for (const file of files) {
    it(file, async () => {
      const r = await runFactory(['check', '-f', file]);
      expect(r.stderr.split('\n').filter((l) => / error /.test(l))).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^✓ .*: valid \(/);
    });
  }

  it('the seed sample, with its one warning (the env file a setup step would create)', async () => {
    const r = await runFactory(['check', '-f', 'test/fixtures/contract/seed-sample/factory.yaml']);
    expect(r.stdout).toBe(
      '✓ test/fixtures/contract/seed-sample/factory.yaml: valid (6 services, 4 ports, 1 warning)\n',
    );
    expect(r.stderr).toContain('warning env-file-missing: env_file .env.dev does not exist (yet)');
  });
});

describe('examples/hello runs with the environment factory computes', () => {
  const children: import('node:child_process').ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await exited;
      }
    }
  });

  it('serves its greeting on the leased port and answers its health check URL', async () => {
    using state = tempDir('factory-hello-');
    const contract = await loadContract({ file: 'examples/hello/factory.yaml', cwd: REPO_ROOT });
    const port = await getPort({ host: '127.0.0.1' });
    const instanceEnv = buildInstanceEnv(contract, {
      worktreeId: 'demo-1',
      stateDir: state.dir,
      ports: { web: port },
      processEnv: process.env,
    });
    const web = contract.services.web!;
    if (web.kind !== 'process' || web.healthcheck?.kind !== 'http') throw new Error('unexpected hello contract');
    const env = serviceEnv(contract, web, instanceEnv);
    const { file, args } = resolveCommand(web.command, env);
    const child = spawn(file, args, { cwd: join(contract.root, web.cwd), env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    // Event-driven readiness: the server prints its address once it listens.
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('listening on')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
    });
    const health = await fetch(resolveTemplate(web.healthcheck.url, env));
    expect(health.status).toBe(200);
    const page = await (await fetch(resolveTemplate(web.url!, env))).text();
    expect(page).toContain('Hello from demo-1');
  });
});
