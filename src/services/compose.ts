/**
 * compose services: the exact `docker compose` argv factory runs, and the override file that maps
 * the instance's leased ports (docs/adr/0015). Every instance gets its own project,
 * `<prefix>_<worktree id>`, so containers, networks and volumes never collide.
 *
 * The override replaces (`!override`, compose ≥ 2.24) the service's `ports:` with
 * `127.0.0.1:<leased>:<container port>`, the container ports read from the user's compose file in
 * order and paired with the service's named ports in order. Replacing rather than merging matters:
 * a merged list would keep the file's fixed host port and collide with the next instance.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

export interface ComposeTarget {
  project: string;
  /** Absolute path of the user's compose file (undefined: compose's own discovery in cwd). */
  file?: string;
  overrideFile: string;
  service: string;
}

function fileArgs(t: ComposeTarget): string[] {
  return [...(t.file ? ['-f', t.file] : []), '-f', t.overrideFile];
}

export function composeUpArgv(t: ComposeTarget): string[] {
  return ['docker', 'compose', '-p', t.project, ...fileArgs(t), 'up', '-d', t.service];
}

export function composeStopArgv(t: ComposeTarget, graceMs: number): string[] {
  return [
    'docker',
    'compose',
    '-p',
    t.project,
    ...fileArgs(t),
    'stop',
    '-t',
    String(Math.ceil(graceMs / 1000)),
    t.service,
  ];
}

export function composeDownArgv(t: Pick<ComposeTarget, 'project'>): string[] {
  return ['docker', 'compose', '-p', t.project, 'down', '-v', '--remove-orphans'];
}

/** Container ports a compose service publishes, in file order ("8080:80" → 80, "5432" → 5432, {target: 80} → 80). */
export function containerPorts(composeText: string, service: string): number[] {
  const doc = parse(composeText) as { services?: Record<string, { ports?: unknown[] }> } | null;
  const ports = doc?.services?.[service]?.ports ?? [];
  return ports.map((p) => {
    if (typeof p === 'number') return p;
    if (typeof p === 'object' && p !== null && 'target' in p) return Number((p as { target: unknown }).target);
    const spec = String(p).split('/')[0] ?? '';
    const last = spec.split(':').pop() ?? '';
    return Number(last.split('-')[0]);
  });
}

/** The override document mapping each named port (in order) to the service's container ports. */
export function composeOverride(service: string, leased: number[], container: number[]): string {
  if (container.length < leased.length) {
    throw new FactoryFailure(
      'compose-ports',
      `compose service "${service}" publishes ${container.length} port(s) but factory leases ${leased.length} for it`,
      {
        exitCode: ExitCode.invalid,
        hint: 'list the container ports under the service\'s "ports:" in the compose file',
      },
    );
  }
  const doc = { services: { [service]: { ports: leased.map((h, i) => `127.0.0.1:${h}:${container[i]}`) } } };
  // `!override` replaces the list instead of appending to the file's fixed host ports.
  return stringify(doc).replace(/^(\s+)ports:\n/m, '$1ports: !override\n');
}

/** Read the user's compose file and build the override for one service. */
export function buildOverride(
  root: string,
  composeFile: string | undefined,
  service: string,
  leased: number[],
): string {
  const file = resolve(root, composeFile ?? 'compose.yaml');
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    if (leased.length > 0)
      throw new FactoryFailure('compose-file', `cannot read compose file ${file}`, { exitCode: ExitCode.invalid });
  }
  return composeOverride(service, leased, leased.length ? containerPorts(text, service) : []);
}
