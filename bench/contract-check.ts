/**
 * How long `factory check` takes on each bad input, the seed sample and the examples (the issue's
 * bar: under 1 s each, no stack trace). Runs the built binary (`npm run build` first), 5 runs each,
 * and prints the median and worst wall time. `tsx bench/contract-check.ts [--json]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/factory.js');
const RUNS = 5;

const big = mkdtempSync(join(tmpdir(), 'factory-bench-'));
const line = `  KEY: "${'x'.repeat(100)}"\n`;
writeFileSync(
  join(big, 'factory.yaml'),
  `name: demo\nenv:\n${line.repeat(Math.ceil((5 * 1024 * 1024) / line.length))}`,
);

const bad = join(root, 'test/fixtures/contract/bad');
const files = [
  ...readdirSync(bad).map((f) => join(bad, f)),
  join(big, 'factory.yaml'),
  join(root, 'test/fixtures/contract/seed-sample/factory.yaml'),
  ...readdirSync(join(root, 'examples'))
    .map((e) => join(root, 'examples', e, 'factory.yaml'))
    .filter((f) => existsSync(f)),
];

const rows: { file: string; exit: number | null; medianMs: number; maxMs: number; stackTrace: boolean }[] = [];
for (const file of files) {
  const times: number[] = [];
  let exit: number | null = null;
  let stackTrace = false;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, 'check', '-f', file], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    times.push(performance.now() - t0);
    exit = r.status;
    stackTrace ||= /\n\s+at .*:\d+:\d+/.test(r.stderr);
  }
  times.sort((a, b) => a - b);
  rows.push({
    file: file.replace(root, '').replace(big, '<5 MB file>'),
    exit,
    medianMs: Math.round(times[Math.floor(RUNS / 2)]!),
    maxMs: Math.round(times[RUNS - 1]!),
    stackTrace,
  });
}
rmSync(big, { recursive: true, force: true });

if (process.argv.includes('--json')) console.log(JSON.stringify({ runs: RUNS, rows }, null, 2));
else {
  for (const r of rows)
    console.log(
      `${String(r.medianMs).padStart(5)} ms median ${String(r.maxMs).padStart(5)} ms max  exit ${r.exit}${r.stackTrace ? '  STACK TRACE' : ''}  ${r.file}`,
    );
  const worst = Math.max(...rows.map((r) => r.maxMs));
  console.log(`worst: ${worst} ms (bar: 1000 ms)`);
}
