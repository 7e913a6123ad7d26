/**
 * The JobStore suite on PostgreSQL (a private cluster from Debian's postgresql, on loopback), and
 * what only a server adds: many processes migrating and claiming at once (SKIP LOCKED, the
 * per-repository limit under concurrency), the append-only history, LISTEN/NOTIFY wake-ups, and
 * a store that cannot be reached failing with a hint, and a worker process living through a
 * restart of the server.
 */
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJob } from '../../src/jobs/controls.js';
import { MIGRATIONS } from '../../src/jobs/store/migrations.js';
import { openPostgresJobStore } from '../../src/jobs/store/postgres.js';
import type { JobStore } from '../../src/jobs/store/types.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { startPostgres, type PgCluster } from '../helpers/postgres.js';
import { basePort } from '../services/helpers.js';
import { diffieRig, waitFor } from './harness.js';
import { describeJobStore, newJob } from './store-suite.js';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPostgres(basePort(60));
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

const urlOf = new Map<JobStore, string>();

describeJobStore('postgres', {
  async open() {
    const url = await cluster.database();
    const s = openPostgresJobStore(url);
    urlOf.set(s, url);
    return s;
  },
  async reopen(store) {
    return openPostgresJobStore(urlOf.get(store) ?? '');
  },
});

/** A child process that opens the store and claims until nothing is left, printing what it got. */
const CLAIMER = `
import { openPostgresJobStore } from './dist/jobs/store/postgres.js';
const [url, perRepo] = process.argv.slice(1);
const store = openPostgresJobStore(url);
const got = [];
for (;;) {
  const job = await store.claim({ workerId: 'p' + process.pid, host: 'h' + process.pid, pid: process.pid, pidStart: null, leaseMs: 600000, maxPerRepo: Number(perRepo) });
  if (!job) break;
  got.push(job.id);
}
await store.close();
process.stdout.write(JSON.stringify(got));
`;

function claimers(url: string, perRepo = 1000): Promise<string[]> {
  return new Promise<string[]>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CLAIMER, url, String(perRepo)], {
      cwd: REPO_ROOT,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(err))));
  });
}

describe('postgres job store across processes', () => {
  it('four processes opening a new database at once migrate it once, then claiming at once take every job exactly once', {
    timeout: 120_000,
  }, async () => {
    const url = await cluster.database();
    expect((await Promise.all([1, 2, 3, 4].map(() => claimers(url)))).flat()).toEqual([]);
    const seed = openPostgresJobStore(url);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await seed.create(newJob(`/repo/race-${i % 5}`))).id);
    const runs = await Promise.all([1, 2, 3, 4].map(() => claimers(url)));
    expect(runs.flat().sort()).toEqual([...ids].sort());
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    expect((await c.query('SELECT version FROM factory_schema ORDER BY version')).rows).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version })),
    );
    await c.end();
    const events = await seed.events({ limit: 10_000 });
    expect(events.filter((e) => e.type === 'control' && e.action === 'claimed')).toHaveLength(40);
    // Event ids are visible in order, with no id handed out twice.
    const eventIds = events.map((e) => e.id);
    expect(eventIds).toEqual([...eventIds].sort((a, b) => a - b));
    expect(new Set(eventIds).size).toBe(eventIds.length);
    await seed.close();
  });

  it('holds the per-repository limit when four processes on four hosts claim at once', {
    timeout: 120_000,
  }, async () => {
    const url = await cluster.database();
    const seed = openPostgresJobStore(url);
    for (let i = 0; i < 12; i++) await seed.create(newJob('/repo/limited'));
    for (let i = 0; i < 4; i++) await seed.create(newJob('/repo/other'));
    const claimed = (await Promise.all([1, 2, 3, 4].map(() => claimers(url, 3)))).flat();
    const held = await seed.list({ limit: 100 });
    const byRepo = (repo: string) => held.filter((j) => j.repo === repo && claimed.includes(j.id)).length;
    expect(byRepo('/repo/limited')).toBe(3);
    expect(byRepo('/repo/other')).toBe(3);
    await seed.close();
  });

  it('keeps job_events append-only', async () => {
    const url = await cluster.database();
    const store = openPostgresJobStore(url);
    await store.create(newJob());
    await store.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await expect(c.query('DELETE FROM job_events')).rejects.toThrow(/append-only/);
    await expect(c.query("UPDATE job_events SET type = 'x'")).rejects.toThrow(/append-only/);
    await c.end();
  });

  it('wakes a waiting worker and a waiting subscriber with NOTIFY when another handle writes', {
    timeout: 60_000,
  }, async () => {
    const url = await cluster.database();
    const worker = openPostgresJobStore(url);
    const follower = openPostgresJobStore(url);
    const writer = openPostgresJobStore(url);
    expect(worker.pushes).toBe(true);
    // The first wait only starts listening (the caller looks again before it really waits).
    await worker.wait('work', 600_000);
    await follower.wait('events', 600_000);
    // Far longer than the test's timeout: only a notification can end these.
    const work = worker.wait('work', 600_000);
    const events = follower.wait('events', 600_000);
    const job = await writer.create(newJob());
    await Promise.all([work, events]);
    // A notification that arrives while nobody waits is kept for the next wait.
    await writer.append(job.id, {
      type: 'progress',
      stage: 'plan',
      role: 'planner',
      attempt: 1,
      round: 1,
      message: 'x',
    });
    await new Promise<void>((resolve) => {
      const poll = async () => ((await follower.events({ afterId: 1 })).length ? resolve() : setTimeout(poll, 20));
      void poll();
    });
    await follower.wait('events', 600_000);
    for (const s of [worker, follower, writer]) await s.close();
  });

  it('names the store and gives a hint when the server cannot be reached', async () => {
    const store = openPostgresJobStore(`postgres://factory:secret@127.0.0.1:${basePort(60) + 1}/nowhere`);
    expect(store.location).toBe(`postgres://127.0.0.1:${basePort(60) + 1}/nowhere`);
    const failure = await store.list().catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'job-store-unreachable', exitCode: 3 });
    expect(String((failure as Error).message)).not.toContain('secret');
    expect((failure as { hint?: string }).hint).toMatch(/FACTORY_JOBS_DATABASE_URL/);
    await store.close();
  });
});

describe('a worker and a PostgreSQL restart', () => {
  it('waits with backoff while the store is down instead of ending, then takes the next job', {
    timeout: 240_000,
  }, async () => {
    const url = await cluster.database();
    const rig = diffieRig({ plain: true });
    const store = openPostgresJobStore(url);
    try {
      await store.list(); // migrated before the worker starts
      const worker = rig.worker(['--store', url]);
      await waitFor(
        () => `the worker to start; it said:\n${worker.output()}`,
        () => (/waiting for jobs/.test(worker.output()) ? true : undefined),
      );
      // Beside the worker, this process writes in transactions as fast as it can through the outage:
      // a connection the server drops mid-transaction must fail that write, not crash the process.
      const hammer = openPostgresJobStore(await cluster.database()); // its jobs are not the worker's
      let hammering = true;
      let written = 0;
      const unreachable: string[] = [];
      const writes = (async () => {
        while (hammering) {
          await hammer.create(newJob()).then(
            () => written++,
            (error: { code?: string }) => unreachable.push(String(error.code)),
          );
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await waitFor('a first write', () => (written > 0 ? true : undefined));
      cluster.down();
      try {
        await waitFor(
          () => `the worker to report the outage; it said:\n${worker.output()}`,
          () => ((worker.output().match(/job store unreachable/g) ?? []).length >= 2 ? true : undefined),
          60_000,
        );
        expect(worker.child.exitCode).toBeNull();
        // The first error depends on the moment: a connection the shutdown terminated, the server
        // shutting down, or a refused connect.
        expect(worker.output()).toMatch(/job store unreachable \(.+\); asking again in 1s\n/);
        expect(worker.output()).toMatch(/asking again in 2s\n/);
      } finally {
        cluster.up();
      }
      await waitFor(
        () => `the worker to see the store again; it said:\n${worker.output()}`,
        () => (/job store postgres:\/\/.* answers again/.test(worker.output()) ? true : undefined),
        60_000,
      );
      // The same handle writes again once the server is back (its broken connections were dropped).
      const before = written;
      await waitFor('a write after the restart', () => (written > before ? true : undefined), 60_000);
      hammering = false;
      await writes;
      await hammer.close();
      expect(unreachable.length).toBeGreaterThan(0);
      const job = await createJob(store, 'Say hello in the README', { repo: rig.repo }, rig.env);
      const claimed = await waitFor(`${job.id} claimed`, async () =>
        (await store.events({ jobId: job.id })).find((e) => e.type === 'control' && e.action === 'claimed'),
      );
      expect(claimed.message).toMatch(/^worker /);
      worker.child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) =>
        worker.child.exitCode !== null ? resolve(worker.child.exitCode) : worker.child.once('exit', resolve),
      );
      expect(code, worker.output()).toBe(0);
      expect(worker.output()).not.toMatch(/^\s+at /m);
    } finally {
      await store.close();
      await rig.dispose();
    }
  });
});
