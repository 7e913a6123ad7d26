/**
 * Per-instance resolution of the contract's templates and environment.
 *
 * Variables a service sees, lowest precedence first (a later layer wins):
 *   1. the process environment factory runs in
 *   2. `env_file` values (files in declaration order; values are literal, never interpolated)
 *   3. the contract's `env` (templates; they may reference each other, ports and built-ins)
 *   4. port variables `<NAME>_PORT`
 *   5. built-ins (`WORKTREE_ID`, `FACTORY_*`, `COMPOSE_PROJECT_NAME`; see `BUILTIN_NAMES`)
 *   6. for one service: its own `env`, then `SERVICE_NAME` (and `COMPOSE_FILE` for compose services)
 * The compile-time rules forbid `env` keys that shadow layers 4–5, so those can never be overridden.
 *
 * Inside one env map a reference to a sibling key means that sibling's value, except a key's
 * reference to itself, which means the layer below (`PATH: "${PATH}:./bin"`). Cycles between
 * siblings are rejected at compile time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { parseTemplate } from './template.js';
import type { Command, Contract, ServiceSpec, Template } from './types.js';

/** What an instance knows that the contract cannot: its id, its directory and its leased ports. */
export interface InstanceContext {
  worktreeId: string;
  /** The instance's directory, e.g. `<root>/.factory/instances/<id>`. */
  stateDir: string;
  /** Port name → leased port number. */
  ports: Record<string, number>;
  processEnv: NodeJS.ProcessEnv;
  /** First port of the leased block; defaults to the lowest `port - offset` of the contract's ports. */
  portBase?: number;
}

/** Variables factory defines for every instance. Documented in docs/contract.md. */
export const BUILTIN_NAMES = [
  'WORKTREE_ID',
  'FACTORY_WORKTREE_ID',
  'FACTORY_ROOT',
  'FACTORY_STATE_DIR',
  'FACTORY_DATA_DIR',
  'FACTORY_LOG_DIR',
  'FACTORY_RUN_DIR',
  'FACTORY_ARTIFACTS_DIR',
  'FACTORY_PORT_BASE',
  'COMPOSE_PROJECT_NAME',
] as const;

/** Variables factory adds for one service (on top of the built-ins). */
export const SERVICE_BUILTIN_NAMES = ['SERVICE_NAME'] as const;

/** `restate-admin` → `RESTATE_ADMIN_PORT`. */
export function portEnvVar(portName: string): string {
  return `${portName.toUpperCase().replace(/-/g, '_')}_PORT`;
}

/** docker compose project names: lowercase letters, digits, `_` and `-`, starting with a letter or digit. */
export function composeProjectName(prefix: string, worktreeId: string): string {
  const raw = `${prefix}_${worktreeId}`.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
  return /^[a-z0-9]/.test(raw) ? raw : `p${raw}`;
}

function unresolved(name: string, template: string): FactoryFailure {
  return new FactoryFailure('unresolved-variable', `\${${name}} is not defined (in "${template}")`, {
    exitCode: ExitCode.invalid,
    hint: "define it in the contract's env, an env_file, or the environment",
  });
}

/** Resolve `${NAME}` and `$$` in a template. Throws `unresolved-variable` for a name not in `vars`. */
export function resolveTemplate(t: Template, vars: Record<string, string>): string {
  const { parts, error } = parseTemplate(t);
  if (error) throw new FactoryFailure('invalid-template', `${error.message} in "${t}"`, { exitCode: ExitCode.invalid });
  let out = '';
  for (const p of parts) {
    if (p.kind === 'text') out += p.text;
    else {
      const v = vars[p.name];
      if (v === undefined) throw unresolved(p.name, t);
      out += v;
    }
  }
  return out;
}

/**
 * Resolve an env map whose values may reference each other (see the module comment) over `base`.
 * Returns only the map's own keys, resolved. Throws on a cycle (the compile-time check reports it
 * with its location first) and on unresolved names.
 */
export function resolveEnvMap(map: Record<string, Template>, base: Record<string, string>): Record<string, string> {
  const done: Record<string, string> = {};
  const visiting = new Set<string>();
  const visit = (key: string): string => {
    const ready = done[key];
    if (ready !== undefined) return ready;
    if (visiting.has(key)) {
      throw new FactoryFailure(
        'env-cycle',
        `env variables reference each other in a cycle: ${[...visiting, key].join(' → ')}`,
        {
          exitCode: ExitCode.invalid,
        },
      );
    }
    visiting.add(key);
    const template = map[key] as string;
    const { parts, error } = parseTemplate(template);
    if (error)
      throw new FactoryFailure('invalid-template', `${error.message} in ${key}`, { exitCode: ExitCode.invalid });
    let out = '';
    for (const p of parts) {
      if (p.kind === 'text') {
        out += p.text;
      } else if (p.name !== key && Object.hasOwn(map, p.name)) {
        out += visit(p.name);
      } else {
        const v = base[p.name];
        if (v === undefined) throw unresolved(p.name, template);
        out += v;
      }
    }
    visiting.delete(key);
    done[key] = out;
    return out;
  };
  for (const key of Object.keys(map)) visit(key);
  return done;
}

/** Read one env file (dotenv syntax, Node's own parser). Missing → undefined. */
export function readEnvFile(path: string): Record<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The built-in variables of one instance. */
export function builtinVars(contract: Contract, ctx: InstanceContext): Record<string, string> {
  const state = ctx.stateDir;
  const base =
    ctx.portBase ??
    contract.ports.reduce<number | undefined>((min, p) => {
      const port = ctx.ports[p.name];
      if (port === undefined) return min;
      return min === undefined ? port - p.offset : Math.min(min, port - p.offset);
    }, undefined);
  const vars: Record<string, string> = {
    WORKTREE_ID: ctx.worktreeId,
    FACTORY_WORKTREE_ID: ctx.worktreeId,
    FACTORY_ROOT: contract.root,
    FACTORY_STATE_DIR: state,
    FACTORY_DATA_DIR: join(state, 'data'),
    FACTORY_LOG_DIR: join(state, 'logs'),
    FACTORY_RUN_DIR: join(state, 'run'),
    FACTORY_ARTIFACTS_DIR: join(contract.root, '.factory', 'artifacts'),
    COMPOSE_PROJECT_NAME: composeProjectName(contract.isolation.composeProjectPrefix, ctx.worktreeId),
    FACTORY_PORT_BASE: '',
  };
  // Empty only when the contract declares no ports and the caller passed no block base.
  vars.FACTORY_PORT_BASE = base === undefined ? '' : String(base);
  return vars;
}

/**
 * Every variable a service of this instance sees before its own `env`: the process environment,
 * env_file values, the contract's `env` (resolved), port variables and built-ins (see the module
 * comment for precedence). Throws `missing-env-file` for a required env_file that does not exist
 * and `unresolved-variable` for a reference nothing defines.
 */
export function buildInstanceEnv(contract: Contract, ctx: InstanceContext): Record<string, string> {
  const fixed: Record<string, string> = {};
  for (const p of contract.ports) {
    const port = ctx.ports[p.name];
    if (port === undefined) {
      throw new FactoryFailure('port-not-leased', `port "${p.name}" has no leased number`, {
        exitCode: ExitCode.internal,
      });
    }
    fixed[p.envVar] = String(port);
  }
  Object.assign(fixed, builtinVars(contract, ctx));

  const lower: Record<string, string> = stringEnv(ctx.processEnv);
  for (const ref of contract.envFiles) {
    const path = isAbsolute(ref.path) ? ref.path : resolve(contract.root, ref.path);
    const values = readEnvFile(path);
    if (values === undefined) {
      if (!ref.required) continue;
      throw new FactoryFailure('missing-env-file', `env_file ${ref.path} does not exist`, {
        exitCode: ExitCode.unavailable,
        hint: `create it (a setup step may), or if it is optional write it in factory.yaml as { path: ${ref.path}, required: false }`,
      });
    }
    Object.assign(lower, values);
  }
  const below = { ...lower, ...fixed };
  const env = resolveEnvMap(contract.env, below);
  return { ...lower, ...env, ...fixed };
}

/** The variables one service sees: the instance env plus the service's own `env` and `SERVICE_NAME`. */
export function serviceEnv(
  contract: Contract,
  service: ServiceSpec,
  base: Record<string, string>,
): Record<string, string> {
  const extra: Record<string, string> = { SERVICE_NAME: service.name };
  if (service.kind === 'compose' && service.composeFile !== undefined) {
    extra.COMPOSE_FILE = resolve(contract.root, service.composeFile);
  }
  const below = { ...base, ...extra };
  return { ...below, ...resolveEnvMap(service.env, below), ...extra };
}

/** Resolve a templated env map (setup step, test suite) over a base env, returning the merged env. */
export function withEnv(map: Record<string, Template>, base: Record<string, string>): Record<string, string> {
  return { ...base, ...resolveEnvMap(map, base) };
}

/**
 * What to spawn for a command: a shell line goes to `sh -c` untouched (the shell expands `${NAME}`
 * from the environment); an argv has each element resolved by factory and is run without a shell.
 */
export function resolveCommand(cmd: Command, vars: Record<string, string>): { file: string; args: string[] } {
  if (cmd.kind === 'shell') return { file: 'sh', args: ['-c', cmd.line] };
  const [file, ...args] = cmd.argv.map((a) => resolveTemplate(a, vars));
  if (file === undefined)
    throw new FactoryFailure('empty-command', 'empty argv command', { exitCode: ExitCode.invalid });
  return { file, args };
}
