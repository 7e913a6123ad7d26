import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { FactoryFailure, ExitCode } from '../../lib/failure.js';
import type { RawSpawn } from '../run-process.js';
import type { Sandbox, SandboxCreateOptions, SandboxProvider } from '../types.js';
import { makeSandbox, sandboxBaseEnv } from './base.js';

/**
 * Two ways to bring your own sandbox through the library API:
 *
 * 1. `wrapperProvider` — your isolation is a command prefix (firejail, nsjail, ssh to a box that
 *    mounts the same path, `systemd-run --scope`…). You map (argv, cwd, env) to the host command;
 *    factory keeps the rest: process groups, kill-the-tree, bounded output, timeouts, HOME/TMPDIR.
 * 2. `defineSandboxProvider` — you implement `SandboxProvider` yourself (an isolated VM, a cloud
 *    sandbox). It is checked at the boundary so a missing member fails early with a clear message.
 */

export interface WrapperProviderOptions {
  name: string;
  /** Host command for one exec; `cwd` and `env` are already resolved for inside the sandbox. */
  wrap(
    argv: string[],
    context: { cwd: string; env: Record<string, string>; interactive: boolean; options: SandboxCreateOptions },
  ): RawSpawn;
  available?: SandboxProvider['available'];
}

export function wrapperProvider(config: WrapperProviderOptions): SandboxProvider {
  return {
    name: config.name,
    kind: 'bind-mount',
    available: config.available ?? (async () => ({ ok: true })),
    create: async (options: SandboxCreateOptions): Promise<Sandbox> => {
      const home = join(options.worktree.stateDir, 'home');
      const tmp = join(options.worktree.stateDir, 'tmp');
      await mkdir(home, { recursive: true });
      await mkdir(tmp, { recursive: true });
      return makeSandbox({
        provider: config.name,
        kind: 'bind-mount',
        worktreePath: options.worktree.path,
        workdir: options.worktree.path,
        home,
        hostHome: home,
        env: await sandboxBaseEnv(options, home, tmp),
        wrap: (argv, cwd, env, interactive) => config.wrap(argv, { cwd, env, interactive, options }),
      });
    },
  };
}

const REQUIRED: Array<keyof Sandbox> = ['exec', 'spawn', 'copyIn', 'copyOut', 'close'];

/** Validates a hand-written provider and wraps `create` so a malformed sandbox is caught early. */
export function defineSandboxProvider(provider: SandboxProvider): SandboxProvider {
  if (typeof provider.name !== 'string' || provider.name === '') {
    throw new FactoryFailure('sandbox-provider-invalid', 'A sandbox provider needs a non-empty name.', {
      exitCode: ExitCode.invalid,
    });
  }
  if (provider.kind !== 'bind-mount' && provider.kind !== 'isolated') {
    throw new FactoryFailure(
      'sandbox-provider-invalid',
      `Sandbox provider ${provider.name}: kind must be "bind-mount" or "isolated".`,
      {
        exitCode: ExitCode.invalid,
      },
    );
  }
  if (typeof provider.create !== 'function' || typeof provider.available !== 'function') {
    throw new FactoryFailure(
      'sandbox-provider-invalid',
      `Sandbox provider ${provider.name} must implement available() and create().`,
      {
        exitCode: ExitCode.invalid,
      },
    );
  }
  return {
    ...provider,
    create: async (options) => {
      const sandbox = await provider.create(options);
      const missing = REQUIRED.filter((key) => typeof sandbox[key] !== 'function');
      if (missing.length > 0) {
        throw new FactoryFailure(
          'sandbox-provider-invalid',
          `Sandbox from provider ${provider.name} lacks ${missing.join(', ')}.`,
          {
            exitCode: ExitCode.invalid,
          },
        );
      }
      return sandbox;
    },
  };
}
