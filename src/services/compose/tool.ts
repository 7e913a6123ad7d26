/**
 * The compose tools factory drives, and what each can do. Three implementations exist in the
 * wild behind four commands:
 *
 *   command           implementation           talks to
 *   docker compose    compose v2 (Go plugin)   the Docker API (DOCKER_HOST, default /var/run/docker.sock)
 *   docker-compose    v1 (Python, Debian 12) or a standalone v2 binary — the same API
 *   podman compose    podman ≥ 4.7: runs docker-compose or podman-compose against podman's own socket
 *   podman-compose    podman-compose (Python): runs the podman CLI itself
 *
 * Factory uses only what they share: `-p`, `-f`, `up -d <service>`, `stop -t`, `logs -f`, `exec`,
 * `down -v`. The differences are capabilities (below) that the argv builders consult, so one
 * contract runs on whichever tool a machine has (docs/runtime.md "compose services").
 */

export type ComposeFlavor = 'compose-v2' | 'compose-v1' | 'podman-compose';

/** How the tool is invoked, as `FACTORY_COMPOSE` names it. */
export const COMPOSE_COMMANDS = {
  'docker compose': ['docker', 'compose'],
  'docker-compose': ['docker-compose'],
  'podman compose': ['podman', 'compose'],
  'podman-compose': ['podman-compose'],
} as const satisfies Record<string, readonly string[]>;
export type ComposeCommandName = keyof typeof COMPOSE_COMMANDS;

/** The compose tool the preflight chose for an instance (recorded in state.json, shown by `status`). */
export interface ComposeTool {
  /** `docker compose`, `docker-compose`, `podman compose` or `podman-compose`. */
  name: ComposeCommandName;
  command: string[];
  flavor: ComposeFlavor;
  version: string;
  /** The engine that answered the preflight; null when it could not be asked (a remote DOCKER_HOST over TLS or ssh). */
  engine: { name: string; version: string; endpoint: string } | null;
}

export interface ComposeCaps {
  /** `--project-directory`: relative paths and `.env` resolve from the user's compose file, not the derived one. */
  projectDirectory: boolean;
  /** `down --remove-orphans` (podman-compose 1.0 rejects it). */
  removeOrphans: boolean;
  /** `logs --no-log-prefix` (compose ≥ 1.29). */
  noLogPrefix: boolean;
  /** `exec` exits with the command's code (podman-compose 1.0 always exits 0: use `podman exec`). */
  execExitCode: boolean;
  /** `down -v` removes the project's networks (podman-compose 1.0 leaves `<project>_default`). */
  downRemovesNetworks: boolean;
}

export function capsOf(flavor: ComposeFlavor): ComposeCaps {
  switch (flavor) {
    case 'compose-v2':
    case 'compose-v1':
      return {
        projectDirectory: true,
        removeOrphans: true,
        noLogPrefix: true,
        execExitCode: true,
        downRemovesNetworks: true,
      };
    case 'podman-compose':
      return {
        projectDirectory: false,
        removeOrphans: false,
        noLogPrefix: false,
        execExitCode: false,
        downRemovesNetworks: false,
      };
  }
}

/** "Docker Compose version v2.29.1" · "docker-compose version 1.29.2, build …" · "podman-composer version  1.0.3" */
export function parseComposeVersion(output: string): { flavor: ComposeFlavor; version: string } | undefined {
  const podman = /podman-compos(?:e|er) version:?\s+v?(\d[\w.+-]*)/i.exec(output);
  if (podman?.[1]) return { flavor: 'podman-compose', version: podman[1] };
  const docker = /(?:docker compose|docker-compose) version:?\s+v?(\d[\w.+-]*)/i.exec(output);
  const short = /^v?(\d+\.\d+\.\d+[\w.+-]*)\s*$/m.exec(output);
  const version = docker?.[1] ?? short?.[1];
  if (!version) return undefined;
  return { flavor: version.startsWith('1.') ? 'compose-v1' : 'compose-v2', version };
}
