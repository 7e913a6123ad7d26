/**
 * Which instance a command acts on, with its compiled contract: `resolveInstance` (library API).
 * Loads the contract compiler — commands that only read state use ./paths.ts `locateInstance`.
 */
import { loadContract } from '../contract/light.js';
import type { Contract } from '../contract/index.js';
import { locateInstance, type LocateOptions } from './paths.js';

export interface InstanceOptions {
  cwd?: string;
  /** Contract file (`-f`). */
  file?: string;
  worktreeId?: string;
  /** Environment for `${NAME}` references and FACTORY_* variables (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * The instance as `resolveInstance` returned it, so a caller that makes several calls for one
   * instance (start it, then read its env) compiles the contract once; cwd/file/worktreeId are
   * then not looked at.
   */
  instance?: ResolvedInstance;
}

export interface ResolvedInstance {
  contract: Contract;
  worktreeId: string;
  root: string;
  stateDir: string;
}

export async function resolveInstance(opts: InstanceOptions = {}): Promise<ResolvedInstance> {
  if (opts.instance) return opts.instance;
  const env = opts.env ?? process.env;
  const loc = locateInstance(locate(opts));
  const contract = await loadContract({ file: loc.file, env });
  return { contract, worktreeId: loc.worktreeId, root: contract.root, stateDir: loc.stateDir };
}

export function locate(opts: InstanceOptions): LocateOptions {
  return {
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    ...(opts.file !== undefined ? { file: opts.file } : {}),
    ...(opts.worktreeId !== undefined ? { worktreeId: opts.worktreeId } : {}),
    ...(opts.env !== undefined ? { env: opts.env } : {}),
  };
}
