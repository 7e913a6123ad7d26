/**
 * Sandbox benchmarks. Run by bench/run.ts (`npm run bench`) through `benchSandbox()`, or alone:
 * `npx tsx bench/sandbox-spawn.ts`.
 *
 * - exec `true`: one `sandbox.exec(['true'])` per sample, provider `none` vs `bwrap` (bwrap's
 *   policy includes every bind of a linked worktree, so this is the real per-iteration overhead).
 * - worktree creation: `createWorktree` (merge-to-head) on a repo of 10,000 committed files,
 *   then `remove()`; and the same with `copyToWorktree` of a 2,000-file ignored `node_modules`.
 * - baseline: plain `git worktree add` + `git worktree remove --force` on the same repo, so the
 *   filesystem's own cost (dominant on slow VM disks) is visible next to factory's.
 * Medians of BENCH_SANDBOX_RUNS exec samples (default 20) and BENCH_WORKTREE_RUNS worktree cycles (3).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bwrap } from '../src/sandboxes/providers/bwrap.js';
import { noSandbox } from '../src/sandboxes/providers/none.js';
import { createSandbox } from '../src/sandboxes/sandbox.js';
import { createWorktree } from '../src/sandboxes/worktree.js';
import type { SandboxProvider } from '../src/sandboxes/types.js';

export interface Row {
  name: string;
  value: number;
  unit: 'ms';
  note?: string;
}

const EXEC_RUNS = Number(process.env.BENCH_SANDBOX_RUNS ?? 20);
const WT_RUNS = Number(process.env.BENCH_WORKTREE_RUNS ?? 3);
const IDENTITY = ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function makeRepo(base: string, files: number): string {
  const root = join(base, 'repo');
  mkdirSync(root);
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root });
  for (let i = 0; i < files; i++) {
    const dir = join(root, 'src', `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.ts`), `export const v${i} = ${i};\n`);
  }
  writeFileSync(join(root, '.gitignore'), 'node_modules/\n');
  execFileSync('git', ['add', '-A'], { cwd: root });
  execFileSync('git', [...IDENTITY, 'commit', '-q', '-m', 'bench'], { cwd: root });
  return root;
}

async function execTrue(root: string, provider: SandboxProvider): Promise<number> {
  const wt = await createWorktree({ repo: root, branchStrategy: { type: 'merge-to-head' } });
  const sandbox = await createSandbox({ provider, worktree: wt });
  const samples: number[] = [];
  try {
    await sandbox.exec(['true']); // warm the page cache for bwrap and the dynamic loader
    for (let i = 0; i < EXEC_RUNS; i++) {
      const t0 = performance.now();
      const result = await sandbox.exec(['true']);
      samples.push(performance.now() - t0);
      if (result.exitCode !== 0) throw new Error(`${provider.name}: true exited ${result.exitCode}: ${result.stderr}`);
    }
  } finally {
    await sandbox.close();
    await wt.remove();
  }
  return median(samples);
}

async function worktreeCycle(root: string, copy: string[]): Promise<{ create: number; remove: number }> {
  const creates: number[] = [];
  const removes: number[] = [];
  for (let i = 0; i < WT_RUNS; i++) {
    const t0 = performance.now();
    const wt = await createWorktree({ repo: root, branchStrategy: { type: 'merge-to-head' }, copyToWorktree: copy });
    creates.push(performance.now() - t0);
    const t1 = performance.now();
    const removed = await wt.remove();
    removes.push(performance.now() - t1);
    if (!removed.removed) throw new Error(`worktree not removed: ${JSON.stringify(removed)}`);
  }
  return { create: median(creates), remove: median(removes) };
}

export async function benchSandbox(): Promise<Row[]> {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'factory-bench-sandbox-')));
  const rows: Row[] = [];
  try {
    const small = join(base, 'small');
    mkdirSync(small);
    const smallRoot = makeRepo(small, 10);
    const none = await execTrue(smallRoot, noSandbox());
    const jailed = await execTrue(smallRoot, bwrap());
    rows.push({ name: 'sandbox: exec `true`, none', value: none, unit: 'ms', note: `median of ${EXEC_RUNS}` });
    rows.push({
      name: 'sandbox: exec `true`, bwrap',
      value: jailed,
      unit: 'ms',
      note: `median of ${EXEC_RUNS}; full worktree policy`,
    });

    const big = join(base, 'big');
    mkdirSync(big);
    const bigRoot = makeRepo(big, 10_000);
    // factory's createWorktree and a plain `git worktree add` into the same parent folder
    // (<repo>/.factory/worktrees), alternated A B A B … so a noisy machine moves both alike.
    const raw: number[] = [];
    const creates: number[] = [];
    const removes: number[] = [];
    const parent = join(bigRoot, '.factory', 'worktrees');
    for (let i = 0; i < WT_RUNS; i++) {
      mkdirSync(parent, { recursive: true });
      const t0 = performance.now();
      execFileSync('git', ['worktree', 'add', '-q', '-b', `raw${i}`, join(parent, `raw${i}`)], { cwd: bigRoot });
      raw.push(performance.now() - t0);
      execFileSync('git', ['worktree', 'remove', '--force', join(parent, `raw${i}`)], { cwd: bigRoot });
      const t1 = performance.now();
      const wt = await createWorktree({ repo: bigRoot, branchStrategy: { type: 'merge-to-head' } });
      creates.push(performance.now() - t1);
      const t2 = performance.now();
      const removed = await wt.remove();
      removes.push(performance.now() - t2);
      if (!removed.removed) throw new Error(`worktree not removed: ${JSON.stringify(removed)}`);
    }
    const plain = { create: median(creates), remove: median(removes) };
    rows.push({
      name: 'worktree: plain git worktree add, 10,000 files (baseline)',
      value: median(raw),
      unit: 'ms',
      note: `median of ${WT_RUNS}; into <repo>/.factory/worktrees, alternated with the next row`,
    });
    rows.push({
      name: 'worktree: create, 10,000 files',
      value: plain.create,
      unit: 'ms',
      note: `median of ${WT_RUNS}; git worktree add + checkout; ${(plain.create / median(raw)).toFixed(2)}× the baseline`,
    });
    rows.push({
      name: 'worktree: remove, 10,000 files',
      value: plain.remove,
      unit: 'ms',
      note: `median of ${WT_RUNS}`,
    });
    for (let i = 0; i < 2_000; i++) {
      const dir = join(bigRoot, 'node_modules', `p${Math.floor(i / 50)}`);
      if (i % 50 === 0) mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `m${i}.js`), `module.exports = ${i};\n`);
    }
    const copied = await worktreeCycle(bigRoot, ['node_modules']);
    rows.push({
      name: 'worktree: create + copy node_modules (2,000 files)',
      value: copied.create,
      unit: 'ms',
      note: `median of ${WT_RUNS}; cp -a --reflink=auto`,
    });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const row of await benchSandbox())
    console.log(`${row.name}: ${row.value.toFixed(1)} ${row.unit}${row.note ? ` (${row.note})` : ''}`);
}
