import { FactoryFailure, ExitCode } from '../lib/failure.js';
import { runHostHooks, runSandboxHooks } from './hooks.js';
import { createWorktree } from './worktree.js';
import type { CreateSandboxOptions, CreateWorktreeOptions, Sandbox, Worktree } from './types.js';

/**
 * Makes a sandbox on a worktree and runs its ready hooks:
 *   provider.available → provider.create → host.onSandboxReady ∥ sandbox.onSandboxReady
 * If a hook fails, the sandbox is closed (the worktree is left as it is) and the failure thrown.
 */
export async function createSandbox(options: CreateSandboxOptions): Promise<Sandbox> {
  const { provider, hooks, ...createOptions } = options;
  const availability = await provider.available();
  if (!availability.ok) {
    throw new FactoryFailure(
      'sandbox-unavailable',
      `Sandbox provider ${provider.name} cannot run here: ${availability.reason}`,
      {
        exitCode: ExitCode.unavailable,
        hint: 'Pick another one with --sandbox (none, bwrap, docker, podman).',
      },
    );
  }
  const sandbox = await provider.create(createOptions);
  try {
    await Promise.all([
      runHostHooks(
        'host.onSandboxReady',
        hooks?.host?.onSandboxReady,
        options.worktree.path,
        { FACTORY_WORKTREE_PATH: options.worktree.path, FACTORY_BRANCH: options.worktree.branch },
        options.signal,
      ),
      runSandboxHooks(hooks?.sandbox?.onSandboxReady, sandbox, options.signal),
    ]);
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  return sandbox;
}

export interface WorktreeSandbox {
  worktree: Worktree;
  sandbox: Sandbox;
  /** Closes the sandbox, then removes the worktree unless it holds uncommitted work. */
  close(): Promise<CloseResult>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface CloseResult {
  /** Set when the worktree had uncommitted changes and was kept on disk. */
  preservedWorktreePath?: string;
  dirtyFiles?: string[];
}

/**
 * Worktree + sandbox with one owner (Sandcastle's top-level `createSandbox`): `close()` tears
 * down both, keeping a dirty worktree. Commits stay on the branch; call `worktree.finish()` before
 * `close()` to merge them.
 */
export async function createWorktreeSandbox(
  options: CreateWorktreeOptions & Omit<CreateSandboxOptions, 'worktree' | 'hooks' | 'signal'>,
): Promise<WorktreeSandbox> {
  const { repo, branchStrategy, name, copyToWorktree, timeouts, ...sandboxOptions } = options;
  const worktree = await createWorktree({
    repo,
    branchStrategy,
    name,
    copyToWorktree,
    timeouts,
    hooks: options.hooks,
    signal: options.signal,
  });
  let sandbox: Sandbox;
  try {
    sandbox = await createSandbox({ ...sandboxOptions, worktree });
  } catch (error) {
    await worktree.remove(); // keeps it if a hook already left work in it
    throw error;
  }
  const close = async (): Promise<CloseResult> => {
    await sandbox.close();
    const removed = await worktree.remove();
    return removed.removed === false && removed.reason === 'dirty'
      ? { preservedWorktreePath: removed.path, dirtyFiles: removed.dirtyFiles }
      : {};
  };
  return {
    worktree,
    sandbox,
    close,
    [Symbol.asyncDispose]: async () => {
      await close();
    },
  };
}
