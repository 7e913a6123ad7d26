/**
 * Which instance `factory setup` and `factory test` act on: its worktree id and state directory
 * (`<root>/.factory/instances/<id>`). Order: `--worktree-id`, then FACTORY_WORKTREE_ID, then the
 * name of the git worktree holding the contract (its top-level directory), else the root's name.
 */
import { execFile } from 'node:child_process';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import type { Contract } from '../contract/types.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

const WORKTREE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface InstanceRef {
  worktreeId: string;
  stateDir: string;
}

async function gitTopLevel(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', '--show-toplevel'], { cwd: dir });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function resolveInstanceRef(contract: Contract, flag?: string, env: NodeJS.ProcessEnv = process.env): Promise<InstanceRef> {
  let id = flag ?? env.FACTORY_WORKTREE_ID;
  if (id === undefined || id === '') {
    const top = await gitTopLevel(contract.root);
    id = basename(top ?? contract.root).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'default';
  }
  if (!WORKTREE_ID_RE.test(id)) {
    throw new FactoryFailure('invalid-worktree-id', `worktree id "${id}" is not valid`, {
      exitCode: ExitCode.invalid,
      hint: 'use letters, digits, ".", "_" and "-" (at most 63), starting with a letter or digit',
    });
  }
  return { worktreeId: id, stateDir: join(contract.root, '.factory', 'instances', id) };
}
