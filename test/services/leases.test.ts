/** The port-lease registry, with real sockets and real processes as owners. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLease, readLeases, releaseLease, setLeaseOwner } from '../../src/services/leases.js';
import { identityOf } from '../../src/services/proc.js';
import { leaseRequest, until } from './helpers.js';

let env: NodeJS.ProcessEnv;
let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'factory-leases-'));
  env = { ...process.env, FACTORY_STATE_HOME: home };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const BASE = 28_000;
const req = (id: string, extra: Partial<Parameters<typeof acquireLease>[0]> = {}) =>
  leaseRequest(id, env, { base: BASE, moveAllowed: true, ...extra });

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
    await releaseLease({ root: '/repo', worktreeId: 'a' }, env);
    expect(readLeases(env).map((l) => l.worktreeId)).toEqual(['b']);
  });

  it('reclaims a stale lease (dead owner) but never overlaps a live one', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const owner = await until('child up', () => identityOf(child.pid as number));
    await acquireLease(req('dead', { owner }));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const taker = await acquireLease(req('taker', { moveAllowed: false }));
    expect(taker.lease.base).toBe(BASE);
    expect(taker.reclaimed.map((l) => l.worktreeId)).toEqual(['dead']);

    await expect(acquireLease(req('other', { moveAllowed: false }))).rejects.toMatchObject({ code: 'ports-leased' });
  });

  it('treats a recycled owner pid (same pid, other start time) as dead', async () => {
    await acquireLease(req('old', { owner: { pid: process.pid, startTime: 1 } }));
    const r = await acquireLease(req('new', { moveAllowed: false }));
    expect(r.reclaimed.map((l) => l.worktreeId)).toEqual(['old']);
  });

  it('names the pid of a foreign process on a slot of the requested block', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(BASE + 100 + 2, '127.0.0.1', r));
    try {
      await expect(acquireLease(req('x', { base: BASE + 100, moveAllowed: false }))).rejects.toThrow(
        new RegExp(`port ${BASE + 102} \\(pid ${process.pid} `),
      );
      const moved = await acquireLease(req('x', { base: BASE + 100 }));
      expect(moved.lease.base).toBe(BASE + 110);
      expect(moved.moved?.reason).toMatch(`in use: ${BASE + 102} (pid ${process.pid}`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('serializes concurrent acquisitions: ten at once get ten distinct blocks', async () => {
    const leases = await Promise.all(
      Array.from({ length: 10 }, (_, i) => acquireLease(req(`p${i}`, { base: BASE + 200 }))),
    );
    expect(new Set(leases.map((l) => l.lease.base)).size).toBe(10);
    await setLeaseOwner({ root: '/repo', worktreeId: 'p0' }, { pid: 1, startTime: 0 }, env);
    expect(readLeases(env).find((l) => l.worktreeId === 'p0')?.ownerPid).toBe(1);
  });
});
