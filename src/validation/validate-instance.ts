/**
 * `validateInstance`: what `factory validate` does, as one library call for other layers (the agent
 * loop attaches its evidence to a PR) — load the contract, pick the scenarios, read the running
 * instance, check it can be validated, then run. Failures before the browser starts are
 * FactoryFailures (exit 2 for bad input, 3 when the instance or a tool is not there).
 */
import { DEFAULTS, loadContract, resolveTemplate, type Scenario, type ValidationSpec } from '../contract/index.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { readInstance } from './instance.js';
import { checkAnswers, checkNeeds, notRunning } from './preflight.js';
import { runValidation } from './run.js';
import { selectScenarios } from './select.js';
import type { ValidationEvent, ValidationReport } from './types.js';

export interface ValidateInstanceOptions {
  /** Where to look for factory.yaml (default: process.cwd()). */
  cwd?: string;
  /** An explicit contract file, relative to cwd. */
  file?: string;
  worktreeId?: string;
  /** Scenario names; empty = all (before `feature` filters). */
  scenarios?: string[];
  feature?: string;
  /** Also write .mp4 videos, whatever the contract says. */
  mp4?: boolean;
  /**
   * Scenarios to run after the contract's selected ones (a job's feature scenario, built from the
   * planner's steps). With these, a contract without scenarios is fine.
   */
  extraScenarios?: Scenario[];
  /** Parent of the run directory; default `<root>/.factory/artifacts`. */
  artifactsDir?: string;
  env?: NodeJS.ProcessEnv;
  onEvent?: (event: ValidationEvent) => void;
  /** Abort closes the browser and rejects with `aborted` (see runValidation). */
  signal?: AbortSignal;
}

export async function validateInstance(opts: ValidateInstanceOptions = {}): Promise<ValidationReport> {
  const env = opts.env ?? process.env;
  const contract = await loadContract({
    ...(opts.file !== undefined ? { file: opts.file } : {}),
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    env,
  });
  const spec = contract.validation;
  const extra = opts.extraScenarios ?? [];
  if ((!spec || spec.scenarios.length === 0) && extra.length === 0) {
    throw new FactoryFailure('no-scenarios', `${contract.file} declares no validation scenarios`, {
      exitCode: ExitCode.invalid,
      hint: 'add validation.scenarios (docs/validation.md)',
    });
  }
  const selected =
    spec && spec.scenarios.length > 0
      ? selectScenarios(spec.scenarios, {
          names: opts.scenarios ?? [],
          ...(opts.feature !== undefined ? { feature: opts.feature } : {}),
        })
      : [];
  const scenarios = [...selected, ...extra];
  const browser: Omit<ValidationSpec, 'scenarios'> = spec ?? {
    recordVideo: true,
    mp4: false,
    viewport: { ...DEFAULTS.viewport },
  };

  const instance = await readInstance(contract, { worktreeId: opts.worktreeId, env });
  if (!instance.running) throw notRunning(instance.worktreeId, opts.file, instance.phase);
  checkNeeds(instance, scenarios, opts.file);
  const startUrls = [...new Set(scenarios.map((s) => resolveTemplate(s.startUrl, instance.env)))];
  for (const url of startUrls) await checkAnswers(url, instance.worktreeId, opts.file);

  return runValidation({
    root: contract.root,
    worktreeId: instance.worktreeId,
    scenarios,
    browser: {
      recordVideo: browser.recordVideo,
      viewport: browser.viewport,
      ...(browser.startUrl !== undefined ? { startUrl: browser.startUrl } : {}),
      mp4: browser.mp4 || opts.mp4 === true,
    },
    ...(opts.artifactsDir !== undefined ? { artifactsDir: opts.artifactsDir } : {}),
    urls: instance.urls,
    env: instance.env,
    processEnv: env,
    ...(opts.feature !== undefined ? { feature: opts.feature } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
