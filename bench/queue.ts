/**
 * Queue benchmark (issue 17): the job store alone, stages replaced by no-ops. A backlog of
 * BENCH_QUEUE_JOBS (default 1000) jobs over 10 repositories is drained by 1, 4 and 16 worker
 * processes, each looping claim → one transition (received → planned, the no-op stage) → release,
 * against a private local PostgreSQL cluster (fsync on, as in production) and against the embedded
 * SQLite store. Reports claims per second (whole cycles) and the claim call's latency p50/p99, and
 * the pickup latency of an idle worker (a job queued while it waits → claimed): NOTIFY on
 * PostgreSQL, the worker's polling backoff (100 ms → 1 s) on SQLite.
 *
 * Run by bench/run.ts through `benchQueue()`, or alone after `npm run build`: `npx tsx bench/queue.ts`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPostgresJobStore } from '../src/jobs/store/postgres.js';
import { openSqliteJobStore } from '../src/jobs/store/sqlite.js';
import type { JobStore } from '../src/jobs/store/types.js';
import { portWindowForRun, releasePortWindow } from '../test/helpers/port-window.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { newJob } from '../test/jobs/store-suite.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const JOBS = Number(process.env.BENCH_QUEUE_JOBS ?? 1000);
const PICKUPS = Number(process.env.BENCH_QUEUE_PICKUPS ?? 10);
const WORKERS = [1, 4, 16];

export interface QueueRow {
  backend: 'postgres' | 'sqlite';
  workers: number;
  jobs: number;
  claimsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Store errors the workers retried (SQLite: SQLITE_BUSY past the busy timeout). */
  errors: number;
  lastError: string;
}

export interface QueueResult {
  rows: QueueRow[];
  pickup: { backend: 'postgres' | 'sqlite'; p50Ms: number; maxMs: number }[];
}

/** A worker process: claims until the backlog is empty; prints its claim latencies and its span. */
const DRAIN = `
const [mod, target, mode] = process.argv.slice(1);
const m = await import(mod);
const store = target.startsWith('postgres') ? m.openPostgresJobStore(target) : m.openSqliteJobStore(target);
await store.lastEventId();
const me = { workerId: 'b' + process.pid, host: 'bench-' + process.pid, pid: process.pid, pidStart: null, leaseMs: 600000, maxPerRepo: 1000 };
process.stdout.write('ready\\n');
await new Promise((r) => process.stdin.once('data', r));
process.stdin.destroy();
if (mode === 'drain') {
  const lat = [];
  const start = performance.timeOrigin + performance.now();
  for (;;) {
    const t0 = performance.now();
    const job = await store.claim(me);
    lat.push(performance.now() - t0);
    if (!job) break;
    await store.transition(job.id, { from: 'received', to: 'planned', role: 'planner', message: 'no-op' }, { runnable: false }, { workerId: me.workerId });
    await store.release(job.id, me.workerId);
  }
  lat.pop();
  const end = performance.timeOrigin + performance.now();
  process.stdout.write(JSON.stringify({ lat, start, end }) + '\\n');
} else {
  // pickup: an idle worker, waiting the way factory worker does
  let idle = 100;
  for (;;) {
    const job = await store.claim(me);
    if (job) {
      process.stdout.write(JSON.stringify({ id: job.id, at: performance.timeOrigin + performance.now() }) + '\\n');
      idle = 100;
      if (job.request === 'last') break;
      continue;
    }
    if (store.pushes) await store.wait('work', 5000);
    else { await new Promise((r) => setTimeout(r, idle)); idle = Math.min(idle * 2, 1000); }
  }
}
await store.close();
`;

interface Child {
  lines: string[];
  ready: Promise<void>;
  go(): void;
  done: Promise<void>;
  next(): Promise<string>;
}

function child(target: string, mode: 'drain' | 'pickup'): Child {
  const mod = join(ROOT, 'dist/jobs/store/index.js');
  const c = spawn(process.execPath, ['--input-type=module', '-e', DRAIN, mod, target, mode], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  let buf = '';
  c.stdout.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const next = () =>
    new Promise<string>((resolve) => {
      const l = lines.shift();
      if (l !== undefined) resolve(l);
      else waiting.push(resolve);
    });
  return {
    lines,
    ready: next().then(() => {}),
    go: () => c.stdin.write('go\n'),
    done: new Promise((resolve) => c.on('close', () => resolve())),
    next,
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

async function fill(store: JobStore, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await store.create(newJob(`/bench/repo-${i % 10}`));
}

async function drain(backend: QueueRow['backend'], target: string, store: JobStore, workers: number) {
  await fill(store, JOBS);
  const kids = Array.from({ length: workers }, () => child(target, 'drain'));
  await Promise.all(kids.map((k) => k.ready));
  for (const k of kids) k.go();
  const results = (await Promise.all(kids.map((k) => k.next()))).map(
    (l) => JSON.parse(l) as { lat: number[]; start: number; end: number; errors: number; lastError: string },
  );
  await Promise.all(kids.map((k) => k.done));
  const lat = results.flatMap((r) => r.lat);
  const span = Math.max(...results.map((r) => r.end)) - Math.min(...results.map((r) => r.start));
  return {
    backend,
    workers,
    jobs: lat.length,
    claimsPerSecond: lat.length / (span / 1000),
    p50Ms: pct(lat, 50),
    p99Ms: pct(lat, 99),
    errors: results.reduce((n, r) => n + r.errors, 0),
    lastError: results.map((r) => r.lastError).find(Boolean) ?? '',
  } satisfies QueueRow;
}

async function pickup(backend: QueueRow['backend'], target: string, store: JobStore) {
  const k = child(target, 'pickup');
  await k.ready;
  k.go();
  const samples: number[] = [];
  for (let i = 0; i < PICKUPS; i++) {
    // The worker is idle (and, on SQLite, backed off) when the job arrives.
    await new Promise((r) => setTimeout(r, 1500 + Math.random() * 500));
    const job = newJob('/bench/pickup', i === PICKUPS - 1 ? 'last' : 'pickup');
    await store.create(job);
    const created = performance.timeOrigin + performance.now();
    const got = JSON.parse(await k.next()) as { id: string; at: number };
    samples.push(got.at - created);
  }
  await k.done;
  const row = { backend, p50Ms: pct(samples, 50), maxMs: Math.max(...samples) };
  process.stderr.write(`  pickup ${JSON.stringify(row)}\n`);
  return row;
}

export async function benchQueue(): Promise<QueueResult> {
  const env = { ...process.env };
  const window = await portWindowForRun(env);
  const cluster = await startPostgres(window.base + 90, { fsync: true });
  const dir = mkdtempSync(join(tmpdir(), 'factory-bench-queue-'));
  const rows: QueueRow[] = [];
  const pickups: QueueResult['pickup'] = [];
  try {
    for (const backend of ['postgres', 'sqlite'] as const) {
      for (const n of WORKERS) {
        process.stderr.write(`queue: ${backend}, ${n} worker process(es) …\n`);
        const target = backend === 'postgres' ? await cluster.database(`bench_${n}`) : join(dir, `queue-${n}.db`);
        const store = backend === 'postgres' ? openPostgresJobStore(target) : openSqliteJobStore(target);
        try {
          const row = await drain(backend, target, store, n);
          rows.push(row);
          process.stderr.write(`  ${JSON.stringify(row)}\n`);
          if (n === 1) pickups.push(await pickup(backend, target, store));
        } finally {
          await store.close();
        }
      }
    }
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
    await releasePortWindow(window.claim);
  }
  return { rows, pickup: pickups };
}

export function queueTable(r: QueueResult): string {
  const lines = [
    '| store | worker processes | jobs | claims/s | claim p50 | claim p99 | store errors retried |',
    '|---|---|---|---|---|---|---|',
    ...r.rows.map(
      (x) =>
        `| ${x.backend} | ${x.workers} | ${x.jobs} | ${x.claimsPerSecond.toFixed(0)} | ${x.p50Ms.toFixed(1)} ms | ${x.p99Ms.toFixed(1)} ms | ${x.errors}${x.errors ? ` (${x.lastError})` : ''} |`,
    ),
    '',
    '| store | idle worker: job queued → claimed, p50 | worst |',
    '|---|---|---|',
    ...r.pickup.map((p) => `| ${p.backend} | ${p.p50Ms.toFixed(1)} ms | ${p.maxMs.toFixed(1)} ms |`),
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchQueue().then(
    (r) => console.log(queueTable(r)),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
