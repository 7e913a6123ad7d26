/**
 * Finding and loading factory.yaml: the library entry points `loadContract` (throws on an invalid
 * contract) and `checkContract` (returns the diagnostics, for `factory check`).
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ExitCode, FactoryFailure, type Diagnostic } from '../lib/failure.js';
import { pathKind, requireRegularFile } from '../lib/file-kind.js';
import { compileFile } from './compile.js';
import type { Contract } from './types.js';

export const CONTRACT_FILE = 'factory.yaml';

export interface LoadOptions {
  /** An explicit contract file (`-f`); relative to `cwd`. */
  file?: string;
  /** Where to start looking (default: process.cwd()). */
  cwd?: string;
  /** The environment `${NAME}` references may come from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

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

function locate(opts: LoadOptions): { abs: string; shown: string } {
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
    if (kind === 'directory') {
      const inside = join(abs, CONTRACT_FILE);
      if (!existsSync(inside))
        throw new FactoryFailure('no-contract', `no ${CONTRACT_FILE} in ${opts.file}`, { exitCode: ExitCode.invalid });
      requireRegularFile(inside, join(opts.file, CONTRACT_FILE));
      return { abs: inside, shown: shownPath(cwd, inside) };
    }
    // Before anything opens it: a FIFO would block the read forever, a device never end.
    requireRegularFile(abs, opts.file, kind);
    return { abs, shown: shownPath(cwd, abs) };
  }
  const found = findContractFile(cwd);
  if (!found) {
    throw new FactoryFailure('no-contract', `no ${CONTRACT_FILE} in ${cwd} or its parents`, {
      exitCode: ExitCode.invalid,
      hint: 'run "factory init" to write one, or pass -f <file>',
    });
  }
  requireRegularFile(found, shownPath(cwd, found));
  return { abs: found, shown: shownPath(cwd, found) };
}

function shownPath(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel.startsWith('..') || rel === '' ? abs : rel;
}

/** Compile the contract and return it with every diagnostic (warnings too); never throws for a bad contract. */
export async function checkContract(opts: LoadOptions = {}): Promise<{
  contract?: Contract;
  diagnostics: Diagnostic[] /** absolute */;
  file: string /** as shown in messages */;
  shownFile: string;
}> {
  const { abs, shown } = locate(opts);
  const result = await compileFile(abs, shown, opts.env ?? process.env);
  return { ...result, file: abs, shownFile: shown };
}

/** Load the contract or throw `invalid-contract` (exit 2) with its diagnostics. */
export async function loadContract(opts: LoadOptions = {}): Promise<Contract> {
  return (await loadContractWithWarnings(opts)).contract;
}

/** `loadContract`, also returning the warnings (for commands that print them). */
export async function loadContractWithWarnings(
  opts: LoadOptions = {},
): Promise<{ contract: Contract; warnings: Diagnostic[] }> {
  const { contract, diagnostics } = await checkContract(opts);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!contract || errors.length > 0) {
    throw new FactoryFailure(
      'invalid-contract',
      `${errors.length} problem${errors.length === 1 ? '' : 's'} in ${CONTRACT_FILE}`,
      {
        exitCode: ExitCode.invalid,
        diagnostics,
      },
    );
  }
  return { contract, warnings: diagnostics };
}
