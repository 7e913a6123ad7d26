/**
 * Where an instance lives, found WITHOUT loading the contract compiler or spawning git: `status`
 * and `urls` are benchmarked against `node -e 0`, so this module imports only node:fs/path/os/crypto.
 *
 * - contract root: the directory of factory.yaml (found in cwd or its parents up to a `.git`),
 *   src/contract/locate.ts `locateContractFile`, the one rule.
 * - worktree id: `--worktree-id`, else FACTORY_WORKTREE_ID, else the name of the git worktree's top
 *   directory (the nearest ancestor of the root holding `.git`, a directory in the main checkout and
 *   a file in a linked worktree — what `git rev-parse --show-toplevel` prints), else the root's name.
 * - instance dir: `<root>/.factory/instances/<id>/` (state.json, logs/, data/, run/).
 * - machine state dir: FACTORY_STATE_HOME, else $XDG_STATE_HOME/factory, else ~/.local/state/factory.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { locateContractFile } from '../contract/locate.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { machineStateDir } from '../lib/state-home.js';

export { machineStateDir };

const WORKTREE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const MAX_WORKTREE_ID = 64;
/** sun_path is 108 bytes on Linux including the terminating NUL. */
export const MAX_SOCKET_PATH = 107;

export interface InstanceLocation {
  /** Absolute contract file. */
  file: string;
  /** Directory the contract's relative paths resolve from. */
  root: string;
  worktreeId: string;
  /** `<root>/.factory/instances/<id>` */
  stateDir: string;
}

export interface LocateOptions {
  cwd?: string;
  file?: string;
  worktreeId?: string;
  env?: NodeJS.ProcessEnv;
}

export function isValidWorktreeId(id: string): boolean {
  return WORKTREE_ID_RE.test(id) && id.length <= MAX_WORKTREE_ID;
}

export function validateWorktreeId(id: string): string {
  if (!isValidWorktreeId(id)) {
    throw new FactoryFailure('invalid-worktree-id', `worktree id "${id}" is not valid`, {
      exitCode: ExitCode.invalid,
      hint: `use letters, digits, ".", "_" and "-" (at most ${MAX_WORKTREE_ID}), starting with a letter or digit`,
    });
  }
  return id;
}

/** The git worktree's top directory holding `dir` (no git process), or undefined outside git. */
export function gitTopLevel(dir: string): string | undefined {
  let d = resolve(dir);
  for (;;) {
    if (existsSync(join(d, '.git'))) return d;
    const parent = dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}

export function defaultWorktreeId(root: string): string {
  const top = gitTopLevel(root) ?? root;
  const cleaned = basename(top)
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_WORKTREE_ID);
  return cleaned || 'default';
}

export function locateInstance(opts: LocateOptions = {}): InstanceLocation {
  const env = opts.env ?? process.env;
  const file = locateContractFile(opts);
  const root = dirname(file);
  const worktreeId = worktreeIdFor(root, opts.worktreeId, env);
  return { file, root, worktreeId, stateDir: instanceDir(root, worktreeId) };
}

/** The instance id: `--worktree-id`, then FACTORY_WORKTREE_ID, then the git worktree's name. */
export function worktreeIdFor(root: string, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const given = flag ?? (env.FACTORY_WORKTREE_ID || undefined);
  return validateWorktreeId(given ?? defaultWorktreeId(root));
}

export function instanceDir(root: string, worktreeId: string): string {
  return join(root, '.factory', 'instances', worktreeId);
}

/** Files inside one instance dir. */
export function instanceFiles(stateDir: string) {
  return {
    state: join(stateDir, 'state.json'),
    logs: join(stateDir, 'logs'),
    data: join(stateDir, 'data'),
    run: join(stateDir, 'run'),
    plan: join(stateDir, 'run', 'plan.json'),
    supervisorLog: join(stateDir, 'logs', 'supervisor.log'),
    startLock: join(stateDir, 'run', 'start'),
    heartbeat: join(stateDir, 'run', 'heartbeat'),
    log: (service: string) => join(stateDir, 'logs', `${service}.log`),
  };
}
