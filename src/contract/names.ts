/**
 * The name rules of the contract, shared by the schema (./schema.ts, so editors enforce them) and
 * the messages `factory check` gives for them (./validate.ts). Names of services and ports become
 * file names (`logs/<service>.log`), variables (`<PORT>_PORT`) and compose names, so they use one
 * safe alphabet: no `..`, `/`, spaces or capitals.
 */
import { BUILTIN_NAMES, SERVICE_BUILTIN_NAMES } from './interpolate.js';

/** Service and port names. */
export const NAME_PATTERN = '^[a-z0-9][a-z0-9_-]*$';
/** Variable names (env keys). */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
/** Variables factory sets itself, which an `env` map cannot set. */
export const RESERVED_VARIABLES: readonly string[] = [...BUILTIN_NAMES, ...SERVICE_BUILTIN_NAMES];
/** An env key that is not one of `RESERVED_VARIABLES`. */
export const NOT_RESERVED_PATTERN = `^(?!(?:${RESERVED_VARIABLES.join('|')})$)`;

/** Signals a service may be stopped with (present on Linux and macOS). */
export const STOP_SIGNALS = [
  'HUP',
  'INT',
  'QUIT',
  'ABRT',
  'KILL',
  'USR1',
  'USR2',
  'PIPE',
  'ALRM',
  'TERM',
  'CONT',
  'STOP',
  'TSTP',
  'TTIN',
  'TTOU',
  'URG',
  'XCPU',
  'XFSZ',
  'VTALRM',
  'PROF',
  'WINCH',
  'IO',
  'SYS',
] as const;
export const STOP_SIGNAL_PATTERN = `^(?:SIG)?(?:${STOP_SIGNALS.join('|')})$`;

/** A variable name suggestion for an invalid or reserved one: `my-var` → `MY_VAR`, `WORKTREE_ID` → `APP_WORKTREE_ID`. */
export function suggestVariable(name: string, reserved = false): string {
  const s = name.toUpperCase().replace(/[^A-Z0-9_]+/g, '_');
  const valid = /^[A-Z_]/.test(s) ? s : `_${s}`;
  return reserved ? `APP_${valid}` : valid || 'APP_VALUE';
}

/** A lowercase name suggestion for an invalid one: `My Service` → `my-service`. */
export function suggestName(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '');
  return s || 'app';
}
