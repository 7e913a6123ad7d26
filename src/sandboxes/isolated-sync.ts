import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FactoryFailure, ExitCode } from '../lib/failure.js';
import { commitsIn, git, gitRaw } from './git.js';
import type { CommitInfo, ExecResult, Sandbox, WorktreeInfo } from './types.js';

/**
 * Moving work in and out of an **isolated** sandbox (its own filesystem: a VM, a cloud sandbox)
 * with git bundles, so only git objects cross the boundary and the host's worktree stays the one
 * source of truth that `finish()` merges from.
 *
 *   syncIn:  host `git bundle create <branch>` → copyIn → sandbox `git clone` at `dir`
 *   syncOut: sandbox `git bundle create <base>..HEAD` → copyOut → host `git fetch` + fast-forward
 *            the worktree's branch (the host worktree must not have moved meanwhile)
 *
 * The sandbox needs git; the agent commits inside as usual.
 */

function failed(step: string, result: ExecResult): FactoryFailure {
  return new FactoryFailure(
    'isolated-sync-failed',
    `${step} failed (exit ${result.exitCode ?? result.signal}): ${result.stderr.trim()}`,
    {
      exitCode: ExitCode.failed,
    },
  );
}

/** Clones the worktree's branch into `dir` inside the sandbox. */
export async function syncIn(sandbox: Sandbox, worktree: WorktreeInfo, dir: string): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'factory-bundle-'));
  try {
    const bundle = join(scratch, 'in.bundle');
    await git(worktree.repoRoot, ['bundle', 'create', '-q', bundle, `refs/heads/${worktree.branch}`]);
    const inside = `${dir}.factory-in.bundle`;
    await sandbox.copyIn(bundle, inside);
    const clone = await sandbox.exec(['git', 'clone', '-q', '--branch', worktree.branch, '--', inside, dir]);
    if (clone.exitCode !== 0) throw failed('git clone in the sandbox', clone);
    await sandbox.exec(['rm', '-f', '--', inside]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Brings the sandbox's new commits (since the worktree's tip) onto the host worktree's branch.
 * Returns the commits brought over (empty when the agent made none).
 */
export async function syncOut(sandbox: Sandbox, worktree: WorktreeInfo, dir: string): Promise<CommitInfo[]> {
  const hostTip = await git(worktree.path, ['rev-parse', 'HEAD']);
  const count = await sandbox.exec(['git', '-C', dir, 'rev-list', '--count', `${hostTip}..HEAD`]);
  if (count.exitCode !== 0) throw failed('git rev-list in the sandbox', count);
  if (Number(count.stdout.trim()) === 0) return [];
  const scratch = await mkdtemp(join(tmpdir(), 'factory-bundle-'));
  try {
    const inside = `${dir}.factory-out.bundle`;
    const bundle = await sandbox.exec(['git', '-C', dir, 'bundle', 'create', '-q', inside, `${hostTip}..HEAD`]);
    if (bundle.exitCode !== 0) throw failed('git bundle in the sandbox', bundle);
    const local = join(scratch, 'out.bundle');
    await sandbox.copyOut(inside, local);
    await git(worktree.path, ['fetch', '-q', local, 'HEAD']);
    const ff = await gitRaw(worktree.path, ['merge', '--ff-only', '-q', 'FETCH_HEAD']);
    if (ff.exitCode !== 0) {
      throw new FactoryFailure(
        'isolated-sync-diverged',
        `The worktree ${worktree.path} moved while the sandbox worked; its commits were not applied.`,
        {
          exitCode: ExitCode.failed,
          hint: `They are fetched: git -C ${worktree.path} log FETCH_HEAD`,
        },
      );
    }
    return await commitsIn(worktree.path, `${hostTip}..HEAD`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
