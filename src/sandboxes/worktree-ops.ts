import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { commitsIn, git, gitRaw, identityArgs } from './git.js';
import { withRepoLock } from './repo-lock.js';
import type { CommitInfo, FinishResult, RemoveResult, Worktree, WorktreeInfo, WorktreeTimeouts } from './types.js';

/**
 * What the outer process does with a worktree after the agent: collect its commits, apply the
 * branch strategy, remove it. Every git call is argv (`git merge --no-edit -- <branch>`): a branch
 * name is never parsed by a shell.
 */

/** `.factory/` inside a worktree is instance state (services), never the agent's work. */
const NOT_WORK = ':(exclude,top).factory';

export async function collectCommits(info: WorktreeInfo, timeoutMs = 30_000): Promise<CommitInfo[]> {
  return commitsIn(info.repoRoot, `${info.baseCommit}..refs/heads/${info.branch}`, { timeoutMs });
}

/** Uncommitted paths in the worktree: modified, staged or untracked (not ignored). */
export async function dirtyFiles(path: string): Promise<string[]> {
  const out = await git(path, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.', NOT_WORK]);
  return out
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3));
}

function renderRecovery(steps: string[][], note: string): string {
  const quote = (arg: string): string =>
    /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
  return [note, ...steps.map((argv) => `  ${argv.map(quote).join(' ')}`)].join('\n');
}

async function mergeToHead(info: WorktreeInfo, commits: CommitInfo[], timeoutMs: number): Promise<FinishResult> {
  const factoryDir = `${info.repoRoot}/.factory`;
  return withRepoLock(factoryDir, async () => {
    const current = await gitRaw(info.repoRoot, ['symbolic-ref', '--short', '-q', 'HEAD']);
    const into = current.exitCode === 0 ? current.stdout.trim() : 'HEAD';
    const identity = await identityArgs(info.repoRoot);
    const merge = await gitRaw(info.repoRoot, [...identity, 'merge', '--no-edit', '--', info.branch], { timeoutMs });
    const recovery = [
      ['git', '-C', info.repoRoot, 'merge', '--no-edit', '--', info.branch],
      ['git', '-C', info.repoRoot, 'mergetool'],
      ['git', '-C', info.repoRoot, 'commit', '--no-edit'],
      ['git', '-C', info.repoRoot, 'worktree', 'remove', '--', info.path],
      ['git', '-C', info.repoRoot, 'branch', '-d', '--', info.branch],
    ];
    if (merge.exitCode === 0) {
      let branchDeleted = false;
      if ((await dirtyFiles(info.path)).length === 0) {
        await removeLinkedWorktree(info);
        branchDeleted = (await gitRaw(info.repoRoot, ['branch', '-d', '--', info.branch])).exitCode === 0;
      }
      return { kind: 'merged', branch: info.branch, into, commits, branchDeleted };
    }
    const inMerge = (await gitRaw(info.repoRoot, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'])).exitCode === 0;
    if (inMerge) {
      const conflicted = (await git(info.repoRoot, ['diff', '--name-only', '-z', '--diff-filter=U']))
        .split('\0')
        .filter(Boolean);
      await git(info.repoRoot, ['merge', '--abort']);
      const note = `Merging ${info.branch} into ${into} conflicts in ${conflicted.join(', ')}. The merge was aborted; your branch ${into} is unchanged and the agent's commits are kept on ${info.branch}. To merge by hand:`;
      return {
        kind: 'conflict',
        branch: info.branch,
        into,
        commits,
        conflictedFiles: conflicted,
        recovery,
        recoveryText: renderRecovery(recovery, note),
      };
    }
    const message = (merge.stderr.trim() || merge.stdout.trim()).split('\n').slice(0, 10).join('\n');
    const note = `git refused to merge ${info.branch} into ${into}; nothing was changed:\n${message}\nCommit or stash your changes in ${info.repoRoot}, then:`;
    return {
      kind: 'merge-failed',
      branch: info.branch,
      into,
      commits,
      message,
      recovery,
      recoveryText: renderRecovery(recovery, note),
    };
  });
}

async function removeLinkedWorktree(info: WorktreeInfo): Promise<void> {
  const plain = await gitRaw(info.repoRoot, ['worktree', 'remove', '--', info.path]);
  // `worktree remove` refuses ignored leftovers (node_modules, .factory) too; we checked above that
  // nothing uncommitted is there, so those may go.
  if (plain.exitCode !== 0) await git(info.repoRoot, ['worktree', 'remove', '--force', '--', info.path]);
  await rm(info.stateDir, { recursive: true, force: true });
}

export async function finish(info: WorktreeInfo, timeouts: WorktreeTimeouts = {}): Promise<FinishResult> {
  const commits = await collectCommits(info, timeouts.commitCollectionMs);
  switch (info.strategy.type) {
    case 'head':
      return commits.length === 0 ? { kind: 'no-changes', branch: info.branch } : { kind: 'head', commits };
    case 'branch':
      return commits.length === 0
        ? { kind: 'no-changes', branch: info.branch }
        : { kind: 'left-on-branch', branch: info.branch, commits };
    case 'merge-to-head':
      return commits.length === 0
        ? { kind: 'no-changes', branch: info.branch }
        : mergeToHead(info, commits, timeouts.mergeToHostMs ?? 60_000);
  }
}

export async function remove(info: WorktreeInfo): Promise<RemoveResult> {
  if (info.strategy.type === 'head') return { removed: false, reason: 'head', path: info.path };
  if (!info.path.startsWith(`${info.repoRoot}/.factory/worktrees/`))
    return { removed: false, reason: 'foreign', path: info.path };
  return withRepoLock(`${info.repoRoot}/.factory`, async (): Promise<RemoveResult> => {
    // Inside <repo>/.factory a broken worktree would resolve to the main repo: compare the top level.
    const top = existsSync(info.path)
      ? await gitRaw(info.repoRoot, ['-C', info.path, 'rev-parse', '--show-toplevel'])
      : undefined;
    const gone = top === undefined || top.exitCode !== 0 || top.stdout.trim() !== info.path;
    if (!gone) {
      const dirty = await dirtyFiles(info.path);
      if (dirty.length > 0) return { removed: false, reason: 'dirty', path: info.path, dirtyFiles: dirty };
      await removeLinkedWorktree(info);
    }
    // A temp branch goes once it holds nothing unmerged: merged into HEAD (-d), or no commits at all.
    if (info.strategy.type === 'merge-to-head') {
      const tip = await gitRaw(info.repoRoot, ['rev-parse', '-q', '--verify', `refs/heads/${info.branch}`]);
      if (tip.exitCode === 0) {
        const deleted = await gitRaw(info.repoRoot, ['branch', '-d', '--', info.branch]);
        if (deleted.exitCode !== 0 && tip.stdout.trim() === info.baseCommit) {
          await gitRaw(info.repoRoot, ['branch', '-D', '--', info.branch]);
        }
      }
    }
    return { removed: true, path: info.path };
  });
}

export function attachOperations(info: WorktreeInfo, timeouts: WorktreeTimeouts = {}): Worktree {
  return {
    ...info,
    collectCommits: () => collectCommits(info, timeouts.commitCollectionMs),
    isDirty: async () => (await dirtyFiles(info.path)).length > 0,
    finish: () => finish(info, timeouts),
    remove: () => remove(info),
    [Symbol.asyncDispose]: async () => {
      await remove(info);
    },
  };
}
