import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FactoryFailure, ExitCode, isFactoryFailure } from '../lib/failure.js';
import { git, gitRaw } from './git.js';
import { copyToWorktree, runHostHooks } from './hooks.js';
import { withRepoLock } from './repo-lock.js';
import { attachOperations } from './worktree-ops.js';
import type { BranchStrategy, CreateWorktreeOptions, Worktree, WorktreeInfo } from './types.js';

/**
 * Creating (or reusing) the worktree an agent works in. Layout in the host repo:
 *
 *   <repo>/.factory/.gitignore            "*" — the whole folder is ignored without touching .gitignore
 *   <repo>/.factory/worktrees/<name>/     the linked worktree (branch `factory/<name>` or yours)
 *   <repo>/.factory/sandboxes/<name>/     private HOME and TMPDIR for the sandbox
 *
 * Git admin operations on one repo (worktree add/remove, merge, branch delete) are serialized by a
 * lock under `.factory/`: git's own ref locks make a concurrent second call fail rather than wait.
 */

const NAME_RE = /^[A-Za-z0-9._-]{1,100}$/;

/** A worktree name derived from a branch: `agent/fix-42` → `agent-fix-42`. */
export function nameFromBranch(branch: string): string {
  return (
    branch
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 100) || 'worktree'
  );
}

function generatedName(): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `run-${stamp}-${randomBytes(3).toString('hex')}`;
}

interface RepoFacts {
  repoRoot: string;
  gitCommonDir: string;
  /** Current branch of the repo root, or undefined when HEAD is detached. */
  currentBranch: string | undefined;
  headCommit: string;
}

async function repoFacts(repo: string): Promise<RepoFacts> {
  const probe = await gitRaw(resolve(repo), ['rev-parse', '--path-format=absolute', '--git-common-dir']);
  if (probe.exitCode !== 0) {
    throw new FactoryFailure('not-a-git-repo', `${resolve(repo)} is not inside a git repository.`, {
      exitCode: ExitCode.invalid,
      hint: 'Run factory from a git checkout (git init, then commit once).',
    });
  }
  const gitCommonDir = await realpath(probe.stdout.trim());
  // The first entry of `worktree list` is always the main working tree, even when called from a linked one.
  const list = await git(resolve(repo), ['worktree', 'list', '--porcelain']);
  const first = list.split('\n').find((line) => line.startsWith('worktree '));
  if (!first)
    throw new FactoryFailure('bare-repo', 'Bare repositories are not supported.', { exitCode: ExitCode.invalid });
  const repoRoot = await realpath(first.slice('worktree '.length));
  const head = await gitRaw(repoRoot, ['rev-parse', '--verify', '-q', 'HEAD']);
  if (head.exitCode !== 0) {
    throw new FactoryFailure('repo-has-no-commits', `${repoRoot} has no commits yet.`, {
      exitCode: ExitCode.invalid,
      hint: 'Make a first commit: worktrees start from a commit.',
    });
  }
  const symbolic = await gitRaw(repoRoot, ['symbolic-ref', '--short', '-q', 'HEAD']);
  return {
    repoRoot,
    gitCommonDir,
    currentBranch: symbolic.exitCode === 0 ? symbolic.stdout.trim() : undefined,
    headCommit: head.stdout.trim(),
  };
}

/** path → branch for every linked worktree (`git worktree list --porcelain`). */
async function listWorktrees(repoRoot: string): Promise<Array<{ path: string; branch?: string }>> {
  const text = await git(repoRoot, ['worktree', 'list', '--porcelain']);
  const entries: Array<{ path: string; branch?: string }> = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n');
    const path = lines.find((l) => l.startsWith('worktree '))?.slice('worktree '.length);
    const branch = lines.find((l) => l.startsWith('branch refs/heads/'))?.slice('branch refs/heads/'.length);
    if (path) entries.push({ path, branch });
  }
  return entries;
}

async function checkBranchName(repoRoot: string, branch: string): Promise<void> {
  const result = await gitRaw(repoRoot, ['check-ref-format', '--branch', branch]);
  if (result.exitCode !== 0 || branch.startsWith('-')) {
    throw new FactoryFailure('branch-name-invalid', `"${branch}" is not a valid branch name.`, {
      exitCode: ExitCode.invalid,
    });
  }
}

async function branchExists(repoRoot: string, branch: string): Promise<boolean> {
  return (await gitRaw(repoRoot, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`])).exitCode === 0;
}

/** Ignores the whole `.factory/` folder from inside it, so no tracked file has to change. */
async function ensureFactoryDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const ignore = join(dir, '.gitignore');
  if (!existsSync(ignore)) await writeFile(ignore, '*\n');
}

/** Creates or reuses the worktree for a branch strategy; runs copyToWorktree and onWorktreeReady. */
export async function createWorktree(options: CreateWorktreeOptions): Promise<Worktree> {
  const facts = await repoFacts(options.repo);
  const strategy: BranchStrategy = options.branchStrategy;
  if (options.name !== undefined && !NAME_RE.test(options.name)) {
    throw new FactoryFailure(
      'worktree-name-invalid',
      `Worktree name "${options.name}" may only use letters, digits, ".", "_" and "-".`,
      {
        exitCode: ExitCode.invalid,
      },
    );
  }
  if (strategy.type === 'head' && options.copyToWorktree?.length) {
    throw new FactoryFailure(
      'copy-with-head',
      'copyToWorktree is not supported with the head branch strategy (there is no separate worktree).',
      {
        exitCode: ExitCode.invalid,
      },
    );
  }
  if (strategy.type === 'merge-to-head' && facts.currentBranch === undefined) {
    throw new FactoryFailure(
      'detached-head',
      'merge-to-head needs a branch checked out in the repository (HEAD is detached).',
      {
        exitCode: ExitCode.invalid,
        hint: 'git switch <branch>, or use the branch strategy.',
      },
    );
  }
  const factoryDir = join(facts.repoRoot, '.factory');
  await ensureFactoryDir(factoryDir);
  const targetBranch = facts.currentBranch ?? 'HEAD';
  const setup = { timeoutMs: options.timeouts?.gitSetupMs ?? 120_000, signal: options.signal };

  const info = await withRepoLock(factoryDir, async (): Promise<WorktreeInfo> => {
    if (strategy.type === 'head') {
      const name = options.name ?? 'head';
      return {
        name,
        path: facts.repoRoot,
        repoRoot: facts.repoRoot,
        gitCommonDir: facts.gitCommonDir,
        gitDir: facts.gitCommonDir,
        branch: targetBranch,
        targetBranch,
        baseCommit: facts.headCommit,
        strategy,
        isNew: false,
        stateDir: join(factoryDir, 'sandboxes', name),
      };
    }
    const branch = strategy.type === 'branch' ? strategy.branch : `factory/${options.name ?? generatedName()}`;
    await checkBranchName(facts.repoRoot, branch);
    const name =
      options.name ?? (strategy.type === 'branch' ? nameFromBranch(branch) : branch.slice('factory/'.length));
    const existing = (await listWorktrees(facts.repoRoot)).find((w) => w.branch === branch);
    let path: string;
    let isNew: boolean;
    if (existing) {
      path = await realpath(existing.path);
      if (path === facts.repoRoot) {
        throw new FactoryFailure(
          'branch-checked-out-in-repo',
          `Branch ${branch} is checked out in the repository itself.`,
          {
            exitCode: ExitCode.invalid,
            hint: 'Switch the repository to another branch, or use the head branch strategy.',
          },
        );
      }
      isNew = false; // reuse: the branch keeps its history and any work in progress
    } else {
      path = join(factoryDir, 'worktrees', name);
      if (existsSync(path)) {
        await git(facts.repoRoot, ['worktree', 'prune']);
        if (existsSync(path)) {
          throw new FactoryFailure('worktree-path-taken', `${path} exists but is not a worktree of ${branch}.`, {
            exitCode: ExitCode.invalid,
            hint: 'Pick another name, or move that directory away (it may hold work: factory does not delete it).',
          });
        }
      }
      await mkdir(join(factoryDir, 'worktrees'), { recursive: true });
      if (await branchExists(facts.repoRoot, branch)) {
        await git(facts.repoRoot, ['worktree', 'add', '--', path, branch], setup);
      } else {
        const base = strategy.type === 'branch' && strategy.baseBranch ? strategy.baseBranch : facts.headCommit;
        await git(facts.repoRoot, ['worktree', 'add', '-b', branch, '--', path, base], setup);
      }
      path = await realpath(path);
      isNew = true;
    }
    const gitDir = await realpath(await git(path, ['rev-parse', '--absolute-git-dir']));
    const baseCommit = await git(path, ['rev-parse', 'HEAD']);
    return {
      name,
      path,
      repoRoot: facts.repoRoot,
      gitCommonDir: facts.gitCommonDir,
      gitDir,
      branch,
      targetBranch,
      baseCommit,
      strategy,
      isNew,
      stateDir: join(factoryDir, 'sandboxes', name),
    };
  });

  await mkdir(join(info.stateDir, 'home'), { recursive: true });
  await mkdir(join(info.stateDir, 'tmp'), { recursive: true });
  if (info.path !== info.repoRoot) await ensureFactoryDir(join(info.path, '.factory'));
  const worktree = attachOperations(info, options.timeouts);
  try {
    if (info.isNew && options.copyToWorktree?.length) {
      await copyToWorktree(
        info.repoRoot,
        info.path,
        options.copyToWorktree,
        options.signal,
        options.timeouts?.copyToWorktreeMs,
      );
    }
    await runHostHooks(
      'host.onWorktreeReady',
      options.hooks?.host?.onWorktreeReady,
      info.path,
      { FACTORY_WORKTREE_PATH: info.path, FACTORY_BRANCH: info.branch },
      options.signal,
    );
  } catch (error) {
    // Nothing is deleted on failure: say where the worktree is so the user can look or remove it.
    if (!isFactoryFailure(error) || info.path === info.repoRoot) throw error;
    throw new FactoryFailure(error.code, error.message, {
      exitCode: error.exitCode,
      hint: [error.hint, `The worktree is kept at ${info.path} (branch ${info.branch}).`].filter(Boolean).join('\n'),
      diagnostics: error.diagnostics,
      details: { ...error.details, worktreePath: info.path, branch: info.branch },
    });
  }
  return worktree;
}
