import type { SandboxProvider } from '../types.js';
import { containerProvider, type ContainerOptions } from './container.js';

/**
 * Podman: the same per-exec container as docker (argv in ./container-args.ts), plus `rootfs` to
 * run a directory instead of an image — how it runs on machines with no registry access: a
 * read-only bind mount of `/` as the root filesystem (docs/sandboxes.md has the recipe, including
 * the CONTAINERS_CONF that selects runc and cgroupfs).
 */
export function podman(config: ContainerOptions = {}): SandboxProvider {
  return containerProvider('podman', config);
}
