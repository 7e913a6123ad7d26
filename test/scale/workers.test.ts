/**
 * Workers on many machines (docs/scale.md), on one: a private PostgreSQL cluster as the shared
 * store, one bare git repository as the shared remote, and three `factory worker --repo-url`
 * processes standing in for three machines — each with its own state dir (so its own clone), its
 * own host name on its leases and its own port range. Jobs are queued with `factory job new` from a
 * person's clone. Every job runs exactly once to ready_for_human_review and its branch on the
 * remote holds its one commit; a worker killed with -9 mid-build loses its lease and another worker
 * finishes the job from what was pushed (the dead one's local commit is redone, not doubled), and
 * the store's history shows the takeover.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresJobStore } from '../../src/jobs/store/postgres.js';
import type { JobStore } from '../../src/jobs/store/types.js';
import { processesWithEnv } from '../../src/services/proc.js';
import { FACTORY_BIN } from '../helpers/cli.js';
import { startPostgres, type PgCluster } from '../helpers/postgres.js';
import { approve, diffieRig, git, jobIn, plan, request, waitFor, type Rig } from '../jobs/harness.js';
import { basePort } from '../services/helpers.js';

const JOBS = Number(process.env.FACTORY_SCALE_JOBS ?? 30);

let cluster: PgCluster;
let rig: Rig;
let remote: string;
let url: string;
let store: JobStore;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  cluster = await startPostgres(basePort(62));
  url = await cluster.database('scale');
  rig = diffieRig({ plain: true });
  remote = join(rig.root, 'remote.git');
  git(rig.root, 'clone', '-q', '--bare', rig.repo, remote);
  git(rig.repo, 'remote', 'add', 'origin', remote);
  // The person's `factory job …` commands use the shared store.
  rig.env.FACTORY_JOBS_DATABASE_URL = url;
  store = openPostgresJobStore(url);
}, 120_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await Promise.all(workers.map((w) => (w.exitCode !== null || w.signalCode !== null ? undefined : exited(w))));
  await store?.close();
  await rig?.dispose();
  await cluster?.stop();
}, 120_000);

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** A worker standing in for machine `name`: its own state dir (clone, port registry), host name and port range. */
function machine(name: string, slot: number, extra: string[] = []) {
  const state = join(rig.root, `machine-${name}`);
  mkdirSync(state, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      FACTORY_BIN,
      'worker',
      '--store',
      url,
      '--repo-url',
      remote,
      '--port-range',
      String(basePort(slot)),
      '--lease',
      '3s',
      ...extra,
    ],
    {
      cwd: state,
      env: {
        ...process.env,
        NO_COLOR: '1',
        PATH: rig.env.PATH,
        FACTORY_STATE_HOME: state,
        FACTORY_WORKER_HOST: `machine-${name}`,
        FACTORY_JOBS_DATABASE_URL: undefined,
        FACTORY_JOB_STORE: undefined,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  workers.push(child);
  return { child, state, output: () => out };
}

/** `factory job new` from the person's clone, against the shared store. */
async function queue(text: string): Promise<string> {
  const r = await rig.factory(['job', 'new', text, '--json', '--sandbox', 'none', '--base', 'main'], 120_000);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).id as string;
}

const remoteLog = (id: string) => git(remote, 'log', '--format=%s', `main..factory/${id}`).split('\n');

describe('three workers on one shared store and one remote', () => {
  it(`run ${JOBS} jobs exactly once each, every branch with its one commit`, { timeout: 900_000 }, async () => {
    const ids: string[] = [];
    // Queued in batches (each `job new` is a process), before any worker runs.
    for (let i = 0; i < JOBS; i += 6) {
      const batch = Array.from({ length: Math.min(6, JOBS - i) }, (_, k) => i + k);
      ids.push(
        ...(await Promise.all(
          batch.map((n) =>
            queue(
              request(`Add greeting ${n}`, {
                planner: plan(),
                builder: [
                  { write: `greeting-${n}.txt`, content: `hello ${n}\n` },
                  { commit: `Add greeting ${n}` },
                  { say: '<promise>COMPLETE</promise>' },
                ],
                reviewer: approve(),
              }),
            ),
          ),
        )),
      );
    }
    const queued = await store.list({ limit: 1000 });
    expect(queued.filter((j) => ids.includes(j.id)).every((j) => j.remote === remote)).toBe(true);
    const ms = ['a', 'b', 'c'].map((name, i) => machine(name, 63 + i, ['--concurrency', '2']));
    const done = await Promise.all(ids.map((id) => jobIn(store, ['ready_for_human_review', 'failed'], id)));
    expect(
      done.filter((j) => j.state !== 'ready_for_human_review').map((j) => [j.id, j.data.failure]),
      ms.map((m) => m.output()).join('\n'),
    ).toEqual([]);
    const events = await store.events({ limit: 100_000 });
    const claims = events.filter((e) => e.type === 'control' && e.action === 'claimed');
    // Exactly once: one claim per job, no job taken over.
    expect(
      claims
        .filter((e) => ids.includes(e.jobId))
        .map((e) => e.jobId)
        .sort(),
    ).toEqual([...ids].sort());
    const hosts = new Set(done.map((j) => j.data.worktree?.path.split('/machine-')[1]?.[0]));
    expect(hosts.size, 'all three machines ran jobs').toBe(3);
    for (const [n, id] of ids.entries()) {
      // On the shared remote: the job's branch, with its one commit, never twice.
      expect(remoteLog(id)).toEqual([`Add greeting ${n}`]);
    }
    // `factory job …` from the person's machine sees what the workers did, unchanged.
    const list = await rig.factory(['job', 'list', '--json', '--limit', '1000'], 60_000);
    expect(list.code, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout).jobs as { id: string; state: string }[];
    expect(listed.filter((j) => ids.includes(j.id)).every((j) => j.state === 'ready_for_human_review')).toBe(true);
    const show = await rig.factory(['job', 'show', ids[0] ?? '', '--json'], 60_000);
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ id: ids[0], state: 'ready_for_human_review' });
    for (const m of ms) {
      m.child.kill('SIGTERM');
      await exited(m.child);
    }
  });

  it('kill -9 a worker mid-build: another machine finishes the job from what was pushed', {
    timeout: 600_000,
  }, async () => {
    const hold = join(rig.root, 'hold-the-builder');
    writeFileSync(hold, '');
    const id = await queue(
      request('Add the takeover file', {
        planner: plan(),
        builder: [
          {
            ifFile: hold,
            do: [{ write: 'takeover.txt', content: 'a\n' }, { commit: 'Add the takeover file' }, { sleep: 600_000 }],
            otherwise: [
              { write: 'takeover.txt', content: 'a\n' },
              { commit: 'Add the takeover file' },
              { say: '<promise>COMPLETE</promise>' },
            ],
          },
        ],
        reviewer: approve(),
      }),
    );
    const a = machine('d', 66);
    await jobIn(store, ['implementation_in_progress'], id);
    const clone = (await store.get(id))?.data.worktree?.path ?? '';
    expect(clone).toContain('machine-d');
    // Machine d's builder committed in its clone; the commit is not on the remote yet (pushed
    // with the transition that records the build).
    await waitFor('the builder commit on machine d', () =>
      existsSync(clone) && git(clone, 'rev-list', '--count', 'main..HEAD') === '1' ? true : undefined,
    );
    expect(remoteLog(id)).toEqual(['']);
    const dead = (await store.get(id))?.lease;
    expect(dead).toMatchObject({ host: 'machine-d' });
    await new Promise<void>((resolve) => {
      a.child.once('exit', () => resolve());
      a.child.kill('SIGKILL');
    });
    rmSync(hold);
    const b = machine('e', 67);
    const job = await jobIn(store, ['ready_for_human_review', 'failed'], id);
    expect(job.state, b.output()).toBe('ready_for_human_review');
    expect(job.data.worktree?.path).toContain('machine-e');
    const events = await store.events({ jobId: id, limit: 10_000 });
    const claims = events.filter((e) => e.type === 'control' && e.action === 'claimed');
    expect(claims).toHaveLength(2);
    expect(claims[1]?.message).toMatch(
      new RegExp(
        `on machine-e\\) resumes it at implementation_in_progress: the lease of ${dead?.workerId} .*on machine-d\\) had expired`,
      ),
    );
    // The dead machine's local commit was redone on machine e, not added twice.
    expect(remoteLog(id)).toEqual(['Add the takeover file']);
    expect(processesWithEnv('FACTORY_JOB_ID', id)).toEqual([]);
    b.child.kill('SIGTERM');
    await exited(b.child);
  });
});
