/**
 * Leases as `env` and `ps` see them, with the real binary: reading variables never leases, stale
 * leases are reclaimed on their own, `ps --prune` removes what is left, `ps` exits 1 only for a
 * real leak.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLease, readLeases, releaseLease } from '../../src/services/leases.js';
import { identityOf, processAlive } from '../../src/services/proc.js';
import { basePort, expectNothingLeft, expectSchema, makeProject, svc, until, type Project } from './helpers.js';

let projects: Project[] = [];
let registries: string[] = [];
const strays: ChildProcess[] = [];
afterEach(async () => {
  for (const c of strays) if (c.exitCode === null) c.kill('SIGKILL');
  strays.length = 0;
  for (const p of projects) await p.cleanup();
  projects = [];
  for (const r of registries) rmSync(r, { recursive: true, force: true });
  registries = [];
});
const project = (yaml: string) => {
  const p = makeProject(yaml);
  projects.push(p);
  return p;
};
/**
 * A registry of this test's own, so other test files' instances (and leaks) are not in its `ps`,
 * with a pool of its own too (a block of the run's window): the run's pool is leased through the
 * run's registry, which this one does not see.
 */
const privateRegistry = (slot: number) => {
  const home = mkdtempSync(join(tmpdir(), 'factory-ps-state-'));
  registries.push(home);
  const base = basePort(slot);
  return { FACTORY_STATE_HOME: home, FACTORY_PORT_POOL: `${base}-${base + 99}` };
};
const sleeper = (env: Record<string, string>) => {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    stdio: 'ignore',
    env: { ...process.env, ...env },
  });
  strays.push(c);
  return c;
};

const contract = `
name: lp
ports: [api, web]
services:
  api:
    command: ${svc('--listen', 'API_PORT')}
    port: api
    healthcheck: { tcp: api }
`;

describe('factory env on an instance never started', () => {
  it('prints the ports it would get and says so, without leasing', async () => {
    const p = project(contract);
    const json = await p.run(['env', '--worktree-id', 'fresh', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout);
    expectSchema('env', out);
    expect(out).toMatchObject({
      leased: false,
      note: 'instance "fresh" holds no port lease: these are the ports it would get if started now (not reserved; factory start leases them)',
    });
    expect(Number(out.env.API_PORT)).toBe(out.portBase);
    expect(Number(out.env.WEB_PORT)).toBe(out.portBase + 1);
    const human = await p.run(['env', '--worktree-id', 'fresh']);
    expect(human.stdout).toMatch(/^API_PORT=\d+$/m);
    expect(human.stderr).toBe(`note: ${out.note}\n`);
    const shell = await p.run(['env', '--worktree-id', 'fresh', '--shell']);
    expect(shell.stdout).toMatch(/^export API_PORT='\d+'$/m);
    expect(readLeases().filter((l) => l.root === p.dir)).toEqual([]);
    const ps = JSON.parse((await p.run(['ps', '--json'])).stdout);
    expect(ps.instances.filter((i: { root: string }) => i.root === p.dir)).toEqual([]);

    // Once started, env reads the lease.
    const start = await p.run(['start', '--worktree-id', 'fresh', '--json']);
    expect(start.code, start.stdout + start.stderr).toBe(0);
    const after = JSON.parse((await p.run(['env', '--worktree-id', 'fresh', '--json'])).stdout);
    expect(after).toMatchObject({ leased: true, note: null, portBase: JSON.parse(start.stdout).portBase });
    expect((await p.run(['env', '--worktree-id', 'fresh'])).stderr).toBe('');
    await p.run(['stop', '--worktree-id', 'fresh']);
    await expectNothingLeft(p, ['fresh']);
  });
});

describe('factory ps', () => {
  it('drops the leases of instances that are gone on its own, lists the rest sorted, exits 0', async () => {
    const env = privateRegistry(1);
    const p = project(contract);
    for (const id of ['b', 'a']) {
      const r = await p.run(['start', '--worktree-id', id], { env });
      expect(r.code, r.stderr).toBe(0);
      expect((await p.run(['stop', '--worktree-id', id], { env })).code).toBe(0);
    }
    const gone = project(contract);
    expect((await gone.run(['start', '--worktree-id', 'z'], { env })).code).toBe(0);
    expect((await gone.run(['stop', '--worktree-id', 'z'], { env })).code).toBe(0);
    const regEnv = { ...process.env, ...env };
    const lease = (worktreeId: string, o: { pid: number; startTime: number }) =>
      acquireLease({
        root: p.dir,
        worktreeId,
        stateDir: p.stateDir(worktreeId),
        size: 10,
        offsets: [],
        owner: o,
        env: regEnv,
      });
    // A start still in progress (its owner alive, no state yet) ...
    await lease('c', identityOf(process.pid) as { pid: number; startTime: number });
    // ... and one that died before its supervisor wrote any state.
    const dead = sleeper({});
    const owner = await until('a process to own a lease', () => identityOf(dead.pid as number));
    dead.kill('SIGKILL');
    await until('the owner to be gone', () => !processAlive(owner));
    await lease('ghost', owner);
    // A repository deleted with its stopped instance still leased.
    rmSync(gone.dir, { recursive: true, force: true });
    // Garbage goes at any registry change; here ps is the first one.
    const json = await p.run(['ps', '--json'], { env });
    expect(json.code, json.stdout).toBe(0);
    const out = JSON.parse(json.stdout);
    expectSchema('ps', out);
    expect(out.instances.map((i: { worktreeId: string; phase: string }) => [i.worktreeId, i.phase])).toEqual([
      ['a', 'stopped'],
      ['b', 'stopped'],
      ['c', 'leased'],
    ]);
    expect(out.instances.every((i: { leaks: string[] }) => i.leaks.length === 0)).toBe(true);
    expect(
      out.reclaimed.map((r: { worktreeId: string; root: string; reason: string }) => [r.worktreeId, r.root, r.reason]),
    ).toEqual([
      ['z', gone.dir, 'repository folder gone'],
      ['ghost', p.dir, 'owner dead and instance state missing'],
    ]);
    expect(out.pruned).toBeNull();
    expect(
      readLeases(regEnv)
        .map((l) => l.worktreeId)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    const human = await p.run(['ps'], { env });
    expect(human.code).toBe(0);
    expect(
      human.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['a', 'b', 'c']);
    await releaseLease({ root: p.dir, worktreeId: 'c' }, regEnv);
    await expectNothingLeft(p, ['a', 'b']);
  });

  it('--prune reaps what a dead supervisor and a lost instance left; ps exits 1 only while a leak is left', async () => {
    const env = privateRegistry(2);
    const p = project(`
name: orphans
ports: [api]
services:
  api:
    command: ${svc('--listen', 'API_PORT', '--children', 1, '--setsid')}
    port: api
    healthcheck: { tcp: api }
`);
    const start = await p.run(['start', '--worktree-id', 'k', '--json'], { env });
    expect(start.code, start.stdout).toBe(0);
    const supervisor = { pid: JSON.parse(start.stdout).supervisor.pid as number, startTime: 0 };
    supervisor.startTime = (identityOf(supervisor.pid) as { startTime: number }).startTime;
    process.kill(supervisor.pid, 'SIGKILL');
    await until('the supervisor to be gone', () => !processAlive(supervisor));
    // A process factory started for an instance this registry no longer knows, and one of another registry.
    const lost = sleeper({ FACTORY_INSTANCE: '0123456789abcdef', FACTORY_REGISTRY: env.FACTORY_STATE_HOME });
    const elsewhere = sleeper({ FACTORY_INSTANCE: 'fedcba9876543210', FACTORY_REGISTRY: '/nowhere/factory' });
    await until('both up', () => identityOf(lost.pid as number) && identityOf(elsewhere.pid as number));

    const leaky = await p.run(['ps', '--json'], { env });
    expect(leaky.code).toBe(1);
    const before = JSON.parse(leaky.stdout);
    expectSchema('ps', before);
    expect(
      before.instances.map((i: { worktreeId: string | null; phase: string; leaks: string[] }) => [
        i.worktreeId,
        i.phase,
        i.leaks,
      ]),
    ).toEqual([
      ['k', 'supervisor-dead', ['orphans']],
      [null, 'unknown', ['unknown-processes']],
    ]);
    expect(before.instances[1].processes.map((x: { pid: number }) => x.pid)).toEqual([lost.pid]);
    const orphans = before.instances[0].processes.map((x: { pid: number }) => x.pid);
    expect(orphans.length).toBeGreaterThanOrEqual(3); // api, its child, the setsid grandchild
    const human = await p.run(['ps'], { env });
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^hint: factory ps --prune reaps the leaked processes$/m);

    const prune = await p.run(['ps', '--prune', '--json'], { env });
    expect(prune.code, prune.stdout).toBe(0);
    const pruned = JSON.parse(prune.stdout);
    expectSchema('ps', pruned);
    expect(pruned.pruned.processes.map((x: { pid: number }) => x.pid).sort()).toEqual([...orphans, lost.pid].sort());
    expect(pruned.pruned.stopped).toEqual([{ worktreeId: 'k', root: p.dir }]);
    expect(
      pruned.instances.map((i: { worktreeId: string; phase: string; leaks: string[] }) => [
        i.worktreeId,
        i.phase,
        i.leaks,
      ]),
    ).toEqual([['k', 'stopped', []]]);
    expect(processAlive(identityOf(elsewhere.pid as number))).toBe(true);
    expect((await p.run(['ps'], { env })).code).toBe(0);
    await expectNothingLeft(p, ['k']);
  });

  it('a listener factory did not start on a leased port is a leak it names and never kills', async () => {
    const env = privateRegistry(3);
    const p = project(contract);
    const start = await p.run(['start', '--worktree-id', 'f', '--json'], { env });
    expect(start.code, start.stdout).toBe(0);
    const port = JSON.parse(start.stdout).ports.api as number;
    expect((await p.run(['stop', '--worktree-id', 'f'], { env })).code).toBe(0);
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const json = await p.run(['ps', '--prune', '--json'], { env });
      expect(json.code).toBe(1);
      const out = JSON.parse(json.stdout);
      expectSchema('ps', out);
      expect(out.instances[0]).toMatchObject({
        worktreeId: 'f',
        leaks: ['ports-bound'],
        boundPorts: [{ port, pids: [{ pid: process.pid }] }],
      });
      expect(out.pruned).toEqual({ processes: [], stopped: [] });
      const human = await p.run(['ps'], { env });
      expect(human.stdout).toMatch(new RegExp(`^  listening: ${port} \\(pid ${process.pid} `, 'm'));
      expect(human.stderr).toMatch(/hint: a process factory did not start listens on a leased port: stop it/);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect((await p.run(['ps'], { env })).code).toBe(0);
    await expectNothingLeft(p, ['f']);
  });
});
