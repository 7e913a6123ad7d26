/**
 * Run one test suite: its commands in order (the first failure stops it) with the instance's
 * environment, output to `<run dir>/<suite>/output.log`, then its reports gathered into the same
 * directory and counted. Suites write reports either straight into `$FACTORY_REPORT_DIR` (that
 * directory) or anywhere under their cwd, declared as `reports:` globs, which are copied in.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import type { TestSuite } from '../contract/index.js';
import type { CommandRun } from '../setup/index.js';
import { runCommand } from '../setup/light.js';
import { addCounts, countJunit, type JunitCounts } from './junit.js';

export type SuiteStatus = 'passed' | 'failed' | 'timed-out' | 'interrupted' | 'error' | 'not-run';

export interface SuiteResult {
  name: string;
  status: SuiteStatus;
  reason: string;
  exitCode: number | null;
  durationMs: number;
  /** Counts from the suite's JUnit reports; null when it wrote none. */
  tests: JunitCounts | null;
  /** Report files in the run directory. */
  reports: string[];
  log: string | null;
  tail?: string;
}

export interface RunSuiteOptions {
  suite: TestSuite;
  root: string;
  env: Record<string, string>;
  /** `<run dir>/<suite>`. */
  dir: string;
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
}

export async function runSuite(opts: RunSuiteOptions): Promise<SuiteResult> {
  const { suite, dir } = opts;
  const started = Date.now();
  await mkdir(dir, { recursive: true });
  const log = join(dir, 'output.log');
  const cwd = resolve(opts.root, suite.cwd);
  let last: CommandRun | undefined;
  for (const [i, command] of suite.commands.entries()) {
    const remaining = suite.timeoutMs - (Date.now() - started);
    last = await runCommand({
      command,
      cwd,
      env: opts.env,
      timeoutMs: Math.max(1, remaining),
      logFile: log,
      appendLog: i > 0,
      onOutput: opts.onOutput,
      signal: opts.signal,
    });
    if (last.outcome !== 'exited' || last.exitCode !== 0) break;
  }
  const reports = await gatherReports(suite, cwd, dir);
  let tests: JunitCounts | null = null;
  for (const file of reports.filter((f) => f.endsWith('.xml'))) {
    const counts = countJunit(await readFile(file, 'utf8'));
    tests = tests ? addCounts(tests, counts) : counts;
  }
  const { status, reason } = verdict(last, suite, tests);
  return {
    name: suite.name,
    status,
    reason,
    exitCode: last?.exitCode ?? null,
    durationMs: Date.now() - started,
    tests,
    reports,
    log,
    ...(status === 'passed' ? {} : { tail: last?.tail ?? '' }),
  };
}

async function gatherReports(suite: TestSuite, cwd: string, dir: string): Promise<string[]> {
  if (suite.reports.length > 0) {
    const found = await glob(suite.reports, { cwd, absolute: true, onlyFiles: true, dot: true });
    for (const file of found) await copyFile(file, join(dir, basename(file)));
  }
  const inDir = await glob(['**/*'], { cwd: dir, absolute: true, onlyFiles: true, ignore: ['output.log'] });
  return inDir.sort();
}

function verdict(
  run: CommandRun | undefined,
  suite: TestSuite,
  tests: JunitCounts | null,
): { status: SuiteStatus; reason: string } {
  if (!run) return { status: 'error', reason: 'the suite has no commands' };
  switch (run.outcome) {
    case 'timed-out':
      return { status: 'timed-out', reason: `timed out after ${suite.timeoutMs} ms` };
    case 'interrupted':
      return { status: 'interrupted', reason: 'interrupted' };
    case 'spawn-error':
      return { status: 'error', reason: `could not start: ${run.error ?? 'unknown error'}` };
    case 'exited':
      if (run.exitCode === 0) {
        // A runner that exits 0 while its report lists failures is not trusted to have passed.
        if (tests && tests.failed > 0)
          return { status: 'failed', reason: `exited 0 but its report has ${tests.failed} failed test(s)` };
        return { status: 'passed', reason: tests ? `${tests.passed} passed, ${tests.skipped} skipped` : 'exited 0' };
      }
      return {
        status: 'failed',
        reason:
          tests && tests.failed > 0
            ? `${tests.failed} of ${tests.tests} tests failed`
            : run.signal
              ? `killed by ${run.signal}`
              : `exited with code ${run.exitCode}`,
      };
  }
}
