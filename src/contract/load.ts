/**
 * Finding and loading factory.yaml: the library entry points `loadContract` (throws on an invalid
 * contract) and `checkContract` (returns the diagnostics, for `factory check`). Both go through the
 * compiled-contract cache (./cache.ts), which loads the compiler only when the file changed.
 */
import { relative, resolve } from 'node:path';
import { ExitCode, FactoryFailure, type Diagnostic } from '../lib/failure.js';
import { compileCached } from './cache.js';
import { CONTRACT_FILE, locateContractFile } from './locate.js';
import type { Contract } from './types.js';

export interface LoadOptions {
  /** An explicit contract file (`-f`); relative to `cwd`. */
  file?: string;
  /** Where to start looking (default: process.cwd()). */
  cwd?: string;
  /** The environment `${NAME}` references may come from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

function locate(opts: LoadOptions): { abs: string; shown: string } {
  const abs = locateContractFile(opts);
  return { abs, shown: shownPath(resolve(opts.cwd ?? process.cwd()), abs) };
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
  const result = await compileCached(abs, shown, opts.env ?? process.env);
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
