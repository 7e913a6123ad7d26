/**
 * planned → worktree_created. The job's worktree: id = job id, branch `factory/<job id>` from the
 * base, under `<repo>/.factory/worktrees/<job id>`. createWorktree reuses the worktree of the
 * branch when it exists, so a resumed job finds its own again; the base commit recorded first wins.
 */
import { createWorktree } from '../../sandboxes/index.js';
import type { Stage } from '../context.js';
import { branchOf } from '../ids.js';

export const worktreeStage: Stage = {
  name: 'worktree',
  role: 'environment_keeper',
  async run(ctx) {
    const { job } = ctx;
    const branch = branchOf(job.id);
    const wt = await createWorktree({
      repo: job.repo,
      branchStrategy: { type: 'branch', branch, baseBranch: job.config.base },
      name: job.id,
      signal: ctx.signal,
    });
    const worktree = { path: wt.path, branch, baseCommit: job.data.worktree?.baseCommit ?? wt.baseCommit };
    await ctx.transition(
      {
        from: 'planned',
        to: 'worktree_created',
        message: `${branch} at ${worktree.baseCommit.slice(0, 10)} in ${wt.path}`,
      },
      { data: { ...ctx.job.data, worktree } },
    );
  },
};
