import { FactoryFailure, ExitCode } from '../lib/failure.js';
import { runHostHooks, runSandboxHooks } from './hooks.js';
import type { CreateSandboxOptions, Sandbox } from './types.js';

/**
 * Makes a sandbox on a worktree and runs its ready hooks:
 *   provider.available → provider.create → host.onSandboxReady ∥ sandbox.onSandboxReady
 * If a hook fails, the sandbox is closed (the worktree is left as it is) and the failure thrown.
 */
export async function createSandbox(options: CreateSandboxOptions): Promise<Sandbox> {
  const { provider, hooks, ...createOptions } = options;
  const availability = await provider.available();
  if (!availability.ok) {
    throw new FactoryFailure('sandbox-unavailable', `Sandbox provider ${provider.name} cannot run here: ${availability.reason}`, {
      exitCode: ExitCode.unavailable,
      hint: 'Pick another one with --sandbox (none, bwrap, docker, podman).',
    });
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
