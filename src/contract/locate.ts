/**
 * Where the contract is: the one rule every command and layer uses (`loadContract`, the runtime's
 * `locateInstance`, the agent loop's "does this worktree have an app?"). A light entry of the
 * contract layer: it imports only node:fs/path, so `factory status` can find the instance without
 * loading the contract compiler.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { pathKind, requireRegularFile } from '../lib/file-kind.js';

export const CONTRACT_FILE = 'factory.yaml';

/**
 * `factory.yaml` in `cwd`, else in its parents up to the git root (a directory holding `.git`) or
 * the filesystem root. Returns undefined when there is none.
 */
export function findContractFile(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, CONTRACT_FILE);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, '.git'))) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The absolute contract file: `file` (`-f`: a file, or a directory holding factory.yaml; relative
 * to `cwd`), else found upwards from `cwd` by `findContractFile`. Throws `no-contract` (exit 2).
 */
export function locateContractFile(opts: { cwd?: string; file?: string } = {}): string {
  const cwd = resolve(opts.cwd ?? process.cwd());
  if (opts.file !== undefined) {
    if (typeof opts.file !== 'string' || opts.file.trim() === '') {
      throw new FactoryFailure('usage', 'the contract file (-f, --file) needs a path', { exitCode: ExitCode.invalid });
    }
    const abs = resolve(cwd, opts.file);
    const kind = pathKind(abs);
    if (kind === 'missing') {
      throw new FactoryFailure('no-contract', `${opts.file} does not exist`, { exitCode: ExitCode.invalid });
    }
    if (kind !== 'directory') {
      // Before anything opens it: a FIFO would block the read forever, a device never end.
      requireRegularFile(abs, opts.file, kind);
      return abs;
    }
    const inside = join(abs, CONTRACT_FILE);
    if (!existsSync(inside))
      throw new FactoryFailure('no-contract', `no ${CONTRACT_FILE} in ${opts.file}`, { exitCode: ExitCode.invalid });
    requireRegularFile(inside, join(opts.file, CONTRACT_FILE));
    return inside;
  }
  const found = findContractFile(cwd);
  if (!found) {
    throw new FactoryFailure('no-contract', `no ${CONTRACT_FILE} in ${cwd} or its parents`, {
      exitCode: ExitCode.invalid,
      hint: 'run "factory init" to write one, or pass -f <file>',
    });
  }
  requireRegularFile(found, relative(cwd, found) || found);
  return found;
}
