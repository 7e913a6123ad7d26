/**
 * Library entry of the sandbox layer: worktrees with branch strategies, and sandbox providers
 * behind one interface (./types.ts). See docs/sandboxes.md.
 */
import { FactoryFailure, ExitCode } from '../lib/failure.js';
import { bwrap } from './providers/bwrap.js';
import { docker } from './providers/docker.js';
import { noSandbox } from './providers/none.js';
import { podman } from './providers/podman.js';
import type { SandboxProvider } from './types.js';

export type * from './types.js';
export { commitsIn, git, gitRaw, identityArgs } from './git.js';
export { createWorktree } from './worktree.js';
export { collectCommits, dirtyFiles } from './worktree-ops.js';
export { createSandbox, createWorktreeSandbox, type WorktreeSandbox, type CloseResult } from './sandbox.js';
export type { RawSpawn } from './run-process.js';
export { syncIn, syncOut } from './isolated-sync.js';
export { noSandbox } from './providers/none.js';
export { bwrap, type BwrapOptions } from './providers/bwrap.js';
export { docker } from './providers/docker.js';
export { podman } from './providers/podman.js';
export type { ContainerOptions } from './providers/container.js';
export { wrapperProvider, defineSandboxProvider, type WrapperProviderOptions } from './providers/custom.js';

/** Names accepted by `--sandbox`. */
export const SANDBOX_PROVIDER_NAMES = ['none', 'bwrap', 'docker', 'podman'] as const;
export type SandboxProviderName = (typeof SANDBOX_PROVIDER_NAMES)[number];

/**
 * The built-in provider for a `--sandbox` value. Container settings the CLI has no flags for come
 * from the environment: FACTORY_SANDBOX_IMAGE (docker/podman image), FACTORY_PODMAN_ROOTFS (podman
 * `--rootfs` directory, which also turns `--init` off unless FACTORY_SANDBOX_INIT=1), and the
 * engines' own variables (DOCKER_HOST, CONTAINERS_CONF) reach the client unchanged.
 */
export function sandboxProviderByName(name: string, env: NodeJS.ProcessEnv = process.env): SandboxProvider {
  const image = env.FACTORY_SANDBOX_IMAGE || undefined;
  switch (name) {
    case 'none':
      return noSandbox();
    case 'bwrap':
      return bwrap();
    case 'docker':
      return docker({ image });
    case 'podman': {
      const rootfs = env.FACTORY_PODMAN_ROOTFS || undefined;
      return podman({ image, rootfs, init: rootfs ? env.FACTORY_SANDBOX_INIT === '1' : undefined });
    }
    default:
      throw new FactoryFailure('sandbox-provider-unknown', `Unknown sandbox provider "${name}".`, {
        exitCode: ExitCode.invalid,
        hint: `Use one of: ${SANDBOX_PROVIDER_NAMES.join(', ')} (or pass your own provider through the library API).`,
      });
  }
}
