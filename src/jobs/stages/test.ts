/**
 * tests_running → browser_validation_running (or back to the builder, or failed). The tester: the
 * contract's test suites (`factory test`'s engine) against the job's running instance, JUnit and
 * logs copied into the round's folder. Failing suites give the builder their output's tail for the
 * next round; once the fix rounds are spent the job fails here with that tail.
 */
import { isAbsolute, join, relative } from 'node:path';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { resolveInstanceRef } from '../../setup/index.js';
import { runTests } from '../../test-suites/index.js';
import { runtimeControl } from '../../test-suites/index.js';
import { loadJobContract } from '../contract-facts.js';
import type { Stage } from '../context.js';
import { ensureInstance } from './environment.js';
import { backToBuilder, canFix, currentRound, withRound } from '../rounds.js';
import type { Round } from '../types.js';

const TAIL_LINES = 40;

function tailOf(text: string | undefined): string {
  return (text ?? '').trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
}

export const testStage: Stage = {
  name: 'test',
  role: 'tester',
  async run(ctx) {
    const { job } = ctx;
    const wt = job.data.worktree;
    if (!wt) throw new Error('test stage without a worktree');
    const contract = await loadJobContract(wt.path, ctx.runtime.env);
    const round = currentRound(job);
    if (contract) await ensureInstance(ctx);
    if (!contract || Object.keys(contract.tests).length === 0) {
      await ctx.transition({
        from: 'tests_running',
        to: 'browser_validation_running',
        message: contract ? 'the contract declares no test suites' : 'no factory.yaml: no tests',
      });
      return;
    }
    const instance = await resolveInstanceRef(contract, job.id, ctx.runtime.env);
    const result = await runTests({
      contract,
      instance,
      suites: job.config.tests,
      control: runtimeControl(contract, instance, ctx.runtime.env),
      signal: ctx.signal,
      // Suites carry the job's marker, so a resumed job reaps a dead worker's still-running suites.
      processEnv: { ...ctx.runtime.env, FACTORY_JOB_ID: job.id },
      onEvent: (e) => {
        if (e.type === 'suite-end')
          void ctx.progress(`suite ${e.result.name}: ${e.result.status} (${e.result.reason})`).catch(() => {});
      },
    });
    const dir = `${ctx.evidence.roundDir(round.round)}/tests`;
    await ctx.evidence.copyIn(result.artifactsDir, dir);
    const inDir = (abs: string) => `${dir}/${relative(result.artifactsDir, abs)}`;
    const failing = result.suites.filter((s) => s.status !== 'passed');
    const tail = failing.map((s) => `── ${s.name}: ${s.reason}\n${tailOf(s.tail)}`).join('\n');
    const done: Round = {
      ...round,
      tests: {
        ok: result.ok,
        runId: result.runId,
        suites: result.suites.map((s) => ({
          name: s.name,
          status: s.status,
          reason: s.reason,
          ...(s.tests
            ? {
                tests: {
                  tests: s.tests.tests,
                  passed: s.tests.passed,
                  failed: s.tests.failed,
                  skipped: s.tests.skipped,
                },
              }
            : {}),
          ...(s.log ? { log: inDir(s.log) } : {}),
          junit: s.reports.map((r) => inDir(isAbsolute(r) ? r : join(result.artifactsDir, r))),
        })),
        ...(failing.length ? { tail } : {}),
        durationMs: result.durationMs,
      },
    };
    const summary = `${result.totals.passed}/${result.totals.suites} suites passed${result.totals.tests ? `, ${result.totals.tests - result.totals.testsFailed}/${result.totals.tests} tests` : ''}`;
    const artifacts = [{ label: 'test results', path: `${dir}/summary.json` }];
    if (result.ok) {
      await ctx.transition(
        {
          from: 'tests_running',
          to: 'browser_validation_running',
          message: `round ${round.round}: ${summary}`,
          artifacts,
        },
        { data: { ...ctx.job.data, rounds: withRound(ctx.job.data.rounds, done) } },
      );
      return;
    }
    if (canFix(job, 'tests-failed')) {
      const feedback = `Tests failed (${failing.map((s) => s.name).join(', ')}). The end of their output:\n${tail}`;
      await backToBuilder(ctx, 'tests_running', done, 'tests-failed', feedback, `tests failed: ${summary}`);
      return;
    }
    await ctx.update({ ...ctx.job.data, rounds: withRound(ctx.job.data.rounds, done) });
    throw new FactoryFailure(
      'tests-failed',
      `tests still fail after ${job.config.maxFixRounds} fix round(s): ${failing.map((s) => `${s.name} (${s.reason})`).join(', ')}`,
      {
        exitCode: ExitCode.failed,
        hint: `the suites' output is in ${ctx.evidence.path(dir)}`,
        details: { logTail: tail, log: failing[0]?.log ? inDir(failing[0].log) : `${dir}/summary.json` },
      },
    );
  },
};
