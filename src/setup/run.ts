/**
 * `factory setup`'s engine: run the contract's setup steps in order for one instance, skipping a
 * step whose fingerprint (./fingerprint.ts) matches its last successful run and whose declared
 * outputs all exist. Emits events; the command renders them (human or --json).
 *
 * Steps write into the checkout (node_modules, env files), which every instance of the checkout
 * shares, so one checkout runs one setup at a time: a lock on `<root>/.factory/setup.lock`.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { resolveEnvMap } from '../contract/light.js';
import type { Contract, SetupStep } from '../contract/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { setupEnv, type SetupInstance } from './env.js';
import { fingerprintStep } from './fingerprint.js';
import { runCommand } from './run-command.js';
import { readSetupState, writeSetupState } from './state.js';

export type SetupStepStatus = 'ran' | 'skipped' | 'failed' | 'not-run';

export interface SetupStepResult {
  name: string;
  status: SetupStepStatus;
  /** Why it ran or was skipped ("inputs unchanged", "output missing: .dev.vars", …). */
  reason: string;
  durationMs: number;
  exitCode: number | null;
  /** Input files fingerprinted. */
  inputFiles: number;
  log: string | null;
  /** Last lines of output when the step failed. */
  tail?: string;
}

export interface SetupResult {
  ok: boolean;
  worktreeId: string;
  stateDir: string;
  steps: SetupStepResult[];
  /** Contract env entries not available to setup (they need a port lease). */
  unavailableEnv: string[];
  durationMs: number;
}

export type SetupEvent =
  | { type: 'step-start'; step: string; reason: string }
  | { type: 'step-output'; step: string; chunk: string }
  | { type: 'step-end'; result: SetupStepResult };

export interface RunSetupOptions {
  contract: Contract;
  instance: SetupInstance;
  /** Run every step even when its fingerprint matches. */
  force?: boolean;
  onEvent?: (event: SetupEvent) => void;
  signal?: AbortSignal;
  processEnv?: NodeJS.ProcessEnv;
}

/** Why a step must run, or undefined when it can be skipped. */
function needsRun(
  step: SetupStep,
  root: string,
  previous: string | undefined,
  current: string,
  force: boolean,
): string | undefined {
  if (force) return 'forced';
  if (step.inputs.length === 0) return 'no inputs declared (always runs)';
  if (previous === undefined) return 'never ran';
  if (previous !== current) return 'inputs or definition changed';
  const missing = step.outputs.find((o) => !existsSync(resolve(root, o)));
  if (missing !== undefined) return `output missing: ${missing}`;
  return undefined;
}

/** The fingerprint of every step and whether it must run, computed without running anything. */
async function decide(
  opts: RunSetupOptions,
  base: Record<string, string>,
  recorded: Record<string, { fingerprint: string }>,
) {
  const { contract } = opts;
  return Promise.all(
    contract.setup.map(async (step) => {
      const own = resolveEnvMap(step.env, base);
      const fp = await fingerprintStep(contract.root, step, own);
      const reason = needsRun(step, contract.root, recorded[step.name]?.fingerprint, fp.hash, opts.force === true);
      return { step, own, fp, reason };
    }),
  );
}

function skippedResult(step: SetupStep, files: number, durationMs: number): SetupStepResult {
  return {
    name: step.name,
    status: 'skipped',
    reason: `inputs unchanged (${files} file${files === 1 ? '' : 's'})`,
    durationMs,
    exitCode: null,
    inputFiles: files,
    log: null,
  };
}

export async function runSetup(opts: RunSetupOptions): Promise<SetupResult> {
  const { contract, instance } = opts;
  const started = Date.now();
  const emit = opts.onEvent ?? (() => {});
  const { env: base, skipped } = setupEnv(contract, instance, opts.processEnv);
  const done = (steps: SetupStepResult[], ok: boolean): SetupResult => ({
    ok,
    worktreeId: instance.worktreeId,
    stateDir: instance.stateDir,
    steps,
    unavailableEnv: skipped,
    durationMs: Date.now() - started,
  });

  // Fast path, no lock: when nothing has to run, a consistent read of the records is enough.
  const first = await decide(opts, base, (await readSetupState(instance.stateDir)).steps);
  if (first.every((d) => d.reason === undefined)) {
    const results = first.map((d) => skippedResult(d.step, d.fp.files, Date.now() - started));
    for (const result of results) emit({ type: 'step-end', result });
    return done(results, true);
  }

  const factoryDir = join(contract.root, '.factory');
  await mkdir(factoryDir, { recursive: true });
  const { default: lockfile } = await import('proper-lockfile');
  const release = await lockfile.lock(factoryDir, {
    lockfilePath: join(factoryDir, 'setup.lock'),
    retries: { retries: 1200, minTimeout: 25, maxTimeout: 500 },
    stale: 20_000,
  });
  try {
    // Under the lock, decide again: another setup of this checkout may just have run the steps.
    const state = await readSetupState(instance.stateDir);
    const results: SetupStepResult[] = [];
    let failed = false;
    for (const step of contract.setup) {
      if (failed || opts.signal?.aborted) {
        results.push({
          name: step.name,
          status: 'not-run',
          reason: failed ? 'an earlier step failed' : 'interrupted',
          durationMs: 0,
          exitCode: null,
          inputFiles: 0,
          log: null,
        });
        continue;
      }
      const stepStarted = Date.now();
      const own = resolveEnvMap(step.env, base);
      const fp = await fingerprintStep(contract.root, step, own);
      const reason = needsRun(step, contract.root, state.steps[step.name]?.fingerprint, fp.hash, opts.force === true);
      if (reason === undefined) {
        const result = skippedResult(step, fp.files, Date.now() - stepStarted);
        results.push(result);
        emit({ type: 'step-end', result });
        continue;
      }
      emit({ type: 'step-start', step: step.name, reason });
      const logFile = join(instance.stateDir, 'logs', `setup-${step.name}.log`);
      const run = await runCommand({
        command: step.command,
        cwd: resolve(contract.root, step.cwd),
        env: { ...base, ...own },
        timeoutMs: step.timeoutMs,
        logFile,
        onOutput: (chunk) => emit({ type: 'step-output', step: step.name, chunk }),
        signal: opts.signal,
      });
      const missingOutput = step.outputs.find((o) => !existsSync(resolve(contract.root, o)));
      const ok = run.outcome === 'exited' && run.exitCode === 0 && missingOutput === undefined;
      const result: SetupStepResult = {
        name: step.name,
        status: ok ? 'ran' : 'failed',
        reason: ok ? reason : failureReason(run, missingOutput, step),
        durationMs: Date.now() - stepStarted,
        exitCode: run.exitCode,
        inputFiles: fp.files,
        log: logFile,
        ...(ok ? {} : { tail: run.tail }),
      };
      results.push(result);
      emit({ type: 'step-end', result });
      if (ok) {
        // The fingerprint taken before the run is the one stored: an input edited while the step
        // ran, or rewritten by the step itself (a lockfile), makes the next setup run it again
        // rather than trust a state the step never saw.
        state.steps[step.name] = {
          fingerprint: fp.hash,
          finishedAt: new Date().toISOString(),
          durationMs: result.durationMs,
        };
      } else {
        delete state.steps[step.name];
        failed = true;
      }
      await writeSetupState(instance.stateDir, state);
    }
    if (opts.signal?.aborted) {
      throw new FactoryFailure('interrupted', 'setup was interrupted', { exitCode: ExitCode.interrupted });
    }
    return done(results, !failed);
  } finally {
    await release();
  }
}

function failureReason(
  run: Awaited<ReturnType<typeof runCommand>>,
  missingOutput: string | undefined,
  step: SetupStep,
): string {
  switch (run.outcome) {
    case 'timed-out':
      return `timed out after ${step.timeoutMs} ms`;
    case 'interrupted':
      return 'interrupted';
    case 'spawn-error':
      return `could not start: ${run.error ?? 'unknown error'}`;
    case 'exited':
      if (run.exitCode !== 0) return run.signal ? `killed by ${run.signal}` : `exited with code ${run.exitCode}`;
      return `exited 0 but did not produce its declared output ${missingOutput}`;
  }
}
