/**
 * `factory test`'s engine: run the selected suites of the contract against one instance.
 *
 * Services a suite `needs` that are not ready are started first (with their dependencies) and the
 * instance is stopped again afterwards, but only when this run started it: a developer's running
 * instance is left as it was. Every suite runs even when an earlier one fails, so one run reports
 * everything. Results go to `<root>/.factory/artifacts/<run id>/`: one directory per suite (output
 * log, JUnit reports) and `summary.json` (the same document `--json` prints).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Contract } from '../contract/index.js';
import { withEnv } from '../contract/light.js';
import { ExitCode, FactoryFailure, isFactoryFailure } from '../lib/failure.js';
import type { InstanceRef } from '../setup/index.js';
import { setupEnv } from '../setup/light.js';
import type { InstanceControl } from './control.js';
import { newRunId } from './run-id.js';
import { runSuite, type SuiteResult } from './run-suite.js';
import { neededServices, selectSuites } from './select.js';

export interface TestRunResult {
  ok: boolean;
  runId: string;
  worktreeId: string;
  artifactsDir: string;
  suites: SuiteResult[];
  /** Services this run had to start (then stopped with the instance). */
  startedServices: string[];
  totals: { suites: number; passed: number; failed: number; tests: number; testsFailed: number };
  durationMs: number;
}

export type TestEvent =
  | { type: 'run-start'; runId: string; artifactsDir: string; suites: string[] }
  | { type: 'services-start'; services: string[] }
  | { type: 'services-ready'; services: string[]; durationMs: number }
  | { type: 'suite-start'; suite: string }
  | { type: 'suite-output'; suite: string; chunk: string }
  | { type: 'suite-end'; result: SuiteResult }
  | { type: 'services-stop' };

export interface RunTestsOptions {
  contract: Contract;
  instance: InstanceRef;
  suites: string[];
  control: InstanceControl;
  onEvent?: (e: TestEvent) => void;
  signal?: AbortSignal;
  processEnv?: NodeJS.ProcessEnv;
}

export async function runTests(opts: RunTestsOptions): Promise<TestRunResult> {
  const { contract, instance, control } = opts;
  const emit = opts.onEvent ?? (() => {});
  const started = Date.now();
  const suites = selectSuites(contract, opts.suites);
  const needs = neededServices(contract, suites);
  const runId = newRunId(instance.worktreeId);
  const artifactsDir = join(contract.root, '.factory', 'artifacts', runId);
  await mkdir(artifactsDir, { recursive: true });
  emit({ type: 'run-start', runId, artifactsDir, suites: suites.map((s) => s.name) });

  let startedServices: string[] = [];
  let weStartedInstance = false;
  const results: SuiteResult[] = [];
  try {
    if (needs.length > 0) {
      const ready = await control.readyServices();
      const missing = needs.filter((s) => !ready.has(s));
      if (missing.length > 0) {
        weStartedInstance = !(await control.isRunning());
        emit({ type: 'services-start', services: missing });
        const t0 = Date.now();
        try {
          await control.start(missing, opts.signal);
        } catch (error) {
          throw servicesFailed(error, missing, artifactsDir);
        }
        startedServices = missing;
        emit({ type: 'services-ready', services: missing, durationMs: Date.now() - t0 });
      }
    }
    const base = (await control.env()) ?? setupEnv(contract, instance, opts.processEnv).env;
    for (const suite of suites) {
      if (opts.signal?.aborted) {
        results.push({
          name: suite.name,
          status: 'not-run',
          reason: 'interrupted',
          exitCode: null,
          durationMs: 0,
          tests: null,
          reports: [],
          log: null,
        });
        continue;
      }
      const dir = join(artifactsDir, suite.name);
      const env = {
        ...withEnv(suite.env, base),
        FACTORY_TEST_RUN_ID: runId,
        FACTORY_TEST_SUITE: suite.name,
        FACTORY_REPORT_DIR: dir,
      };
      emit({ type: 'suite-start', suite: suite.name });
      const result = await runSuite({
        suite,
        root: contract.root,
        env,
        dir,
        onOutput: (chunk) => emit({ type: 'suite-output', suite: suite.name, chunk }),
        signal: opts.signal,
      });
      results.push(result);
      emit({ type: 'suite-end', result });
    }
  } finally {
    if (weStartedInstance) {
      emit({ type: 'services-stop' });
      await control.stop();
    }
  }
  const passed = results.filter((r) => r.status === 'passed').length;
  const result: TestRunResult = {
    ok: passed === results.length,
    runId,
    worktreeId: instance.worktreeId,
    artifactsDir,
    suites: results,
    startedServices,
    totals: {
      suites: results.length,
      passed,
      failed: results.length - passed,
      tests: results.reduce((n, r) => n + (r.tests?.tests ?? 0), 0),
      testsFailed: results.reduce((n, r) => n + (r.tests?.failed ?? 0), 0),
    },
    durationMs: Date.now() - started,
  };
  await writeFile(join(artifactsDir, 'summary.json'), `${JSON.stringify({ schemaVersion: 1, ...result }, null, 2)}\n`);
  if (opts.signal?.aborted)
    throw new FactoryFailure('interrupted', 'tests were interrupted', { exitCode: ExitCode.interrupted });
  return result;
}

function servicesFailed(error: unknown, services: string[], artifactsDir: string): FactoryFailure {
  const message = error instanceof Error ? error.message : String(error);
  return new FactoryFailure(
    'test-services-failed',
    `could not start ${services.join(', ')} for the tests: ${message}`,
    {
      // The suites could not run: a precondition, not a test result (interrupted stays interrupted).
      exitCode:
        isFactoryFailure(error) && error.exitCode === ExitCode.interrupted
          ? ExitCode.interrupted
          : ExitCode.unavailable,
      hint: isFactoryFailure(error) ? error.hint : 'see "factory status" and "factory logs"',
      diagnostics: isFactoryFailure(error) ? error.diagnostics : [],
      details: { ...(isFactoryFailure(error) ? error.details : {}), artifactsDir },
    },
  );
}
