/**
 * Many instances start at once while other processes open and close thousands of loopback
 * connections: every connection's local port comes from the kernel's ephemeral range, so a leased
 * port inside that range can be taken between the lease and the service's bind (EADDRINUSE on an
 * instance's own port). Leases come from outside it (docs/adr/0011), so every instance is healthy;
 * a --port-range inside it is warned about.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { readLeases } from '../../src/services/leases.js';
import { ephemeralRange } from '../../src/services/port-pool.js';
import { identityOf } from '../../src/services/proc.js';
import { expectNothingLeft, expectSchema, makeProject, svc, until, type Project } from './helpers.js';

const LISTEN_MANY = join(REPO_ROOT, 'test/fixtures/services/listen-many.mjs');
const CHURN = join(REPO_ROOT, 'test/fixtures/services/churn.mjs');
const INSTANCES = 10;
const PORTS = Array.from({ length: 8 }, (_, i) => `p${i}`);

let project: Project | undefined;
const churners: ChildProcess[] = [];
afterEach(async () => {
  for (const c of churners) if (c.exitCode === null) c.kill('SIGKILL');
  churners.length = 0;
  await project?.cleanup();
  project = undefined;
});

/** A churn process (test/fixtures/services/churn.mjs), resolved once it made its first connections. */
async function churn(): Promise<{ stop: () => Promise<number> }> {
  const child = spawn(process.execPath, [CHURN, '--open', '400', '--hold', '20', '--warm', '2000', '--max', '8000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  churners.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await until('churn to warm up', () => out.includes('warm') || child.exitCode !== null);
  return {
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      return Number(/done (\d+)/.exec(out)?.[1] ?? 0);
    },
  };
}

describe('leases under loopback connection churn', () => {
  it(`${INSTANCES} instances started at once all come up healthy`, { timeout: 180_000 }, async () => {
    const p = (project = makeProject(`
name: churn
ports: [${PORTS.join(', ')}]
services:
  app:
    command: [node, ${JSON.stringify(LISTEN_MANY)}, --delay, "300", ${PORTS.map((n) => `${n.toUpperCase()}_PORT`).join(', ')}]
    ports: [${PORTS.join(', ')}]
    healthcheck: { tcp: p7 }
    restart: "no"
`));
    const ids = Array.from({ length: INSTANCES }, (_, i) => `c${i}`);
    const load = [await churn(), await churn()];
    const starts = await Promise.all(
      ids.map((id) => p.run(['start', '--worktree-id', id, '--json'], { timeoutMs: 150_000 })),
    );
    const connections = (await Promise.all(load.map((l) => l.stop()))).reduce((a, b) => a + b, 0);
    expect(connections).toBeGreaterThanOrEqual(4_000); // both warmed up
    const failed = starts
      .map((r, i) => ({ id: ids[i], code: r.code, output: `${r.stdout}${r.stderr}`.trim() }))
      .filter((r) => r.code !== 0);
    expect(failed).toEqual([]);
    const bases = starts.map((r) => (JSON.parse(r.stdout) as { portBase: number }).portBase);
    expect(new Set(bases).size).toBe(INSTANCES);
    await Promise.all(ids.map((id) => p.run(['stop', '--worktree-id', id])));
    await expectNothingLeft(p, ids);
  });
});

describe('a --port-range inside the ephemeral range', () => {
  it('is leased with a warning on stderr and in --json', async () => {
    const p = (project = makeProject(`
name: inside
ports: [a, b]
services:
  idle:
    command: ${svc('--say', 'idle')}
`));
    const kernel = ephemeralRange();
    const inside = Math.ceil((kernel.low + 3000) / 10) * 10;
    // --move-ports: a slot inside the range may be some connection's local port right now (the
    // very problem); the next block is just as much inside.
    const args = ['--port-range', String(inside), '--move-ports'];
    const json = await p.run(['start', '--worktree-id', 'j', ...args, '--json']);
    expect(json.code, json.stdout + json.stderr).toBe(0);
    const out = JSON.parse(json.stdout);
    expectSchema('start', out);
    expect(out.portBase).toBeLessThanOrEqual(kernel.high);
    expect(out.warnings).toEqual([
      expect.stringMatching(
        new RegExp(`^ports ${out.portBase}–${out.portBase + 9} lie inside the kernel's ephemeral port range`),
      ),
    ]);
    expect(json.stderr).toBe(`warning: ${out.warnings[0]}\n`);
    const human = await p.run(['start', '--worktree-id', 'h', '--port-range', String(inside + 100), '--move-ports']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toMatch(
      /^warning: ports \d+–\d+ lie inside the kernel's ephemeral port range .*without --port-range factory leases from 20000–/m,
    );
    // Outside it: no warning.
    const quiet = await p.run(['start', '--worktree-id', 'q', '--json']);
    expect(JSON.parse(quiet.stdout).warnings).toEqual([]);
    for (const id of ['j', 'h', 'q']) await p.run(['stop', '--worktree-id', id]);
    await expectNothingLeft(p, ['j', 'h', 'q']);
  });
});

describe('a leased port taken before the service binds it', () => {
  it('fails the service at once, naming the process that took it (no restart loop)', async () => {
    const p = (project = makeProject(''));
    const go = join(p.dir, 'go');
    writeFileSync(
      join(p.dir, 'factory.yaml'),
      `
name: thief
ports: [api]
services:
  api:
    command: ${svc('--wait-for', go, '--listen', 'API_PORT')}
    port: api
    healthcheck: { http: "http://127.0.0.1:\${API_PORT}/health" }
    restart: { policy: on-failure, max_restarts: 3, backoff: 100ms }
`,
    );
    const start = p.spawn(['start', '--worktree-id', 't', '--json']);
    // Once leased, another process takes the port; then the service goes on and cannot bind it.
    const lease = await until('the lease', () => readLeases().find((l) => l.root === p.dir));
    const thief = spawn(
      process.execPath,
      ['-e', `require('net').createServer().listen(${lease.base}, '127.0.0.1', () => console.log('up'))`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    churners.push(thief);
    let up = '';
    thief.stdout.setEncoding('utf8').on('data', (d: string) => (up += d));
    await until('the thief to listen', () => up.includes('up'));
    writeFileSync(go, '');
    expect(await start.done).toBe(1);
    const err = JSON.parse(start.out()).error;
    expect(err.message).toMatch(
      new RegExp(
        `^service "api" failed: port ${lease.base} \\(api\\) was taken after factory leased it: pid ${thief.pid} \\(${process.execPath.replace(/[/.]/g, '\\$&')} -e require\\('net'\\)`,
      ),
    );
    expect(err.message).toMatch(/; the service exited with code 1/);
    expect(err.message).not.toMatch(/restart/);
    const st = JSON.parse((await p.run(['status', '--worktree-id', 't', '--json'])).stdout);
    expect(st.services[0]).toMatchObject({ state: 'failed', restarts: 0 });
    expect(existsSync(go)).toBe(true);
    expect(identityOf(thief.pid as number)).toBeDefined(); // never killed
    thief.kill('SIGKILL');
    await expectNothingLeft(p, ['t']);
  });
});
