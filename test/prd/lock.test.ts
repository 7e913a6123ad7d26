import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, processStartTime, type LockOwner } from '../../src/prd/lock.js';
import { parseLedgerMessage } from '../../src/prd/ledger.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prd-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  const pid = child.pid ?? 0;
  await new Promise((resolve) => child.on('close', resolve));
  return pid;
}

function owner(over: Partial<LockOwner>): LockOwner {
  return {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    host: hostname(),
    startedAt: '2026-11-23T10:00:00Z',
    runId: 'r0',
    ...over,
  };
}

describe('PRD lock', () => {
  it('is held by one run: a second one fails with prd-locked and the owner pid', async () => {
    const file = join(dir, 'lock.json');
    const held = await acquireLock(file, 'run-1', 'PRD 1');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      pid: process.pid,
      runId: 'run-1',
      startTime: processStartTime(process.pid),
    });
    await expect(acquireLock(file, 'run-2', 'PRD 1')).rejects.toMatchObject({
      code: 'prd-locked',
      exitCode: 3,
      message: expect.stringContaining(`pid ${process.pid}`),
    });
    await held.release();
    expect(existsSync(file)).toBe(false);
  });

  it('takes over a lock whose owner is dead', async () => {
    const file = join(dir, 'lock.json');
    const dead = owner({ pid: await deadPid(), startTime: '1' });
    writeFileSync(file, JSON.stringify(dead));
    const held = await acquireLock(file, 'run-2', 'PRD 1');
    expect(held.tookOverFrom).toEqual(dead);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ runId: 'run-2' });
    await held.release();
  });

  it('takes over a lock whose pid was recycled (same pid, other start time)', async () => {
    const file = join(dir, 'lock.json');
    writeFileSync(file, JSON.stringify(owner({ startTime: '12345' })));
    const held = await acquireLock(file, 'run-3', 'PRD 1');
    expect(held.tookOverFrom?.startTime).toBe('12345');
    await held.release();
  });

  it('never takes a lock owned on another host, and takes an unreadable one', async () => {
    const file = join(dir, 'lock.json');
    writeFileSync(file, JSON.stringify(owner({ host: 'elsewhere', pid: await deadPid() })));
    await expect(acquireLock(file, 'r', 'PRD 1')).rejects.toMatchObject({ code: 'prd-locked' });
    writeFileSync(file, '{"pid": 12');
    const held = await acquireLock(file, 'r', 'PRD 1');
    await held.release();
  });

  it('release leaves a lock someone else took over alone', async () => {
    const file = join(dir, 'lock.json');
    const held = await acquireLock(file, 'run-1', 'PRD 1');
    writeFileSync(file, JSON.stringify(owner({ runId: 'other' })));
    await held.release();
    expect(existsSync(file)).toBe(true);
  });
});

describe('ledger trailers', () => {
  it('counts only a final paragraph with both trailers', () => {
    expect(parseLedgerMessage('Cart model\n\nRefs #prd-1/01\nFactory-Phase: task\n')).toEqual({
      ref: 'prd-1/01',
      phase: 'task',
    });
    expect(parseLedgerMessage('Review: X\n\nbody\n\nRefs #12\nFactory-Phase: review')).toEqual({
      ref: '12',
      phase: 'review',
    });
    expect(parseLedgerMessage('agent: fix\n\nRefs #12')).toBeUndefined();
    expect(parseLedgerMessage('Refs #12\nFactory-Phase: task')).toBeUndefined();
    expect(parseLedgerMessage('x\n\nRefs #12\nFactory-Phase: task\n\nSigned-off-by: a')).toBeUndefined();
  });
});
