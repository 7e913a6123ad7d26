/**
 * Agent-loop benchmark: time from `factory agent run` (the real binary, spawned) to the agent's
 * first output line, with `--sandbox bwrap` vs `--sandbox none`. The agent is the fake CLI
 * (test/fixtures/agents/fake-agent.mjs) under the name `claude`, printing a marker first thing, so
 * the number is factory's own overhead: node start, preflight (`claude auth status`), worktree
 * creation (merge-to-head), sandbox, spawn, stream parsing — plus the fake's node start (~40 ms).
 * Also: the same with `--no-preflight`, and the whole run to exit.
 *
 * Run by bench/run.ts through `benchAgentFirstOutput()`, or alone: `npx tsx bench/agent-first-output.ts`.
 * Medians of BENCH_AGENT_RUNS samples (default 7).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Row {
  name: string;
  value: number;
  unit: 'ms';
  note?: string;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/factory.js');
const FAKE = join(ROOT, 'test/fixtures/agents/fake-agent.mjs');
const RUNS = Number(process.env.BENCH_AGENT_RUNS ?? 7);
const MARK = 'first-output-mark';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** One `factory agent run --stream`: ms until MARK appears on stderr, and until exit. */
function sample(
  repo: string,
  bin: string,
  sandbox: string,
  extra: string[],
): Promise<{ first: number; total: number }> {
  const prompt = `<fake-script>[{"say":"${MARK}"},{"say":"<promise>COMPLETE</promise>"}]</fake-script>`;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = -1;
    let err = '';
    const child = spawn(
      process.execPath,
      [
        BIN,
        'agent',
        'run',
        '--sandbox',
        sandbox,
        '--mount',
        `${bin}:ro`,
        '--merge-to-head',
        '--stream',
        '--prompt',
        prompt,
        ...extra,
      ],
      {
        cwd: repo,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, NO_COLOR: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (first < 0 && err.includes(MARK)) first = performance.now() - t0;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || first < 0) reject(new Error(`factory agent run exited ${String(code)}: ${err.slice(-2000)}`));
      else resolve({ first, total: performance.now() - t0 });
    });
  });
}

export async function benchAgentFirstOutput(): Promise<Row[]> {
  const base = mkdtempSync(join(tmpdir(), 'factory-bench-agent-'));
  const rows: Row[] = [];
  try {
    const repo = join(base, 'repo');
    mkdirSync(repo);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'bench');
    git('config', 'user.email', 'bench@example.invalid');
    writeFileSync(join(repo, 'README.md'), '# bench\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'init');
    const bin = join(base, 'bin');
    mkdirSync(bin);
    symlinkSync(FAKE, join(bin, 'claude'));
    for (const [sandbox, extra, label] of [
      ['none', [], 'none'],
      ['bwrap', [], 'bwrap'],
      ['none', ['--no-preflight'], 'none, --no-preflight'],
      ['bwrap', ['--no-preflight'], 'bwrap, --no-preflight'],
    ] as const) {
      await sample(repo, bin, sandbox, [...extra]); // warm-up (page cache, first worktree)
      const firsts: number[] = [];
      const totals: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const s = await sample(repo, bin, sandbox, [...extra]);
        firsts.push(s.first);
        totals.push(s.total);
      }
      rows.push({
        name: `agent run → first agent output (${label})`,
        value: median(firsts),
        unit: 'ms',
        note: `median of ${RUNS}`,
      });
      rows.push({
        name: `agent run → exit, whole run (${label})`,
        value: median(totals),
        unit: 'ms',
        note: `median of ${RUNS}; includes worktree removal`,
      });
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of await benchAgentFirstOutput())
    console.log(`${row.name}: ${row.value.toFixed(1)} ${row.unit}${row.note ? ` (${row.note})` : ''}`);
}
