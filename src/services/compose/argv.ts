/**
 * The exact argv factory runs for a compose project, per tool (pure; unit-tested). Every instance
 * has its own project, `-p <prefix>_<worktree id>`, so containers, networks and volumes never
 * collide; `-f` is the derived file (./derive.ts).
 */
import { capsOf, type ComposeTool } from './tool.js';

/** Labels every compose implementation puts on what it creates. */
export const PROJECT_LABEL = 'com.docker.compose.project';

export interface ComposeProject {
  project: string;
  /** The derived compose file (in the instance's run dir). */
  file: string;
  /** Directory of the user's compose file: relative paths and `.env` resolve from here. */
  projectDir: string;
}

function base(tool: ComposeTool, p: ComposeProject): string[] {
  const dir = capsOf(tool.flavor).projectDirectory ? ['--project-directory', p.projectDir] : [];
  return [...tool.command, '-p', p.project, ...dir, '-f', p.file];
}

export function composeUpArgv(tool: ComposeTool, p: ComposeProject, service: string): string[] {
  return [...base(tool, p), 'up', '-d', service];
}

export function composeStopArgv(tool: ComposeTool, p: ComposeProject, service: string, graceMs: number): string[] {
  return [...base(tool, p), 'stop', '-t', String(Math.ceil(graceMs / 1000)), service];
}

/** Follow one service's container output (the service's log in factory). */
export function composeLogsArgv(tool: ComposeTool, p: ComposeProject, service: string): string[] {
  const caps = capsOf(tool.flavor);
  return [...base(tool, p), 'logs', '-f', ...(caps.noLogPrefix ? ['--no-color', '--no-log-prefix'] : []), service];
}

/**
 * Run `cmd` in the service's container. podman-compose 1.0's `exec` exits 0 whatever the command
 * did, so there the container is addressed directly (its name is `<project>_<service>_1`).
 */
export function composeExecArgv(tool: ComposeTool, p: ComposeProject, service: string, cmd: string[]): string[] {
  if (capsOf(tool.flavor).execExitCode) return [...base(tool, p), 'exec', '-T', service, ...cmd];
  return ['podman', 'exec', `${p.project}_${service}_1`, ...cmd];
}

/**
 * `clean`: remove the project's containers, networks and volumes. What a tool leaves behind is
 * removed another way: podman-compose 1.0 rejects `--remove-orphans` and keeps `<project>_default`.
 */
export function composeDownArgvs(tool: ComposeTool, p: ComposeProject): string[][] {
  const caps = capsOf(tool.flavor);
  const down = [...base(tool, p), 'down', '-v', ...(caps.removeOrphans ? ['--remove-orphans'] : [])];
  if (caps.downRemovesNetworks) return [down];
  return [down, ['podman', 'network', 'prune', '-f', '--filter', `label=${PROJECT_LABEL}=${p.project}`]];
}
