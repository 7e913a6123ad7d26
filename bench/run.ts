/**
 * `npm run bench`: runtime benchmarks on this machine (not tests: figures go to
 * docs/performance.md). Builds dist/, then measures with the real binary:
 *   1. `factory status --json` latency vs `node -e 0`
 *   2. `start` wall time of a synthetic graph (chain + fan-out) vs its critical path
 *   3. readiness detection latency per check kind (port opened → ready recorded)
 *   4. `stop` time and supervisor RSS
 *   5. ten instances started at once
 * then the other areas' benchmarks (each exports a function returning rows):
 *   6. diffie: `factory start` vs dev.sh to all-ready, cold and warm; no-op `factory setup`
 *   7. sandboxes: exec overhead none vs bwrap; worktree creation on a 10,000-file repo
 *   8. agents: `factory agent run` to the agent's first output, bwrap vs none
 *   9. contract: `factory check` on every bad input, the seed sample and the examples
 *  10. jobs: `factory job run` on diffie to the builder's first output and to ready for review, and the overhead
 *  11. queue: the job store alone (no-op stages), claims/s and claim latency with 1, 4, 16 worker
 *      processes on PostgreSQL and on SQLite, and an idle worker's pickup latency
 * `npm run bench -- runtime diffie` runs only the named sections.
 */
import { execFileSync, spawn } from 'node:child_process';
import { benchAgentFirstOutput } from './agent-first-output.js';
import { benchJob } from './job.js';
import { benchQueue, queueTable } from './queue.js';
import { benchDiffie } from './diffie-start.js';
import { benchSandbox } from './sandbox-spawn.js';
import { portWindowForRun, releasePortWindow } from '../test/helpers/port-window.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/factory.js');
const SVC = join(ROOT, 'test/fixtures/services/svc.mjs');
const STATE = mkdtempSync(join(tmpdir(), 'factory-bench-state-'));
const env: NodeJS.ProcessEnv = { ...process.env, FACTORY_STATE_HOME: STATE, NO_COLOR: '1' };
// The runtime sections' ports: a window claimed like a test run's (test/helpers/port-window.ts), so
// a bench never shares ports with a test run or with real instances. Set in main().
let BASE = 0;
let claim = '';
const rows: [string, string, string, string][] = [];
const dirs: string[] = [];

const svc = (...flags: (string | number)[]) =>
  `[node, ${JSON.stringify(SVC)}, ${flags.map((f) => JSON.stringify(String(f))).join(', ')}]`;

function run(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; ms: number; stdout: string; stderr: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => resolve({ code, ms: performance.now() - t0, stdout, stderr }));
  });
}

function timeNode(args: string[]): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) =>
    spawn(process.execPath, args, { stdio: 'ignore' }).on('close', () => resolve(performance.now() - t0)),
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

function project(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'factory-bench-'));
  writeFileSync(join(dir, 'factory.yaml'), yaml);
  dirs.push(dir);
  return dir;
}

async function must<T extends { code: number | null; stderr: string; stdout: string }>(
  p: Promise<T>,
  what: string,
): Promise<T> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r;
}

async function statusLatency(): Promise<void> {
  const dir = project(
    `name: b1\nports: [api]\nservices:\n  api:\n    command: ${svc('--listen', 'API_PORT')}\n    port: api\n    healthcheck: { tcp: api }\n`,
  );
  await must(run(['start', '--worktree-id', 's', '--port-range', String(BASE)], dir), 'start');
  const N = 25;
  const node: number[] = [];
  const status: number[] = [];
  for (let i = 0; i < N; i++) {
    node.push(await timeNode(['-e', '0']));
    status.push((await run(['status', '--worktree-id', 's', '--json'], dir)).ms);
  }
  const ratio = median(status) / median(node);
  rows.push([
    '`status --json` latency (median of 25)',
    ms(median(status)),
    `node -e 0: ${ms(median(node))} → ${ratio.toFixed(2)}×`,
    '≤ 1.5×',
  ]);
  const stop = await must(run(['stop', '--worktree-id', 's'], dir), 'stop');
  void stop;
}

/** Chain a(300) → b(300) → c(300), and fan-out d, e, f (each 300) after a: critical path a→b→c. */
async function startOverhead(): Promise<void> {
  const D = 300;
  const s = (name: string, port: string, dep?: string) =>
    `  ${name}:\n    command: ${svc('--listen', `${port.toUpperCase()}_PORT`, '--delay', D)}\n    port: ${port}\n    healthcheck: { tcp: ${port} }\n${dep ? `    depends_on: { ${dep}: healthy }\n` : ''}`;
  const dir = project(
    `name: b2\nports: [a, b, c, d, e, f]\nservices:\n${s('a', 'a')}${s('b', 'b', 'a')}${s('c', 'c', 'b')}${s('d', 'd', 'a')}${s('e', 'e', 'a')}${s('f', 'f', 'a')}`,
  );
  const boots: number[] = [];
  for (let i = 0; i < 5; i++) boots.push(await timeNode([SVC, '--exit', '0']));
  const nodeBoot = median(boots);
  const walls: number[] = [];
  const stops: number[] = [];
  let rss = 0;
  for (let i = 0; i < 3; i++) {
    const r = await must(run(['start', '--worktree-id', 'g', '--port-range', String(BASE + 100)], dir), 'start');
    walls.push(r.ms);
    const st = JSON.parse((await run(['status', '--worktree-id', 'g', '--json'], dir)).stdout);
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${st.supervisor.pid}/status`, 'utf8'));
    rss = Math.max(rss, Number(m?.[1] ?? 0) / 1024);
    stops.push((await must(run(['stop', '--worktree-id', 'g'], dir), 'stop')).ms);
  }
  const critical = 3 * (D + nodeBoot);
  const wall = median(walls);
  rows.push([
    '`start` wall time, 6 services (chain of 3 × 300 ms + fan-out of 3)',
    ms(wall),
    `critical path 3 × (300 ms + ${ms(nodeBoot)} node boot) = ${ms(critical)} → ${(wall / critical).toFixed(2)}×, overhead ${ms(wall - critical)}`,
    '≤ 1.05× + 100 ms',
  ]);
  rows.push(['`stop` of that instance (6 services)', ms(median(stops)), 'signal → exit → ports confirmed free', '—']);
  rows.push([
    'supervisor RSS (6 services ready)',
    `${rss.toFixed(1)} MB`,
    'VmRSS of the supervisor process',
    '< 60 MB',
  ]);
}

async function readiness(): Promise<void> {
  const kinds: [string, string, boolean][] = [
    ['http', 'http: "http://127.0.0.1:${API_PORT}/health"', false],
    ['http (silent service)', 'http: "http://127.0.0.1:${API_PORT}/health"', true],
    ['tcp', 'tcp: api', false],
    ['tcp (silent service)', 'tcp: api', true],
    // The command kind's latency includes the probe's own run time: a bash /dev/tcp probe (~2 ms)
    // shows factory's detection; a node probe (~80 ms process start) shows what a heavy probe costs.
    ['command (bash /dev/tcp probe)', 'command: [bash, -c, "exec 3<>/dev/tcp/127.0.0.1/$API_PORT"]', false],
    [
      'command (node probe)',
      "command: [node, -e, \"require('net').connect(process.env.API_PORT, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))\"]",
      false,
    ],
    ['log', 'log: "listening on"', false],
  ];
  let slot = 0;
  for (const [name, check, quiet] of kinds) {
    const lat: number[] = [];
    for (let i = 0; i < 5; i++) {
      const dir = project('');
      const stamp = join(dir, 'stamp');
      writeFileSync(
        join(dir, 'factory.yaml'),
        `name: b3\nports: [api]\nservices:\n  api:\n    command: ${svc('--listen', 'API_PORT', '--delay', 400, '--stamp', stamp, ...(quiet ? ['--quiet'] : []))}\n    port: api\n    healthcheck: { ${check} }\n`,
      );
      await must(
        run(['start', '--worktree-id', 'r', '--port-range', String(BASE + 200 + slot * 10)], dir),
        `start ${name}`,
      );
      const st = JSON.parse((await run(['status', '--worktree-id', 'r', '--json'], dir)).stdout);
      lat.push(Date.parse(st.services[0].readyAt) - Number(readFileSync(stamp, 'utf8')));
      await must(run(['stop', '--worktree-id', 'r'], dir), 'stop');
    }
    slot++;
    rows.push([
      `readiness latency: ${name}`,
      ms(median(lat)),
      `port opened (400 ms after spawn) → ready recorded; min ${ms(Math.min(...lat))}, max ${ms(Math.max(...lat))}`,
      '< 20 ms',
    ]);
  }
}

async function tenInstances(): Promise<void> {
  const dir = project(
    `name: b4\nports: [api, web]\nservices:\n  api:\n    command: ${svc('--listen', 'API_PORT')}\n    port: api\n    healthcheck: { tcp: api }\n  web:\n    command: ${svc('--listen', 'WEB_PORT')}\n    port: web\n    depends_on: { api: healthy }\n    healthcheck: { http: "http://127.0.0.1:\${WEB_PORT}/health" }\n`,
  );
  const one = (await must(run(['start', '--worktree-id', 'solo', '--port-range', String(BASE + 400)], dir), 'start'))
    .ms;
  await must(run(['clean', '--worktree-id', 'solo'], dir), 'clean');
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      must(
        run(['start', '--worktree-id', `i${i}`, '--port-range', String(BASE + 400), '--move-ports'], dir),
        `start i${i}`,
      ),
    ),
  );
  const all = performance.now() - t0;
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, (_, i) => must(run(['clean', '--worktree-id', `i${i}`], dir), `clean i${i}`)),
  );
  rows.push([
    '10 instances (2 services each) started at once',
    ms(all),
    `one alone: ${ms(one)}; all 10 cleaned in ${ms(performance.now() - t1)}`,
    '—',
  ]);
}

async function main(): Promise<void> {
  process.stderr.write('building dist/ …\n');
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  } catch {
    // emitted anyway (another area's type error must not stop the runtime bench)
  }
  const cpus = (await import('node:os')).cpus().length;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const want = (section: string) => wanted.length === 0 || wanted.includes(section);
  console.log(`Node ${process.version}, ${cpus} CPUs, load average before: ${load}, ${new Date().toISOString()}\n`);
  if (want('runtime')) {
    const window = await portWindowForRun(env);
    BASE = window.base;
    claim = window.claim;
    for (const [name, fn] of [
      ['status', statusLatency],
      ['start overhead', startOverhead],
      ['readiness', readiness],
      ['ten instances', tenInstances],
    ] as const) {
      process.stderr.write(`${name} …\n`);
      await fn();
    }
    console.log('## runtime\n\n| measure | result | detail | goal |\n|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  }
  for (const [section, fn] of [
    ['diffie', benchDiffie],
    ['sandbox', benchSandbox],
    ['agent', benchAgentFirstOutput],
    ['job', benchJob],
  ] as const) {
    if (!want(section)) continue;
    process.stderr.write(`${section} …\n`);
    const out = await fn();
    console.log(`\n## ${section}\n\n| measure | median | note |\n|---|---|---|`);
    for (const r of out) console.log(`| ${r.name} | ${ms(r.value)} | ${r.note ?? ''} |`);
  }
  if (want('queue')) {
    process.stderr.write('queue …\n');
    console.log(`\n## queue\n\n${queueTable(await benchQueue())}`);
  }
  if (want('contract')) {
    process.stderr.write('contract …\n');
    const out = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/contract-check.ts'), '--json'], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 16 << 20,
      }),
    ) as { rows: { file: string; exit: number | null; medianMs: number; maxMs: number; stackTrace: boolean }[] };
    console.log('\n## contract\n\n| `factory check` on | exit | median | worst | stack trace |\n|---|---|---|---|---|');
    for (const r of out.rows)
      console.log(
        `| ${r.file.startsWith(ROOT) ? r.file.slice(ROOT.length) : '(temp dir) 5 MB factory.yaml'} | ${r.exit} | ${ms(r.medianMs)} | ${ms(r.maxMs)} | ${r.stackTrace ? 'yes' : 'no'} |`,
      );
  }
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    rmSync(STATE, { recursive: true, force: true });
    await releasePortWindow(claim);
  });
