import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteJobStore } from '../../src/jobs/store/sqlite.js';
import { MIGRATIONS } from '../../src/jobs/store/migrations.js';
import type { JobStore } from '../../src/jobs/store/types.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { describeJobStore, newJob } from './store-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'factory-jobstore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fileOf = new Map<JobStore, string>();

describeJobStore('sqlite', {
  async open() {
    const file = join(dir, `jobs-${++files}.db`);
    const s = openSqliteJobStore(file);
    fileOf.set(s, file);
    return s;
  },
  async reopen(store) {
    return openSqliteJobStore(fileOf.get(store) ?? '');
  },
});

/** A child process that opens the store and claims until nothing is left, printing what it got. */
const CLAIMER = `
import { openSqliteJobStore } from './dist/jobs/store/sqlite.js';
const store = openSqliteJobStore(process.argv[1]);
const got = [];
for (;;) {
  const job = await store.claim({ workerId: 'p' + process.pid, host: 'h', pid: process.pid, pidStart: null, leaseMs: 600000, maxPerRepo: 1000 });
  if (!job) break;
  got.push(job.id);
}
await store.close();
process.stdout.write(JSON.stringify(got));
`;

function claimers(file: string): Promise<string[]> {
  return new Promise<string[]>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CLAIMER, file], { cwd: REPO_ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(err))));
  });
}

describe('sqlite job store across processes', () => {
  it('four processes opening a new file at once migrate it once, then claiming at once take every job exactly once', async () => {
    const file = join(dir, 'race.db');
    expect((await Promise.all([1, 2, 3, 4].map(() => claimers(file)))).flat()).toEqual([]);
    const seed = openSqliteJobStore(file);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await seed.create(newJob('/repo/race'))).id);
    await seed.close();
    const runs = await Promise.all([1, 2, 3, 4].map(() => claimers(file)));
    const claimed = runs.flat();
    expect(claimed.sort()).toEqual([...ids].sort());
    const { default: Database } = await import('libsql');
    const raw = new Database(file);
    expect(raw.prepare('PRAGMA user_version').get()).toMatchObject({ user_version: MIGRATIONS.length });
    raw.close();
    const store = openSqliteJobStore(file);
    const events = await store.events({});
    expect(events.filter((e) => e.type === 'control' && e.action === 'claimed')).toHaveLength(40);
    await store.close();
  });

  it('keeps job_events append-only', async () => {
    const file = join(dir, 'append.db');
    const store = openSqliteJobStore(file);
    await store.create(newJob());
    await store.close();
    const { default: Database } = await import('libsql');
    const db = new Database(file);
    expect(() => db.exec('DELETE FROM job_events')).toThrow(/append-only/);
    expect(() => db.exec("UPDATE job_events SET type = 'x'")).toThrow(/append-only/);
    db.close();
  });
});
