/**
 * Running the contract's tests in the PRD's worktree after each task, through the `factory test`
 * library (src/test-suites/run.ts): every suite of the worktree's `factory.yaml`, with the
 * instance's environment, results and logs in the worktree's `.factory/artifacts/<run id>/`.
 *
 * Suites that `need` services get them started in the PRD worktree's own instance (worktree id
 * `prd-N`) and stopped again afterwards, exactly as `factory test` does. A repository without a
 * `factory.yaml` has no tests to run: the result says so and counts as passing.
 */
import { findContractFile, loadContract } from '../contract/index.js';
import { resolveInstanceRef } from '../setup/index.js';
import { runTests, runtimeControl } from '../test-suites/index.js';
import type { TestRunner, TestRunResult } from './runner.js';

export const contractTestRunner: TestRunner = {
  async run({ worktree, signal }): Promise<TestRunResult> {
    if (!findContractFile(worktree.path)) return { ok: true, suites: [], skipped: 'no factory.yaml in the worktree' };
    const contract = await loadContract({ cwd: worktree.path });
    if (Object.keys(contract.tests).length === 0)
      return { ok: true, suites: [], skipped: 'the contract declares no test suites' };
    const instance = await resolveInstanceRef(contract, worktree.name);
    const result = await runTests({
      contract,
      instance,
      suites: [],
      control: runtimeControl(contract, instance),
      signal,
    });
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
