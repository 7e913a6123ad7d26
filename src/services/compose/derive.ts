/**
 * The compose file factory runs for an instance: the user's file with the published ports of every
 * compose service factory manages replaced by `127.0.0.1:<leased>:<container port>` (docs/adr/0015),
 * written to the instance's run dir and passed as the only `-f`.
 *
 * Why a derived file and not an override file: compose merges `ports:` lists (v1 and podman-compose
 * concatenate them; v2 only replaces with `!override`, ≥ 2.24), so an override would keep the file's
 * fixed host port and collide with the next instance. Container ports are read from the user's
 * `ports:` in order and paired with the service's named ports in order.
 *
 * Relative paths (build contexts, bind-mount sources, env_file, extends, configs, secrets) are made
 * absolute against the user's file's directory: podman-compose has no `--project-directory` and
 * resolves them from the derived file's location. The other tools get `--project-directory` too,
 * which also keeps the project's `.env` in effect.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createRequire } from 'node:module';

/**
 * yaml is loaded on first use: a plan without a compose service (the `start` hot path, ADR 0161)
 * never parses a compose file. Required, not imported, because buildPlan is synchronous.
 */
const yaml = (): typeof import('yaml') => createRequire(import.meta.url)('yaml') as typeof import('yaml');
import { ExitCode, FactoryFailure } from '../../lib/failure.js';

/** Names compose itself looks for, in its order. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The user's compose file: `compose_file` (relative to the root), else the first of compose's own names in `cwd`. */
export function locateComposeFile(root: string, cwd: string, composeFile: string | undefined): string {
  if (composeFile !== undefined) return resolve(root, composeFile);
  const found = COMPOSE_FILE_NAMES.map((n) => join(cwd, n)).find((f) => existsSync(f));
  if (found) return found;
  throw new FactoryFailure('compose-file', `no compose file in ${cwd} (looked for ${COMPOSE_FILE_NAMES.join(', ')})`, {
    exitCode: ExitCode.invalid,
    hint: 'add "compose_file: <path>" to the compose service in factory.yaml',
  });
}

/** Container ports a compose service publishes, in file order ("8080:80" → 80, "5432" → 5432, {target: 80} → 80). */
export function containerPorts(ports: unknown): number[] {
  if (!Array.isArray(ports)) return [];
  return ports.map((p) => {
    if (typeof p === 'number') return p;
    if (isObj(p) && 'target' in p) return Number(p.target);
    const spec = String(p).split('/')[0] ?? '';
    const last = spec.split(':').pop() ?? '';
    return Number(last.split('-')[0]);
  });
}

/** A relative host path as compose reads it (`.`, `./x`, `../x`); named volumes and URLs are left alone. */
function absolute(dir: string, p: unknown): unknown {
  if (typeof p !== 'string' || isAbsolute(p) || p.startsWith('~') || p.includes('://')) return p;
  return p === '.' || p.startsWith('./') || p.startsWith('../') ? resolve(dir, p) : p;
}

function absolutePaths(doc: Obj, dir: string): void {
  for (const svc of Object.values(isObj(doc.services) ? doc.services : {})) {
    if (!isObj(svc)) continue;
    if (typeof svc.build === 'string' && !svc.build.includes('://')) svc.build = resolve(dir, svc.build);
    if (isObj(svc.build) && typeof svc.build.context === 'string' && !svc.build.context.includes('://'))
      svc.build.context = resolve(dir, svc.build.context);
    if (Array.isArray(svc.volumes)) {
      svc.volumes = svc.volumes.map((v) => {
        if (typeof v === 'string') {
          const [src, ...rest] = v.split(':');
          return rest.length ? [absolute(dir, src), ...rest].join(':') : v;
        }
        if (isObj(v) && v.type === 'bind') return { ...v, source: absolute(dir, v.source) };
        return v;
      });
    }
    const envFiles = svc.env_file;
    if (typeof envFiles === 'string') svc.env_file = resolve(dir, envFiles);
    if (Array.isArray(envFiles))
      svc.env_file = envFiles.map((e) =>
        typeof e === 'string'
          ? resolve(dir, e)
          : isObj(e) && typeof e.path === 'string'
            ? { ...e, path: resolve(dir, e.path) }
            : e,
      );
    if (isObj(svc.extends) && typeof svc.extends.file === 'string') svc.extends.file = resolve(dir, svc.extends.file);
  }
  for (const key of ['configs', 'secrets']) {
    const top = doc[key];
    if (!isObj(top)) continue;
    for (const entry of Object.values(top))
      if (isObj(entry) && typeof entry.file === 'string') entry.file = resolve(dir, entry.file);
  }
}

/** What factory leases for one compose service: its host ports in the contract's order. */
export interface ManagedComposeService {
  service: string;
  leased: number[];
}

/** A compose file as compose reads it (anchors and merge keys resolved). */
export interface ComposeDoc {
  file: string;
  services: Record<string, Obj>;
  doc: Obj;
}

/** Parse the user's compose file (exit 2 when it is missing, not YAML, or has no services). */
export function readCompose(file: string, text?: string): ComposeDoc {
  let source = text;
  if (source === undefined) {
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      throw new FactoryFailure('compose-file', `cannot read compose file ${file}`, {
        exitCode: ExitCode.invalid,
        hint: 'check "compose_file:" in factory.yaml (relative to its directory)',
      });
    }
  }
  const parsed = yaml().parseDocument(source, { merge: true });
  if (parsed.errors.length > 0) {
    throw new FactoryFailure('compose-file', `${file} is not valid YAML: ${parsed.errors[0]?.message ?? ''}`, {
      exitCode: ExitCode.invalid,
    });
  }
  const doc = parsed.toJS({ maxAliasCount: -1 }) as unknown;
  if (!isObj(doc) || !isObj(doc.services)) {
    throw new FactoryFailure('compose-file', `${file} has no "services:"`, { exitCode: ExitCode.invalid });
  }
  const services: Record<string, Obj> = {};
  for (const [name, svc] of Object.entries(doc.services)) services[name] = isObj(svc) ? svc : {};
  return { file, services, doc };
}

/** One service of the file, or exit 2 naming the ones it has. */
export function composeService(c: ComposeDoc, service: string): Obj {
  const svc = c.services[service];
  if (svc) return svc;
  throw new FactoryFailure('compose-service-unknown', `compose service "${service}" is not in ${c.file}`, {
    exitCode: ExitCode.invalid,
    hint: `its services: ${Object.keys(c.services).join(', ') || 'none'} (set "service:" in factory.yaml to one of them)`,
  });
}

/** The derived compose document (YAML text) with `managed` services' ports replaced. */
export function deriveCompose(c: ComposeDoc, managed: ManagedComposeService[]): string {
  const doc = structuredClone(c.doc);
  const services = doc.services as Record<string, Obj>;
  for (const { service, leased } of managed) {
    composeService(c, service);
    const svc = services[service] as Obj;
    const container = containerPorts(svc.ports);
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
    if (leased.length === 0) delete svc.ports;
    else svc.ports = leased.map((h, i) => `127.0.0.1:${h}:${container[i]}`);
  }
  absolutePaths(doc, dirname(c.file));
  return yaml().stringify(doc);
}
