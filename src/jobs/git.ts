/**
 * The job's git facts, always from the outer process (ADR 0042): the change against the base
 * (files, stat, patch), leftovers the builder did not commit, whether the branch was merged, and
 * scratch worktrees where the read-only roles (planner, reviewer) look at the code without being
 * able to touch the job's branch.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { git, gitRaw } from '../sandboxes/index.js';
import { createWorktree, dirtyFiles } from '../sandboxes/index.js';
import type { CommitInfo, Worktree } from '../sandboxes/index.js';
import type { JobManifest } from '../publish/index.js';

type DiffFile = NonNullable<JobManifest['diff']>['files'][number];

const STATUS: Record<string, DiffFile['status']> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed' };

export async function commitsBetween(cwd: string, base: string, head: string): Promise<CommitInfo[]> {
  const out = await git(cwd, ['log', '--reverse', '--format=%H%x09%s', `${base}..${head}`]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const tab = l.indexOf('\t');
      return { sha: l.slice(0, tab), subject: l.slice(tab + 1) };
    });
}

export interface Change {
  files: DiffFile[];
  stat: string;
  patch: string;
}

export async function changeBetween(cwd: string, base: string, head: string): Promise<Change> {
  const range = `${base}...${head}`;
  const numstat = await git(cwd, ['diff', '--numstat', '-z', range]);
  const names = await git(cwd, ['diff', '--name-status', '-z', range]);
  const status = new Map<string, DiffFile['status']>();
  const parts = names.split('\0').filter((p) => p !== '');
  for (let i = 0; i < parts.length; ) {
    const code = parts[i++] ?? '';
    const letter = code[0] ?? '';
    if (letter === 'R' || letter === 'C') {
      i++; // old path
      status.set(parts[i++] ?? '', letter === 'R' ? 'renamed' : 'added');
    } else status.set(parts[i++] ?? '', STATUS[letter] ?? 'other');
  }
  const files: DiffFile[] = [];
  const fields = numstat.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] ?? '';
    if (f === '') continue;
    const [add, del, path] = f.split('\t');
    let file = path ?? '';
    if (file === '') {
      // a rename: "add\tdel\t" then old and new path as separate fields
      i += 2;
      file = fields[i] ?? '';
    }
    const binary = add === '-';
    files.push({
      path: file,
      status: status.get(file) ?? 'other',
      additions: binary ? 0 : Number(add),
      deletions: binary ? 0 : Number(del),
      binary,
    });
  }
  return {
    files,
    stat: await git(cwd, ['diff', '--stat', range]),
    patch: `${await git(cwd, ['diff', '--binary', range])}\n`,
  };
}

/** Commits what the builder left uncommitted, as the outer process; undefined when it left nothing. */
export async function commitLeftovers(worktree: Worktree, message: string): Promise<CommitInfo | undefined> {
  if ((await dirtyFiles(worktree.path)).length === 0) return undefined;
  await git(worktree.path, ['add', '-A']);
  const identity = ['-c', 'user.name=factory', '-c', 'user.email=factory@localhost'];
  const configured = (await gitRaw(worktree.path, ['config', 'user.email'])).exitCode === 0;
  await git(worktree.path, [...(configured ? [] : identity), 'commit', '-q', '--no-verify', '-F', '-'], {
    input: message,
  });
  const sha = await git(worktree.path, ['rev-parse', 'HEAD']);
  return { sha, subject: message.split('\n')[0] ?? message };
}

/** true when `head` is contained in `base` (the job's branch was merged). */
export async function isMerged(cwd: string, head: string, base: string): Promise<boolean> {
  return (await gitRaw(cwd, ['merge-base', '--is-ancestor', head, base])).exitCode === 0;
}

/**
 * A throwaway worktree at `commit` on its own branch `factory/<name>`, removed with its branch by
 * `dispose` whatever the agent did in it.
 */
export async function scratchWorktree(
  repo: string,
  name: string,
  commit: string,
): Promise<{ worktree: Worktree; dispose(): Promise<void> }> {
  const branch = `factory/${name}`;
  await dropScratch(repo, name);
  await git(repo, ['branch', '-f', branch, commit]);
  const worktree = await createWorktree({ repo, branchStrategy: { type: 'branch', branch }, name });
  return {
    worktree,
    dispose: async () => {
      await dropScratch(repo, name, worktree.path);
    },
  };
}

/** Removes a scratch worktree and its branch; also what an earlier, crashed attempt left. */
async function dropScratch(
  repo: string,
  name: string,
  path = join(repo, '.factory', 'worktrees', name),
): Promise<void> {
  await gitRaw(repo, ['worktree', 'remove', '--force', path]);
  await rm(path, { recursive: true, force: true });
  await gitRaw(repo, ['worktree', 'prune']);
  await gitRaw(repo, ['branch', '-D', `factory/${name}`]);
}
