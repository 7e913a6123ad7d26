import type { SandboxProvider } from '../types.js';
import { containerProvider, type ContainerOptions } from './container.js';

/**
 * Docker: one `docker run --rm --init` per exec (argv in ./container-args.ts). Needs an image with
 * git and the agent's CLI; the default name is `factory-sandbox:local`. Runs for real only where a
 * Docker engine answers `docker info` (`available()` says why not).
 */
export function docker(config: Omit<ContainerOptions, 'rootfs'> = {}): SandboxProvider {
  return containerProvider('docker', config);
}
