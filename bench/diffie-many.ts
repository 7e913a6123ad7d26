/**
 * Many instances of examples/diffie at once (issue 16): N `factory start`s of one checkout launched
 * together (N = 1, 5, 10), each its own PostgreSQL, migrate, api, worker, realtime, register and
 * app. Per N: time until every start returned ready, every instance healthy by `status`, RSS and
 * PSS of each instance (its supervisor; its services' process groups), then N `factory clean`s at
 * once and a check that nothing is left (no process of any instance alive, no lease, no instance
 * folder, every port bindable). Then larger N (15, 20, …) until one does not come up healthy or
 * BENCH_DIFFIE_MAX is reached: the largest that did, and what stopped the next.
 * Run by bench/run.ts (`npm run bench -- diffie-many`), or alone: `npx tsx bench/diffie-many.ts`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row } from './diffie-start.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const FACTORY = join(REPO, 'bin', 'factory.js');
const DIFFIE = join(REPO, 'examples', 'diffie');
const MAX = Number(process.env.BENCH_DIFFIE_MAX ?? 30);

function copyDiffie(dest: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '.'], {
    cwd: DIFFIE,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    cpSync(join(DIFFIE, f), join(dest, f));
  }
}

function factory(
  cwd: string,
  env: NodeJS.ProcessEnv,
  args: string[],
): Promise<{ code: number | null; ms: number; stdout: string; stderr: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [FACTORY, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => resolve({ code, ms: performance.now() - t0, stdout, stderr }));
  });
}

/** A process's start time (clock ticks since boot), so a recycled pid is not taken for it. */
/**
 * A live process's start time (with its pid, what tells it from a recycled pid); undefined when it
 * is gone or a zombie — exited, and only waiting for init to reap it (this VM's init reaps orphans
 * seconds later, so an exited supervisor shows as `Z` for a while after `clean`).
 */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** pid → process group id, for every process on the machine. */
function groups(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), Number(fields[2]));
    } catch {
      // gone
    }
  }
  return out;
}

/** RSS and PSS of a process in MB (0 when gone). */
function memory(pid: number): { rss: number; pss: number } {
  try {
    const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] ?? 0);
    return { rss: kb('Rss') / 1024, pss: kb('Pss') / 1024 };
  } catch {
    return { rss: 0, pss: 0 };
  }
}

interface Status {
  supervisor: { pid: number };
  services: { name: string; pid: number | null; ports: Record<string, number> }[];
  ports: Record<string, number>;
}

interface Round {
  n: number;
  ok: boolean;
  allReadyMs: number;
  failure?: string;
  supervisorRss: number;
  supervisorPss: number;
  servicesRss: number;
  servicesPss: number;
  cleanMs: number;
  leftover: string[];
  load: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function round(dir: string, env: NodeJS.ProcessEnv, n: number): Promise<Round> {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const ids = Array.from({ length: n }, (_, i) => `m${n}-${i}`);
  const t0 = performance.now();
  const starts = await Promise.all(ids.map((id) => factory(dir, env, ['start', '--worktree-id', id, '--json'])));
  const allReadyMs = performance.now() - t0;
  const failed = starts.findIndex((s) => s.code !== 0);
  let failure: string | undefined;
  if (failed >= 0) {
    const s = starts[failed];
    let msg = s?.stderr ?? '';
    try {
      const j = JSON.parse(s?.stdout ?? '') as { error?: { message?: string } };
      msg = j.error?.message ?? msg;
    } catch {
      // not JSON
    }
    failure = `${ids[failed]}: exit ${s?.code}: ${msg.split('\n').slice(0, 3).join(' ').slice(0, 300)}`;
  }
  const statuses: Status[] = [];
  for (const id of ids) {
    const st = await factory(dir, env, ['status', '--worktree-id', id, '--json']);
    if (st.code !== 0 && !failure) failure = `${id}: status exit ${st.code} after start`;
    try {
      statuses.push(JSON.parse(st.stdout) as Status);
    } catch {
      // not running
    }
  }
  const pg = groups();
  const sup: { rss: number; pss: number }[] = [];
  const svc: { rss: number; pss: number }[] = [];
  const pids = new Map<number, string | undefined>();
  const ports: number[] = [];
  for (const st of statuses) {
    if (!st.supervisor?.pid) continue;
    pids.set(st.supervisor.pid, startTime(st.supervisor.pid));
    sup.push(memory(st.supervisor.pid));
    let rss = 0;
    let pss = 0;
    for (const s of st.services) {
      if (!s.pid) continue;
      for (const [pid, group] of pg) {
        if (group !== s.pid) continue;
        pids.set(pid, startTime(pid));
        const m = memory(pid);
        rss += m.rss;
        pss += m.pss;
      }
    }
    svc.push({ rss, pss });
    ports.push(...Object.values(st.ports ?? {}));
  }
  const t1 = performance.now();
  await Promise.all(ids.map((id) => factory(dir, env, ['clean', '--worktree-id', id])));
  const cleanMs = performance.now() - t1;
  const leftover: string[] = [];
  for (const [pid, started] of pids)
    if (started !== undefined && startTime(pid) === started) leftover.push(`pid ${pid} alive`);
  const leases = join(env.FACTORY_STATE_HOME as string, 'leases.json');
  if (existsSync(leases) && readFileSync(leases, 'utf8').includes(dir)) leftover.push('a lease is left');
  const instances = join(dir, '.factory', 'instances');
  // `m` is the instance `factory setup` ran for (never started): not one of this round's.
  if (existsSync(instances))
    for (const name of readdirSync(instances)) if (ids.includes(name)) leftover.push(`instance folder ${name}`);
  for (const port of ports) if (!(await bindable(port))) leftover.push(`port ${port} not bindable`);
  return {
    n,
    ok: failure === undefined,
    allReadyMs,
    ...(failure ? { failure } : {}),
    supervisorRss: median(sup.map((m) => m.rss)),
    supervisorPss: median(sup.map((m) => m.pss)),
    servicesRss: median(svc.map((m) => m.rss)),
    servicesPss: median(svc.map((m) => m.pss)),
    cleanMs,
    leftover,
    load,
  };
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function benchDiffieMany(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'factory-bench-many-'));
  const state = mkdtempSync(join(tmpdir(), 'factory-bench-many-state-'));
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FACTORY_STATE_HOME: state };
  const rows: Row[] = [];
  const mb = (x: number) => `${x.toFixed(1)} MB`;
  try {
    copyDiffie(dir);
    const setup = await factory(dir, env, ['setup', '--worktree-id', 'm']);
    if (setup.code !== 0) throw new Error(`diffie setup failed: ${setup.stderr}`);
    const rounds: Round[] = [];
    for (const n of [1, 5, 10]) rounds.push(await round(dir, env, n));
    let largest = rounds.filter((r) => r.ok).reduce((m, r) => Math.max(m, r.n), 0);
    let stopped: Round | undefined;
    if (rounds.every((r) => r.ok)) {
      for (let n = 15; n <= MAX; n += 5) {
        const r = await round(dir, env, n);
        rounds.push(r);
        if (!r.ok) {
          stopped = r;
          break;
        }
        largest = n;
      }
    }
    for (const r of rounds) {
      rows.push({
        name: `diffie × ${r.n} at once: all ready${r.ok ? '' : ' (NOT all healthy)'}`,
        value: r.allReadyMs,
        unit: 'ms',
        note: `load ${r.load}; per instance: supervisor RSS ${mb(r.supervisorRss)} (PSS ${mb(r.supervisorPss)}), services RSS ${mb(r.servicesRss)} (PSS ${mb(r.servicesPss)}); clean of all ${r.n}: ${r.cleanMs.toFixed(0)} ms, ${r.leftover.length ? `LEFT: ${r.leftover.slice(0, 5).join(', ')}` : 'nothing left'}${r.failure ? `; failed: ${r.failure}` : ''}`,
      });
    }
    rows.push({
      name: 'diffie: most instances at once that all came up healthy',
      value: largest,
      unit: 'count',
      note: stopped
        ? `${stopped.n} did not: ${stopped.failure ?? 'status'}`
        : `tried up to ${Math.min(MAX, rounds.at(-1)?.n ?? 0)} (BENCH_DIFFIE_MAX)`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of await benchDiffieMany())
    console.log(`${row.name}: ${row.value.toFixed(0)}${row.note ? ` (${row.note})` : ''}`);
}
