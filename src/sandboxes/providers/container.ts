import { randomBytes } from 'node:crypto';
import { hostEnv } from '../git.js';
import { runProcess } from '../run-process.js';
import type { Mount, NetworkMode, Sandbox, SandboxCreateOptions, SandboxProvider } from '../types.js';
import { makeSandbox, resolveMounts, sandboxBaseEnv, prepareSandboxDirs } from './base.js';
import { containerRunArgs } from './container-args.js';
import { FACTORY_ROOT, hiddenDirs, toolDirs } from './tool-dirs.js';

export interface ContainerOptions {
  /** Image to run (must hold the agent's CLI and git). Default `factory-sandbox:local`. */
  image?: string;
  /** Podman only: run a root filesystem directory instead of an image (`--rootfs`). */
  rootfs?: string;
  /** uid:gid inside; default the host's (files the agent writes stay yours). */
  user?: string;
  /** 'host' (default: the app is reachable), 'loopback'/'none', or a named engine network. */
  network?: NetworkMode | { name: string };
  mounts?: Mount[];
  /** Env for the engine client itself (e.g. CONTAINERS_CONF, DOCKER_HOST). */
  clientEnv?: Record<string, string>;
  selinuxLabel?: 'z' | 'Z';
  /** Appended before the image (e.g. ['--cpus', '2'], ['--device', '/dev/kvm']). */
  extraArgs?: string[];
  /**
   * Run an init as pid 1 (default true). Podman needs the `catatonit` package for it. Without it the
   * command itself is pid 1; its namespace still dies with it, so nothing is left behind either way.
   */
  init?: boolean;
  /** Engine binary; default `docker` / `podman`. */
  binary?: string;
}

function hostUser(): string {
  const uid = process.getuid?.() ?? 1000;
  const gid = process.getgid?.() ?? 1000;
  return `${uid}:${gid}`;
}

/** docker() and podman() differ only in the binary and podman's --rootfs. */
export function containerProvider(engine: 'docker' | 'podman', config: ContainerOptions = {}): SandboxProvider {
  const binary = config.binary ?? engine;
  const clientEnv = (): Record<string, string> => hostEnv(config.clientEnv);
  return {
    name: engine,
    kind: 'bind-mount',
    available: async () => {
      try {
        const result = await runProcess(
          { argv: [binary, 'info', '--format', '{{json .}}'], cwd: '/', env: clientEnv() },
          { timeoutMs: 15_000 },
        ).done;
        if (result.exitCode === 0) return { ok: true };
        return {
          ok: false,
          reason: `${engine} engine is not usable here: ${result.stderr.trim().split('\n').slice(-1)[0] ?? ''}`,
        };
      } catch {
        return { ok: false, reason: `${engine} is not installed.` };
      }
    },
    create: async (options: SandboxCreateOptions): Promise<Sandbox> => {
      const { worktree } = options;
      const { home, tmp } = await prepareSandboxDirs(worktree);
      const env = await sandboxBaseEnv(options, home, tmp);
      const network = options.network ?? config.network ?? 'host';
      const image = config.rootfs
        ? ({ kind: 'rootfs', path: config.rootfs } as const)
        : ({ kind: 'image', name: config.image ?? 'factory-sandbox:local' } as const);
      // A host root filesystem shows the host: hide /tmp and the homes as bwrap does (./container-args.ts).
      const hidden = image.kind === 'rootfs' ? hiddenDirs() : [];
      const tools =
        image.kind === 'rootfs'
          ? toolDirs({ ...process.env, ...options.env }.PATH ?? '', FACTORY_ROOT, ['/tmp', ...hidden])
          : [];
      return makeSandbox({
        provider: engine,
        kind: 'bind-mount',
        worktreePath: worktree.path,
        workdir: worktree.path,
        home,
        hostHome: home,
        env,
        wrap: (argv, cwd, execEnv, interactive) => {
          const containerName = `factory-${worktree.name}-${randomBytes(4).toString('hex')}`.slice(0, 120);
          const args = containerRunArgs({
            engine,
            containerName,
            image,
            worktree,
            home,
            tmp,
            user: config.user ?? hostUser(),
            network,
            ports: options.ports ?? [],
            mounts: resolveMounts([...(config.mounts ?? []), ...(options.mounts ?? [])], worktree.repoRoot),
            // An image has its own PATH; a host rootfs shares ours.
            envNames: Object.keys(execEnv)
              .filter((name) => image.kind === 'rootfs' || name !== 'PATH')
              .sort(),
            cwd,
            argv,
            selinuxLabel: config.selinuxLabel,
            extraArgs: config.extraArgs,
            init: config.init,
            tty: interactive,
            hiddenDirs: hidden,
            toolDirs: tools,
            autoRemove: engine === 'podman',
          });
          // `docker rm -f` kills at once; podman would wait its stop timeout without `-t 0`.
          const rm = engine === 'podman' ? ['rm', '-f', '-t', '0', containerName] : ['rm', '-f', containerName];
          const remove = async () => {
            await runProcess({ argv: [binary, ...rm], cwd: '/', env: clientEnv() }, { timeoutMs: 30_000 }).done;
          };
          return {
            argv: [binary, ...args],
            cwd: worktree.path,
            // The client reads `-e NAME` values from its own env; its own settings come first.
            env: { ...clientEnv(), ...execEnv },
            // The engine client is not the parent of the work: remove the container itself.
            onKill: remove,
            // docker runs without --rm (see autoRemove): the container goes once the exec ended.
            ...(engine === 'docker' ? { onExit: remove } : {}),
          };
        },
      });
    },
  };
}
