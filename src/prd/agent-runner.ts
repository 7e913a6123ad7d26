/**
 * The walker's `AgentRunner` on the agent loop (`run()` in ../run.ts): one `run()` per task, on the
 * PRD's branch (`branch` strategy, so the loop reuses the PRD's worktree), in the chosen sandbox.
 *
 * The prompt goes in as `prompt` — passed LITERALLY: a PRD or issue body is text someone else wrote,
 * so `{{KEY}}` and `` !`cmd` `` in it must never be expanded or run.
 *
 * `run()` removes a clean worktree when it ends (its commits stay on the branch); the walker still
 * needs it for the tests and the ledger commit, so this re-attaches it (`createWorktree` on the same
 * branch and name re-adds it at the same path). A dirty worktree is never removed, so nothing the
 * agent left uncommitted is lost.
 */
import { isFactoryFailure } from '../lib/failure.js';
import { createWorktree } from '../sandboxes/index.js';
import { type RunOptions, run } from '../agent-loop/index.js';
import type { AgentRunner, AgentTaskResult } from './runner.js';

export type AgentLoopRunnerOptions = Pick<
  RunOptions,
  | 'agent'
  | 'sandbox'
  | 'model'
  | 'maxIterations'
  | 'idleTimeoutSeconds'
  | 'completionTimeoutSeconds'
  | 'app'
  | 'env'
  | 'network'
  | 'mounts'
  | 'hooks'
  | 'preflight'
>;

export function agentLoopRunner(options: AgentLoopRunnerOptions): AgentRunner {
  return {
    async runTask({ worktree, prompt, signal, logFile }): Promise<AgentTaskResult> {
      let result: AgentTaskResult;
      try {
        const r = await run({
          ...options,
          cwd: worktree.repoRoot,
          prompt,
          branchStrategy: { type: 'branch', branch: worktree.branch },
          name: worktree.name,
          logging: { type: 'file', path: logFile },
          signal,
        });
        const outcome =
          r.outcome === 'completed'
            ? 'complete'
            : r.outcome === 'no-changes'
              ? r.completionSignal !== undefined
                ? 'no-changes'
                : 'incomplete'
              : 'incomplete';
        result = {
          outcome,
          commits: r.commits.map((c) => ({ sha: c.sha, subject: c.subject })),
          iterations: r.iterations.length,
          ...(r.sessionId ? { sessionId: r.sessionId } : {}),
          ...(outcome === 'incomplete'
            ? { message: `no completion signal after ${r.iterations.length} iteration(s)` }
            : {}),
        };
      } catch (error) {
        // An abort (interrupt or phase timeout) is the walker's to report; anything else is the agent failing.
        if (signal.aborted) throw error;
        const sessionId =
          isFactoryFailure(error) && typeof error.details?.sessionId === 'string' ? error.details.sessionId : undefined;
        const message = isFactoryFailure(error)
          ? error.message + (error.hint ? ` (${error.hint})` : '')
          : error instanceof Error
            ? error.message
            : String(error);
        result = { outcome: 'failed', commits: [], message, ...(sessionId ? { sessionId } : {}) };
      }
      await createWorktree({
        repo: worktree.repoRoot,
        branchStrategy: { type: 'branch', branch: worktree.branch },
        name: worktree.name,
      });
      return result;
    },
  };
}
