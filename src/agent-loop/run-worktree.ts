/**
 * The worktree a run (or an interactive session) works in: the caller's, when it passed one (it
 * stays theirs: nothing merges or removes it), else a new one made from the run's options.
 */
import { existsSync } from 'node:fs';
import { createWorktree } from '../sandboxes/index.js';
import type { CreateWorktreeOptions, FinishResult, Worktree } from '../sandboxes/index.js';

export type RunWorktreeOptions = Partial<
  Pick<CreateWorktreeOptions, 'branchStrategy' | 'name' | 'copyToWorktree' | 'hooks' | 'timeouts'>
> & {
  worktree?: Worktree;
};

export async function runWorktree(
  options: RunWorktreeOptions,
  cwd: string,
  signal: AbortSignal | undefined,
): Promise<{ worktree: Worktree; owned: boolean }> {
  if (options.worktree) return { worktree: options.worktree, owned: false };
  const worktree = await createWorktree({
    repo: cwd,
    branchStrategy: options.branchStrategy ?? { type: 'head' },
    ...(options.name ? { name: options.name } : {}),
    ...(options.copyToWorktree ? { copyToWorktree: options.copyToWorktree } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(signal ? { signal } : {}),
  });
  return { worktree, owned: true };
}

/**
 * Whether the run removes its worktree at the end: only one it created, not kept for its running
 * app (`keepEnv`), not left for the user to resolve a failed merge in, and still there.
 */
export function removesWorktree(
  owned: boolean,
  keepEnv: boolean | undefined,
  merge: FinishResult,
  path: string,
): boolean {
  return owned && !keepEnv && merge.kind !== 'conflict' && merge.kind !== 'merge-failed' && existsSync(path);
}
