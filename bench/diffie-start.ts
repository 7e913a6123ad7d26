/**
 * Diffie benchmarks: time to all-ready for `factory start` vs `dev.sh` (cold and warm), and a
 * no-change `factory setup`. Run by bench/run.ts (`npm run bench`), or alone:
 * `npx tsx bench/diffie-start.ts`.
 *
 * - cold: a fresh instance (no database cluster yet; for dev.sh, its global dir removed). Setup
 *   has run, as a person would after cloning (dependencies installed, template cluster made).
 * - warm: the same instance started again after a stop (cluster exists, schema current).
 * - all-ready: `factory start` returning (every service ready/completed), vs dev.sh printing
 *   "Diffie is ready". Both on a private copy of examples/diffie in a temp dir.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';

export interface Row {
  name: string;
  value: number;
  unit: 'ms' | 'count';
  note?: string;
}

const REPO = fileURLToPath(new URL('..', import.meta.url));
const FACTORY = join(REPO, 'bin', 'factory.js');
const DIFFIE = join(REPO, 'examples', 'diffie');
const RUNS = Number(process.env.BENCH_DIFFIE_RUNS ?? 3);

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

function factory(cwd: string, args: string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, [FACTORY, ...args], { cwd, stdio: 'pipe', env: { ...process.env, NO_COLOR: '1' } });
  return performance.now() - t0;
}

/** Start dev.sh on free ports; resolve with the time until it prints "Diffie is ready", then stop it. */
async function devSh(cwd: string, devHome: string): Promise<number> {
  const ports = {
    POSTGRES_PORT: await getPort(),
    API_PORT: await getPort(),
    REALTIME_PORT: await getPort(),
    WORKER_PORT: await getPort(),
    APP_PORT: await getPort(),
  };
  const env = {
    ...process.env,
    DIFFIE_DEV_HOME: devHome,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  const t0 = performance.now();
  const child = spawn('bash', ['dev.sh'], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  try {
    return await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('Diffie is ready')) resolve(performance.now() - t0);
      });
      child.on('close', (code) => reject(new Error(`dev.sh exited ${code} before ready:\n${out}`)));
    });
  } finally {
    process.kill(-(child.pid as number), 'SIGINT');
    await exited;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export async function benchDiffie(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'factory-bench-diffie-'));
  const rows: Row[] = [];
  try {
    copyDiffie(dir);
    factory(dir, ['setup', '--worktree-id', 'bench']);
    // Alternated with `node -e 0` (A B A B …), so the ratio holds while the machine's load moves.
    const noop: number[] = [];
    const nodes: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      execFileSync(process.execPath, ['-e', '0']);
      nodes.push(performance.now() - t0);
      noop.push(factory(dir, ['setup', '--worktree-id', 'bench']));
    }
    const nodeStart = median(nodes);
    rows.push({
      name: 'diffie: factory setup, nothing changed (CLI wall time)',
      value: median(noop),
      unit: 'ms',
      note: `median of ${noop.length}; node -e 0 alternated with it: ${nodeStart.toFixed(0)} ms → ${(median(noop) / nodeStart).toFixed(2)}×`,
    });

    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const id = `bench-${i}`;
      factory(dir, ['setup', '--worktree-id', id]);
      cold.push(factory(dir, ['start', '--worktree-id', id]));
      factory(dir, ['stop', '--worktree-id', id]);
      warm.push(factory(dir, ['start', '--worktree-id', id]));
      factory(dir, ['stop', '--worktree-id', id]);
      factory(dir, ['clean', '--worktree-id', id]);
    }
    rows.push({
      name: 'diffie: factory start to all-ready, cold',
      value: median(cold),
      unit: 'ms',
      note: `median of ${RUNS}; new instance, template cluster copied`,
    });
    rows.push({
      name: 'diffie: factory start to all-ready, warm',
      value: median(warm),
      unit: 'ms',
      note: `median of ${RUNS}; restart of a stopped instance`,
    });

    const devCold: number[] = [];
    const devWarm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const home = join(dir, `.dev-home-${i}`);
      devCold.push(await devSh(dir, home));
      devWarm.push(await devSh(dir, home));
    }
    rows.push({
      name: 'diffie: dev.sh to ready, cold',
      value: median(devCold),
      unit: 'ms',
      note: `median of ${RUNS}; initdb into its global dir`,
    });
    rows.push({
      name: 'diffie: dev.sh to ready, warm',
      value: median(devWarm),
      unit: 'ms',
      note: `median of ${RUNS}; global dir exists`,
    });
  } finally {
    // A failed run must not leave instances behind: stop every one this bench may have started.
    for (let i = 0; i < RUNS; i++) {
      try {
        factory(dir, ['clean', '--worktree-id', `bench-${i}`]);
      } catch {
        // never started
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of await benchDiffie())
    console.log(`${row.name}: ${row.value.toFixed(0)} ${row.unit}${row.note ? ` (${row.note})` : ''}`);
}
