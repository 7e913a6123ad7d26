/**
 * dev_environment_ready → implementation_in_progress → tests_running. The builder: the agent loop
 * in the job's worktree and sandbox, with the running app (its URLs in the prompt, `factory` on its
 * PATH), told the plan and — in a fix round — what failed before.
 *
 * Resumable without committing twice: the round's start commit is recorded before the agent runs,
 * so a re-run after a crash sees the commits the interrupted attempt already made and tells the
 * agent to continue from them; anything the agent left uncommitted is committed once by the outer
 * process (a clean tree makes that a no-op). The change against the base is recorded as the
 * round's result in the same transaction that moves the job on to its tests.
 */
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { git } from '../../sandboxes/index.js';
import { createWorktree } from '../../sandboxes/index.js';
import { runRole } from '../agents.js';
import type { Stage } from '../context.js';
import { changeBetween, commitLeftovers, commitsBetween } from '../git.js';
import { builderPrompt } from '../prompts.js';
import { currentRound, withRound } from '../rounds.js';
import type { Round } from '../types.js';

export const buildStage: Stage = {
  name: 'build',
  role: 'builder',
  async run(ctx) {
    if (ctx.job.state === 'dev_environment_ready') {
      const rounds = ctx.job.data.rounds.length ? ctx.job.data.rounds : [{ round: 1, reason: 'initial' as const }];
      await ctx.transition(
        { from: 'dev_environment_ready', to: 'implementation_in_progress', message: 'round 1: building' },
        { data: { ...ctx.job.data, rounds }, round: 1 },
      );
    }
    const job = ctx.job;
    const wt = job.data.worktree;
    const plan = job.data.plan;
    if (!wt || !plan) throw new Error('build stage without a worktree or a plan');
    const round = job.round;
    const worktree = await createWorktree({
      repo: job.repo,
      branchStrategy: { type: 'branch', branch: wt.branch },
      name: job.id,
      signal: ctx.signal,
    });
    let start = job.data.roundStart?.round === round ? job.data.roundStart.commit : undefined;
    if (!start) {
      start = await git(wt.path, ['rev-parse', 'HEAD']);
      await ctx.update({ ...ctx.job.data, roundStart: { round, commit: start } });
    }
    const earlier = await commitsBetween(wt.path, start, 'HEAD');
    const r0 = currentRound(ctx.job);
    const log = `${ctx.evidence.roundDir(round)}/build${ctx.attempt > 1 ? `.attempt-${ctx.attempt}` : ''}.log`;
    const t0 = Date.now();
    const result = await runRole(ctx, 'builder', {
      worktree,
      prompt: builderPrompt(job, plan, {
        round,
        maxRounds: job.config.maxFixRounds + 2,
        urls: job.data.environment?.urls ?? {},
        ...(r0.feedback ? { feedback: r0.feedback } : {}),
        ...(earlier.length ? { resumedCommits: earlier.map((c) => `${c.sha.slice(0, 10)} ${c.subject}`) } : {}),
        ...(ctx.previousFailure ? { previousFailure: ctx.previousFailure } : {}),
      }),
      app: true,
      log,
    });
    const leftover = await commitLeftovers(
      worktree,
      `factory: changes the builder left uncommitted\n\nJob ${job.id}, round ${round}.`,
    );
    const commits = await commitsBetween(wt.path, start, 'HEAD');
    if (commits.length === 0 && round === 1) {
      throw new FactoryFailure('builder-no-changes', 'the builder made no change', {
        exitCode: ExitCode.failed,
        hint: `its log: ${ctx.evidence.path(log)}`,
        details: { log, logTail: result.text.slice(-2000) },
      });
    }
    const head = await git(wt.path, ['rev-parse', 'HEAD']);
    const change = await changeBetween(wt.path, wt.baseCommit, head);
    await ctx.evidence.write('diff.patch', change.patch);
    const status = result.completionSignal !== undefined ? 'completed' : commits.length ? 'incomplete' : 'no-changes';
    const built: Round = {
      ...r0,
      build: {
        status,
        attempts: ctx.attempt,
        commits,
        ...(result.usage ? { usage: result.usage } : {}),
        durationMs: Date.now() - t0,
        log,
        ...(leftover
          ? { message: `factory committed what the builder left uncommitted (${leftover.sha.slice(0, 10)})` }
          : {}),
      },
    };
    await ctx.transition(
      {
        from: 'implementation_in_progress',
        to: 'tests_running',
        message: `round ${round}: ${commits.length} commit(s), ${change.files.length} file(s) changed`,
        artifacts: [
          { label: 'builder log', path: log },
          { label: 'diff', path: 'diff.patch' },
        ],
      },
      {
        data: {
          ...ctx.job.data,
          rounds: withRound(ctx.job.data.rounds, built),
          diff: { base: wt.baseCommit, head, files: change.files, patch: 'diff.patch', stat: change.stat },
          commits: await commitsBetween(wt.path, wt.baseCommit, head),
        },
      },
    );
  },
};
