/**
 * pr_opened → review_running → ready_for_human_review (or one round back to the builder). The
 * reviewer: a second agent run — another agent or model when configured — in a scratch worktree
 * at the branch's tip, given the request, the plan, the test and browser results and the diff,
 * answering with a `Verdict` inside <verdict>…</verdict>. `request_changes` sends the findings to
 * the builder for one fix round; after it, or with `approve` / `comment`, the job is ready for a
 * person, its preview up until it is closed or its TTL ends.
 */
import { readFile } from 'node:fs/promises';
import { Output } from '../../agent-loop/index.js';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { VERDICT_TAG, VerdictSchema, type Verdict } from '../../publish/index.js';
import { runRole } from '../agents.js';
import type { Stage } from '../context.js';
import { scratchWorktree } from '../git.js';
import { reviewerPrompt } from '../prompts.js';
import { backToBuilder, canFix, currentRound, withRound } from '../rounds.js';
import type { JobUsage, Round } from '../types.js';

function testsText(r: Round): string {
  if (!r.tests) return 'none ran';
  return r.tests.suites.map((s) => `${s.name} ${s.status}`).join(', ') || 'no suites';
}

function validationText(r: Round): string {
  if (!r.validation) return 'none ran';
  return r.validation.scenarios.map((s) => `${s.name}${s.feature ? ' (feature)' : ''} ${s.status}`).join(', ');
}

function findingsText(v: Verdict): string {
  return [
    v.summary,
    ...v.findings.map(
      (f) =>
        `- ${f.severity} ${f.file}${f.line ? `:${f.line}` : ''}: ${f.message}${f.suggestion ? ` (suggestion: ${f.suggestion})` : ''}`,
    ),
  ].join('\n');
}

export const reviewStage: Stage = {
  name: 'review',
  role: 'reviewer',
  async run(ctx) {
    if (ctx.job.state === 'pr_opened') {
      await ctx.transition({ from: 'pr_opened', to: 'review_running', message: 'reviewing the change' });
    }
    const { job } = ctx;
    const plan = job.data.plan;
    const diff = job.data.diff;
    if (!plan || !diff) throw new Error('review stage without a plan or a diff');
    const round = currentRound(job);
    const patch = await readFile(ctx.evidence.path(diff.patch), 'utf8');
    const log = `${ctx.evidence.roundDir(round.round)}/review${ctx.attempt > 1 ? `.attempt-${ctx.attempt}` : ''}.log`;
    const scratch = await scratchWorktree(job.repo, `${job.id}-review`, diff.head);
    const t0 = Date.now();
    let verdict: Verdict;
    let usage: JobUsage | undefined;
    try {
      const r = await runRole(ctx, 'reviewer', {
        worktree: scratch.worktree,
        prompt: reviewerPrompt(job, plan, {
          diff: patch,
          diffStat: diff.stat,
          tests: testsText(round),
          validation: validationText(round),
          ...(ctx.previousFailure ? { previousFailure: ctx.previousFailure } : {}),
        }),
        output: Output.object({ tag: VERDICT_TAG, schema: VerdictSchema }),
        app: false,
        log,
      });
      if (!r.output)
        throw new FactoryFailure('structured-output-invalid', 'the reviewer gave no verdict', {
          exitCode: ExitCode.failed,
        });
      verdict = r.output;
      usage = r.usage;
    } finally {
      await scratch.dispose();
    }
    const verdictFile = await ctx.evidence.writeJson(`${ctx.evidence.roundDir(round.round)}/verdict.json`, verdict);
    const spec = job.config.roles.reviewer;
    const done: Round = {
      ...round,
      review: {
        verdict,
        agent: { agent: spec.agent, ...(spec.model ? { model: spec.model } : {}) },
        ...(usage ? { usage } : {}),
        attempts: ctx.attempt,
        durationMs: Date.now() - t0,
        log,
      },
    };
    const artifacts = [
      { label: 'verdict', path: verdictFile },
      { label: 'reviewer log', path: log },
    ];
    if (verdict.verdict === 'request_changes' && canFix(job, 'changes-requested')) {
      await backToBuilder(
        ctx,
        'review_running',
        done,
        'changes-requested',
        `The reviewer asked for changes:\n${findingsText(verdict)}`,
        `the reviewer requested changes (${verdict.findings.length} finding(s))`,
      );
      return;
    }
    const ttl = job.config.previewTtlMs;
    await ctx.transition(
      {
        from: 'review_running',
        to: 'ready_for_human_review',
        message: `verdict ${verdict.verdict}: ${verdict.summary}`,
        artifacts,
      },
      {
        data: {
          ...ctx.job.data,
          rounds: withRound(ctx.job.data.rounds, done),
          previewExpiresAt: ttl > 0 && job.data.environment ? new Date(Date.now() + ttl).toISOString() : null,
        },
        runnable: false,
      },
    );
  },
};
