/**
 * Running the contract's tests in the PRD's worktree after each task, through the `factory test`
 * library (src/test-suites/run.ts): every suite of the worktree's `factory.yaml`, with the
 * instance's environment, results and logs in the worktree's `.factory/artifacts/<run id>/`.
 *
 * Suites that `need` services get them started through the runtime (src/test-suites/
 * runtime-control.ts) when that module is present; it is loaded by name at run time so this
 * runner works — for suites without services — in a build where the runtime is not wired yet,
 * and a suite that needs services then fails saying so instead of being skipped. A repository
 * without a `factory.yaml` has no tests to run: the result says so and counts as passing.
 */
import { findContractFile, loadContract } from '../../contract/load.js';
import type { Contract } from '../../contract/types.js';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { resolveInstanceRef, type InstanceRef } from '../../setup/instance.js';
import type { InstanceControl } from '../../test-suites/control.js';
import { runTests } from '../../test-suites/run.js';
import type { TestRunner, TestRunResult } from './runner.js';

type RuntimeControlModule = { runtimeControl?: (contract: Contract, instance: InstanceRef) => InstanceControl };

/** For builds without the runtime: nothing is running and nothing can be started. */
const noRuntime: InstanceControl = {
  readyServices: async () => new Set<string>(),
  isRunning: async () => false,
  start: async (services) => {
    throw new FactoryFailure('runtime-unavailable', `cannot start ${services.join(', ')}: this build has no runtime to start services`, {
      exitCode: ExitCode.unavailable,
    });
  },
  stop: async () => undefined,
  env: async () => undefined,
};

async function controlFor(contract: Contract, instance: InstanceRef): Promise<InstanceControl> {
  const specifier = '../../test-suites/runtime-control.js';
  const mod = (await import(specifier).catch(() => undefined)) as RuntimeControlModule | undefined;
  return mod?.runtimeControl ? mod.runtimeControl(contract, instance) : noRuntime;
}

export const contractTestRunner: TestRunner = {
  async run({ worktree, signal }): Promise<TestRunResult> {
    if (!findContractFile(worktree.path)) return { ok: true, suites: [], skipped: 'no factory.yaml in the worktree' };
    const contract = await loadContract({ cwd: worktree.path });
    if (Object.keys(contract.tests).length === 0) return { ok: true, suites: [], skipped: 'the contract declares no test suites' };
    const instance = await resolveInstanceRef(contract);
    const result = await runTests({ contract, instance, suites: [], control: await controlFor(contract, instance), signal });
    return {
      ok: result.ok,
      artifactsDir: result.artifactsDir,
      suites: result.suites.map((s) => ({
        suite: s.name,
        ok: s.status === 'passed',
        summary: s.tests ? `${s.reason}; ${s.tests.passed}/${s.tests.tests} tests passed` : s.reason,
        ...(s.log ? { logFile: s.log } : {}),
      })),
    };
  },
};
