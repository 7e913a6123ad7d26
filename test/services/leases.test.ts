/** The port-lease registry, with real sockets and real processes as owners. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLease, readLeases, releaseLease, setLeaseOwner } from '../../src/services/leases.js';
import { identityOf } from '../../src/services/proc.js';
import { basePort, until } from './helpers.js';

let env: NodeJS.ProcessEnv;
let home: string;
let root: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'factory-leases-'));
  root = join(home, 'repo');
  env = { ...process.env, FACTORY_STATE_HOME: home };
});
/** The instance has state (it was started and stopped): its stale lease is kept, not garbage. */
const stopped = (id: string) => {
  mkdirSync(join(root, '.factory/instances', id), { recursive: true });
  writeFileSync(join(root, '.factory/instances', id, 'state.json'), JSON.stringify({ phase: 'stopped' }));
};
afterEach(() => rmSync(home, { recursive: true, force: true }));

const me = () => identityOf(process.pid) as { pid: number; startTime: number };
const BASE = basePort(0);
const req = (id: string, extra: Partial<Parameters<typeof acquireLease>[0]> = {}) => ({
  root,
  worktreeId: id,
  stateDir: join(root, '.factory/instances', id),
  size: 10,
  offsets: [0, 1, 2],
  owner: me(),
  base: BASE,
  moveAllowed: true,
  env,
  ...extra,
});

describe('port leases', () => {
  it('gives each instance its own block and the same block back to the same id', async () => {
    const a = await acquireLease(req('a'));
    const b = await acquireLease(req('b'));
    expect(a.lease.base).toBe(BASE);
    expect(b.lease.base).toBe(BASE + 10);
    expect(b.moved).toMatchObject({ from: BASE, to: BASE + 10 });
    const again = await acquireLease(req('a', { base: undefined as never }));
    expect(again.lease.base).toBe(BASE);
    expect(readLeases(env).map((l) => [l.worktreeId, l.base])).toEqual([
      ['b', BASE + 10],
      ['a', BASE],
    ]);
    await releaseLease({ root, worktreeId: 'a' }, env);
    expect(readLeases(env).map((l) => l.worktreeId)).toEqual(['b']);
  });

  it('reclaims a stale lease (dead owner) but never overlaps a live one', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const owner = await until('child up', () => identityOf(child.pid as number));
    stopped('dead');
    await acquireLease(req('dead', { owner }));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const taker = await acquireLease(req('taker', { moveAllowed: false }));
    expect(taker.lease.base).toBe(BASE);
    expect(taker.reclaimed.map((l) => l.worktreeId)).toEqual(['dead']);

    await expect(acquireLease(req('other', { moveAllowed: false }))).rejects.toMatchObject({ code: 'ports-leased' });
  });

  it('drops garbage at any registry change: a stale lease whose repository or instance state is gone', async () => {
    const dead = { pid: process.pid, startTime: 1 };
    stopped('kept');
    await acquireLease(req('kept', { owner: dead }));
    await acquireLease(req('no-state', { owner: dead, base: BASE + 50 }));
    await acquireLease(req('no-repo', { owner: dead, base: BASE + 60, root: join(home, 'deleted') }));
    await acquireLease(req('live', { base: BASE + 70 }));
    expect(readLeases(env).map((l) => l.worktreeId)).toEqual(['kept', 'live']);
    await releaseLease({ root, worktreeId: 'live' }, env);
  });

  it('treats a recycled owner pid (same pid, other start time) as dead', async () => {
    stopped('old');
    await acquireLease(req('old', { owner: { pid: process.pid, startTime: 1 } }));
    const r = await acquireLease(req('new', { moveAllowed: false }));
    expect(r.reclaimed.map((l) => l.worktreeId)).toEqual(['old']);
  });

  it('names the pid of a foreign process on a slot of the requested block', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(BASE + 20 + 2, '127.0.0.1', r));
    try {
      await expect(acquireLease(req('x', { base: BASE + 20, moveAllowed: false }))).rejects.toThrow(
        new RegExp(`port ${BASE + 22} \\(pid ${process.pid} `),
      );
      const moved = await acquireLease(req('x', { base: BASE + 20 }));
      expect(moved.lease.base).toBe(BASE + 30);
      expect(moved.moved?.reason).toMatch(`in use: ${BASE + 22} (pid ${process.pid}`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('serializes concurrent acquisitions: ten at once get ten distinct blocks', async () => {
    const leases = await Promise.all(Array.from({ length: 10 }, (_, i) => acquireLease(req(`p${i}`, { base: BASE }))));
    expect(new Set(leases.map((l) => l.lease.base)).size).toBe(10);
    await setLeaseOwner({ root, worktreeId: 'p0' }, { pid: 1, startTime: 0 }, env);
    expect(readLeases(env).find((l) => l.worktreeId === 'p0')?.ownerPid).toBe(1);
  });
});
