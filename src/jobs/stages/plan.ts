/**
 * received → planned. The planner: one agent iteration in a scratch worktree at the base (it reads
 * the code and can change nothing of the job's), answering with a `Plan` inside <plan>…</plan>
 * (JSON Schema, ADR 0058). The plan is stored with the transition in one transaction, so a resumed
 * job never plans twice. A `goto` the recorder could not keep on the job's own app (a host other
 * than loopback) makes the answer invalid, and the planner is asked once more.
 */
import { Output } from '../../agent-loop/index.js';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { git } from '../../sandboxes/index.js';
import { PLAN_TAG, PlanSchema, type Plan } from '../../publish/index.js';
import { runRole } from '../agents.js';
import { contractSummary, loadJobContract } from '../contract-facts.js';
import type { Stage } from '../context.js';
import { scratchWorktree } from '../git.js';
import { plannerPrompt } from '../prompts.js';

const LOOPBACK = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\]|[a-z0-9.-]+\.localhost)(:\d+)?(\/|$)/i;

export function checkPlan(plan: Plan): void {
  for (const [i, s] of plan.browserSteps.entries()) {
    if (s.action === 'goto' && !s.url.startsWith('/') && !LOOPBACK.test(s.url)) {
      throw new FactoryFailure(
        'plan-invalid',
        `browser step ${i + 1} goes to ${s.url}: only paths ("/…") or loopback URLs of the job's own app are allowed`,
        { exitCode: ExitCode.failed },
      );
    }
  }
  const ids = plan.acceptanceCriteria.map((c) => c.id);
  if (new Set(ids).size !== ids.length) {
    throw new FactoryFailure('plan-invalid', 'two acceptance criteria share an id', { exitCode: ExitCode.failed });
  }
}

export const planStage: Stage = {
  name: 'plan',
  role: 'planner',
  async run(ctx) {
    const { job } = ctx;
    const base = await git(job.repo, ['rev-parse', '--verify', `${job.config.base}^{commit}`]);
    const contract = await loadJobContract(job.repo, ctx.runtime.env);
    const scratch = await scratchWorktree(job.repo, `${job.id}-plan`, base);
    let plan: Plan;
    let usage: typeof job.data.planUsage;
    try {
      const r = await runRole(ctx, 'planner', {
        worktree: scratch.worktree,
        prompt: plannerPrompt(job, {
          contractSummary: contractSummary(contract),
          ...(ctx.previousFailure ? { previousFailure: ctx.previousFailure } : {}),
        }),
        output: Output.object({ tag: PLAN_TAG, schema: PlanSchema }),
        app: false,
        log: 'plan.log',
      });
      if (!r.output) throw new FactoryFailure('structured-output-invalid', 'the planner gave no plan');
      plan = r.output;
      usage = r.usage;
    } finally {
      await scratch.dispose();
    }
    checkPlan(plan);
    const rel = await ctx.evidence.writeJson('plan.json', plan);
    await ctx.transition(
      {
        from: 'received',
        to: 'planned',
        message: `${plan.acceptanceCriteria.length} acceptance criteria, ${plan.browserSteps.length} browser steps, risk ${plan.risk}: ${plan.summary}`,
        artifacts: [
          { label: 'plan', path: rel },
          { label: 'planner log', path: 'plan.log' },
        ],
      },
      { data: { ...ctx.job.data, plan, ...(usage ? { planUsage: usage } : {}), attempts: {}, failures: {} } },
    );
  },
};
