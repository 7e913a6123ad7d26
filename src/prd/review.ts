/**
 * The end of a walk: once every task is done, one review iteration (an agent with the review
 * prompt, then the tests, then a ledger commit `Refs #<prd>` / `Factory-Phase: review`), the push
 * (github), and the review itself: a pull request, or a local review-request file, whose body
 * carries the evidence — the branch's commits, the test results, where the logs and artifacts are.
 *
 * Each step is skipped when already done, so a run that died after the review commit, or whose
 * push failed, resumes at the push; a PRD whose review exists is never reviewed again (walk.ts
 * stops before the lock). A failed push changes nothing on the local branch: no commit is lost.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Evidence, ReviewRecord } from '../backlog/index.js';
import { git } from '../sandboxes/index.js';
import { branchCommits, commitLedger, readLedger } from './ledger.js';
import { PhaseError, runPhase } from './phase.js';
import { buildReviewPrompt } from './prompt.js';
import type { TestRunResult } from './runner.js';
import { clearAttempt, readAttempt, writeAttempt } from './state.js';
import { contractTestRunner } from './test-runner.js';
import type { WalkContext, WalkStop } from './types.js';

async function runTests(ctx: WalkContext, label: string): Promise<TestRunResult> {
  const { worktree, options, timeouts } = ctx;
  const result = await runPhase('tests', timeouts.tests, options.signal, (signal) =>
    (options.tests ?? contractTestRunner).run({ worktree, signal, logDir: ctx.log.dir, label }),
  );
  ctx.emit({ type: 'tests', label, result });
  if (!result.ok) {
    const failed = result.suites.filter((s) => !s.ok).map((s) => `${s.suite}: ${s.summary}`);
    throw new PhaseError('tests', `tests failed at review: ${failed.join('; ')}`, 'failed');
  }
  return result;
}

async function reviewIteration(ctx: WalkContext, setPhase: (p: string) => void): Promise<TestRunResult> {
  const { prd, tasks, worktree, options, timeouts, stateDir } = ctx;
  ctx.emit({ type: 'review-start' });
  const head = await git(worktree.path, ['rev-parse', 'HEAD']);
  const previous = await readAttempt(stateDir);
  const start = previous?.ref === prd.ref ? previous.start : head;
  await writeAttempt(stateDir, { ref: prd.ref, start, runId: basename(ctx.log.dir) });
  setPhase('review');
  const prompt = buildReviewPrompt({
    prd,
    tasks,
    branch: worktree.branch,
    base: ctx.baseBranch,
    commits: await branchCommits(worktree.path, ctx.base),
  });
  const outcome = await runPhase('review', timeouts.review, options.signal, (signal) =>
    options.agent.runTask({
      worktree,
      prompt,
      signal,
      logFile: ctx.log.path('review-agent.log'),
      name: `prd-${prd.number}-review`,
    }),
  );
  ctx.log.write(`review agent ${outcome.outcome}${outcome.message ? `: ${outcome.message}` : ''}`);
  if (outcome.outcome === 'failed' || outcome.outcome === 'incomplete') {
    throw new PhaseError(
      'review',
      `the review agent ${outcome.outcome === 'failed' ? 'failed' : 'stopped before finishing'}${outcome.message ? `: ${outcome.message}` : ''}`,
      'failed',
    );
  }
  setPhase('tests');
  const tests = await runTests(ctx, 'review');
  setPhase('commit');
  await runPhase('commit', timeouts.commit, options.signal, () =>
    commitLedger({
      worktree: worktree.path,
      start,
      title: `Review: ${prd.title}`,
      ref: prd.ref,
      phase: 'review',
      ...(outcome.outcome === 'no-changes' ? { body: 'The review found nothing to change.' } : {}),
    }),
  );
  await clearAttempt(stateDir);
  return tests;
}

export function renderReviewBody(ctx: WalkContext, evidence: Evidence, testsSkipped?: string): string {
  const { prd, tasks, source } = ctx;
  const lines = [
    `${prd.title}: every task of PRD #${prd.ref} is done on \`${ctx.worktree.branch}\`.`,
    '',
    '## Tasks',
    '',
  ];
  for (const t of tasks) {
    const close = source.kind === 'github' && t.kind === 'afk' ? `Closes #${t.id}: ` : `#${t.id} `;
    lines.push(`- [x] ${close}${t.title} (${t.kind.toUpperCase()})`);
  }
  lines.push('', `## Commits (${ctx.baseBranch}..${ctx.worktree.branch})`, '');
  for (const c of evidence.commits) lines.push(`- \`${c.sha.slice(0, 10)}\` ${c.subject}`);
  lines.push('', '## Tests', '');
  if (evidence.tests.length === 0) lines.push(`- no test suites ran: ${testsSkipped ?? 'see the run log'}`);
  for (const t of evidence.tests)
    lines.push(`- ${t.ok ? 'PASS' : 'FAIL'} \`${t.suite}\`: ${t.summary}${t.logFile ? ` — log \`${t.logFile}\`` : ''}`);
  lines.push('', '## Artifacts', '');
  for (const a of evidence.artifacts) lines.push(`- \`${a}\``);
  if (evidence.logFile) lines.push(`- run log \`${evidence.logFile}\``);
  lines.push('', `PRD: ${prd.location}`);
  return `${lines.join('\n')}\n`;
}

export async function reviewAndPublish(ctx: WalkContext, setPhase: (p: string) => void): Promise<WalkStop<'reviewed'>> {
  const { prd, worktree, options, timeouts, source } = ctx;
  const ledger = await readLedger(worktree.path, ctx.base);
  let tests: TestRunResult;
  if (ledger.some((e) => e.phase === 'review' && e.ref === prd.ref)) {
    setPhase('tests');
    tests = await runTests(ctx, 'publish');
  } else {
    tests = await reviewIteration(ctx, setPhase);
  }

  const push = options.push ?? source.kind === 'github';
  if (push) {
    setPhase('push');
    const remote = options.remote ?? 'origin';
    await runPhase('push', timeouts.push, options.signal, (signal) =>
      git(worktree.path, ['push', '--porcelain', remote, `HEAD:refs/heads/${worktree.branch}`], {
        signal,
        timeoutMs: timeouts.push,
      }),
    );
    ctx.emit({ type: 'pushed', remote, branch: worktree.branch });
  }

  setPhase('publish');
  const evidence: Evidence = {
    commits: await branchCommits(worktree.path, ctx.base),
    tests: tests.suites.map((s) => ({
      suite: s.suite,
      ok: s.ok,
      summary: s.summary,
      ...(s.logFile ? { logFile: s.logFile } : {}),
    })),
    artifacts: [ctx.log.dir, ...(tests.artifactsDir ? [tests.artifactsDir] : [])],
    logFile: ctx.log.file,
  };
  const body = renderReviewBody(ctx, evidence, tests.skipped);
  await writeFile(ctx.log.path('evidence.json'), `${JSON.stringify(evidence, null, 2)}\n`);
  await writeFile(ctx.log.path('review.md'), body);
  const review: ReviewRecord = await runPhase('publish', timeouts.publish, options.signal, () =>
    source.openReview(prd, { branch: worktree.branch, base: ctx.baseBranch, title: prd.title, body, evidence }),
  );
  ctx.log.write(`review opened: ${review.location}`);
  return { status: 'reviewed', review, commits: evidence.commits };
}
