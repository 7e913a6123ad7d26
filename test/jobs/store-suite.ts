/**
 * The JobStore contract as a test suite parameterised by a store factory, so every backend
 * (SQLite now, PostgreSQL later) runs the same assertions: `describeJobStore('sqlite', factory)`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStore } from '../../src/jobs/store/types.js';
import type { JobConfig, NewJob } from '../../src/jobs/types.js';

export interface StoreFactory {
  /** A fresh, empty store. */
  open(): Promise<JobStore>;
  /** A second handle on the same data (another process would open this). */
  reopen(store: JobStore): Promise<JobStore>;
}

export const CONFIG: JobConfig = {
  base: 'main',
  sandbox: 'none',
  roles: { planner: { agent: 'command' }, builder: { agent: 'command' }, reviewer: { agent: 'command' } },
  maxFixRounds: 2,
  tests: [],
  approvalPaths: [],
  timeouts: {
    stageMs: {
      plan: 1,
      worktree: 1,
      sandbox: 1,
      environment: 1,
      build: 1,
      test: 1,
      record: 1,
      publish: 1,
      review: 1,
    },
    jobMs: 1,
    agentIdleMs: 1,
  },
  previewTtlMs: 0,
};

let n = 0;
export function newJob(repo = '/repo/a', request = 'Show the number of projects', remote?: string): NewJob {
  n += 1;
  return {
    id: `job-test-${process.pid}-${n}`,
    repo,
    request,
    title: request,
    config: CONFIG,
    ...(remote ? { remote } : {}),
  };
}

const claimer = (workerId: string, extra: Partial<Parameters<JobStore['claim']>[0]> = {}) => ({
  workerId,
  host: 'test-host',
  pid: 1,
  pidStart: null,
  leaseMs: 60_000,
  maxPerRepo: 2,
  ...extra,
});

export function describeJobStore(name: string, factory: StoreFactory): void {
  describe(`JobStore (${name})`, () => {
    const open: JobStore[] = [];
    const fresh = async () => {
      const s = await factory.open();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    it('creates a job in received with its first event, and reads it back', async () => {
      const store = await fresh();
      const created = await store.create(newJob('/r', 'a {{X}} !`rm -rf /` request'));
      expect(created).toMatchObject({ state: 'received', round: 1, runnable: true, lease: null, version: 1 });
      expect(created.request).toBe('a {{X}} !`rm -rf /` request');
      expect(await store.get(created.id)).toEqual(created);
      const events = await store.events({ jobId: created.id });
      expect(events).toEqual([
        expect.objectContaining({ type: 'transition', from: null, to: 'received', role: 'human', jobId: created.id }),
      ]);
    });

    it('applies legal transitions with their events and rejects illegal or stale ones', async () => {
      const store = await fresh();
      const job = await store.create(newJob());
      const planned = await store.transition(
        job.id,
        {
          from: 'received',
          to: 'planned',
          role: 'planner',
          message: 'planned',
          artifacts: [{ label: 'plan', path: 'plan.json' }],
        },
        { data: { ...job.data, attempts: { plan: 1 } } },
      );
      expect(planned).toMatchObject({ state: 'planned', version: job.version + 1 });
      expect(planned.data.attempts).toEqual({ plan: 1 });
      // Not in the table: received → merged (also a type error, hence the cast).
      await expect(
        store.transition(job.id, { from: 'planned', to: 'merged', role: 'human', message: 'x' } as never),
      ).rejects.toMatchObject({ code: 'illegal-transition' });
      // Stale: the job is no longer in `received`.
      await expect(
        store.transition(job.id, { from: 'received', to: 'planned', role: 'planner', message: 'again' }),
      ).rejects.toMatchObject({ code: 'state-changed' });
      const events = await store.events({ jobId: job.id });
      expect(events.map((e) => e.type === 'transition' && e.to)).toEqual(['received', 'planned']);
      expect(events[1]).toMatchObject({ role: 'planner', artifacts: [{ label: 'plan', path: 'plan.json' }] });
    });

    it('lets failed jobs go back only to a live state (retry)', async () => {
      const store = await fresh();
      const job = await store.create(newJob());
      const failed = await store.transition(
        job.id,
        { from: 'received', to: 'failed', role: 'planner', message: 'no plan' },
        { stoppedAt: 'received', runnable: false },
      );
      expect(failed).toMatchObject({ state: 'failed', stoppedAt: 'received', runnable: false });
      await expect(
        store.transition(job.id, { from: 'failed', to: 'cancelled', role: 'human', message: 'x' } as never),
      ).rejects.toMatchObject({ code: 'illegal-transition' });
      const again = await store.transition(
        job.id,
        { from: 'failed', to: 'received', role: 'human', message: 'retry' },
        { stoppedAt: null, runnable: true },
      );
      expect(again).toMatchObject({ state: 'received', stoppedAt: null, runnable: true });
    });

    it('reads events after an id, across jobs and per job (the subscriber protocol)', async () => {
      const store = await fresh();
      expect(await store.lastEventId()).toBe(0);
      const a = await store.create(newJob());
      const b = await store.create(newJob());
      const all = await store.events({});
      const mine = all.filter((e) => e.jobId === a.id || e.jobId === b.id);
      expect(mine).toHaveLength(2);
      const last = mine[1]?.id ?? 0;
      expect(await store.lastEventId()).toBe(last);
      await store.append(a.id, {
        type: 'progress',
        stage: 'plan',
        role: 'planner',
        attempt: 1,
        round: 1,
        message: 'thinking',
      });
      const after = await store.events({ afterId: last });
      expect(after).toEqual([expect.objectContaining({ type: 'progress', jobId: a.id, message: 'thinking' })]);
      expect(await store.events({ jobId: b.id, afterId: last })).toEqual([]);
    });

    it('claims atomically, honours the per-repository limit, and lets an expired lease be resumed', async () => {
      const store = await fresh();
      const jobs = [
        await store.create(newJob('/repo/x')),
        await store.create(newJob('/repo/x')),
        await store.create(newJob('/repo/x')),
      ];
      const first = await store.claim(claimer('w1'));
      const second = await store.claim(claimer('w2'));
      expect(first?.id).toBe(jobs[0]?.id);
      expect(second?.id).toBe(jobs[1]?.id);
      // Two held in /repo/x already.
      expect(await store.claim(claimer('w3'))).toBeUndefined();
      // A worker writes only while it holds the lease.
      await expect(store.update(jobs[0]?.id ?? '', { round: 2 }, { workerId: 'w2' })).rejects.toMatchObject({
        code: 'lease-lost',
      });
      // w1 dies: its lease is dead as soon as the caller says so (same host, pid gone) …
      const resumed = await store.claim(claimer('w3', { isLeaseDead: (l) => l.workerId === 'w1' }));
      expect(resumed?.id).toBe(jobs[0]?.id);
      expect(resumed?.lease).toMatchObject({ workerId: 'w3' });
      expect((await store.heartbeat(jobs[0]?.id ?? '', 'w1', 1000)).held).toBe(false);
      expect((await store.heartbeat(jobs[0]?.id ?? '', 'w3', 1000)).held).toBe(true);
      const events = await store.events({ jobId: jobs[0]?.id ?? '' });
      expect(events.at(-1)).toMatchObject({ type: 'control', action: 'claimed' });
      expect(events.at(-1)?.message).toMatch(/lease of w1 .* had expired/);
      // … or once it expires.
      await store.release(jobs[1]?.id ?? '', 'w2');
      const short = await store.claim(claimer('w4', { leaseMs: 1 }));
      expect(short?.id).toBe(jobs[1]?.id);
      await new Promise((r) => setTimeout(r, 5));
      expect((await store.claim(claimer('w5')))?.id).toBe(jobs[1]?.id);
    });

    it('keeps the remote; a worker for a remote claims only its jobs, counted together whatever path queued them', async () => {
      const store = await fresh();
      const url = 'https://git.example/team/app.git';
      const local = await store.create(newJob('/m1/app'));
      const a = await store.create(newJob('/m1/app', 'from machine 1', url));
      const b = await store.create(newJob('/m2/app', 'from machine 2', url));
      const c = await store.create(newJob('/m3/app', 'from machine 3', url));
      expect(a.remote).toBe(url);
      expect(local.remote).toBeNull();
      const limit = { remote: url, maxPerRepo: 2 };
      expect((await store.claim(claimer('r1', { ...limit, host: 'm4' })))?.id).toBe(a.id);
      expect((await store.claim(claimer('r2', { ...limit, host: 'm5' })))?.id).toBe(b.id);
      // Two of the remote's jobs are held (queued from two paths): the third waits.
      expect(await store.claim(claimer('r3', { ...limit, host: 'm6' }))).toBeUndefined();
      // A worker without a remote takes only the job that has none.
      expect((await store.claim(claimer('l1', { remote: null })))?.id).toBe(local.id);
      expect(await store.claim(claimer('l2', { remote: null }))).toBeUndefined();
      await store.release(a.id, 'r1');
      expect((await store.claim(claimer('r3', { ...limit, host: 'm6' })))?.id).toBe(a.id);
      expect((await store.get(c.id))?.lease).toBeNull();
    });

    it('cancels an unheld job at once and asks the holder of a held one', async () => {
      const store = await fresh();
      const free = await store.create(newJob('/repo/c'));
      const held = await store.create(newJob('/repo/c'));
      const now = await store.cancel(free.id, 'cancelled by test');
      expect(now).toMatchObject({
        immediate: true,
        job: { state: 'cancelled', stoppedAt: 'received', runnable: false },
      });
      await expect(store.cancel(free.id, 'again')).rejects.toMatchObject({ code: 'job-finished' });
      const claimed = await store.claim(claimer('w1', { jobId: held.id }));
      expect(claimed?.id).toBe(held.id);
      const asked = await store.cancel(held.id, 'stop it');
      expect(asked).toMatchObject({ immediate: false, job: { state: 'received', cancelRequested: true } });
      expect(await store.heartbeat(held.id, 'w1', 1000)).toEqual({ held: true, cancelRequested: true });
      // A cancel-requested job is never claimed again.
      await store.release(held.id, 'w1');
      expect(await store.claim(claimer('w2', { jobId: held.id }))).toBeUndefined();
    });

    it('sees writes made through another handle (another process)', async () => {
      const store = await fresh();
      const other = await factory.reopen(store);
      open.push(other);
      const job = await store.create(newJob());
      expect((await other.get(job.id))?.state).toBe('received');
      await other.transition(job.id, { from: 'received', to: 'planned', role: 'planner', message: 'p' });
      expect((await store.get(job.id))?.state).toBe('planned');
      expect((await store.list({ repo: job.repo })).map((j) => j.id)).toContain(job.id);
    });

    it('keeps one chat message per job and channel, replaced in place, seen by another handle', async () => {
      const store = await fresh();
      const other = await factory.reopen(store);
      open.push(other);
      const a = await store.create(newJob());
      const b = await store.create(newJob());
      const first = {
        jobId: a.id,
        channel: 'telegram',
        chatId: '-100200',
        messageId: 7,
        requestMessageId: 6,
        userId: '42',
        lastEventId: 0,
        videoMessageId: null,
      };
      const saved = await store.saveChatMessage(first);
      expect(saved).toMatchObject(first);
      await store.saveChatMessage({ ...first, jobId: b.id, messageId: 9, requestMessageId: null, userId: null });
      await other.saveChatMessage({ ...first, lastEventId: 12, videoMessageId: 0 });
      expect(await store.chatMessages({ channel: 'telegram', jobId: a.id })).toEqual([
        { ...first, lastEventId: 12, videoMessageId: 0, createdAt: saved.createdAt, updatedAt: expect.any(String) },
      ]);
      expect((await other.chatMessages({ channel: 'telegram' })).map((m) => [m.jobId, m.messageId])).toEqual([
        [a.id, 7],
        [b.id, 9],
      ]);
      expect(await store.chatMessages({ channel: 'slack' })).toEqual([]);
      await expect(store.saveChatMessage({ ...first, jobId: 'no-such-job' })).rejects.toMatchObject({
        code: 'job-not-found',
      });
    });
  });
}
