/**
 * `factory init`: detect, render a starter contract, prove it compiles, write it, and make sure
 * `.factory/` (instance state) is git-ignored. Never overwrites a contract without `force`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { packageRoot } from '../../lib/package-root.js';
import { compileText } from '../compile.js';
import { CONTRACT_FILE } from '../locate.js';
import { type Blocker, startBlockers } from './blockers.js';
import { detect, type Detected } from './detect.js';
import { renderStarter } from './render.js';

export interface InitResult {
  file: string;
  overwritten: boolean;
  gitignoreUpdated: boolean;
  detected: Detected;
  services: string[];
  tests: string[];
  /** Why it would not start on this machine as it is (empty: it would). */
  blockers: Blocker[];
  /** The commands that bring it up from here. */
  next: string[];
}

/** The published schema of the running factory (package root/factory.schema.json). */
export const INSTALLED_SCHEMA = join(packageRoot(), 'factory.schema.json');

/**
 * What the `$schema=` line points at: the copy in the project's node_modules when factory is a
 * dependency there (portable across clones), else the running install's absolute path.
 */
export function schemaReference(dir: string): string {
  const local = join(dir, 'node_modules', 'software-factory', 'factory.schema.json');
  if (existsSync(local)) return `./${relative(dir, local).split(sep).join('/')}`;
  return INSTALLED_SCHEMA;
}

export function initContract(opts: { cwd?: string; force?: boolean; env?: NodeJS.ProcessEnv }): InitResult {
  const dir = resolve(opts.cwd ?? process.cwd());
  const file = join(dir, CONTRACT_FILE);
  const exists = existsSync(file);
  if (exists && !opts.force) {
    throw new FactoryFailure('contract-exists', `${CONTRACT_FILE} already exists in ${dir}`, {
      exitCode: ExitCode.invalid,
      hint: 'pass --force to overwrite it, or run "factory check" to validate it',
    });
  }
  const detected = detect(dir);
  const starter = renderStarter(dir, detected, schemaReference(dir));
  const compiled = compileText(starter.text, file, CONTRACT_FILE, {});
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    // A bug in the renderer, not the user's doing: say what it produced.
    throw new Error(
      `factory init rendered an invalid contract: ${errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('; ')}\n${starter.text}`,
    );
  }
  writeFileSync(file, starter.text);
  return {
    file,
    overwritten: exists,
    gitignoreUpdated: ignoreStateDir(dir),
    detected,
    services: starter.services,
    tests: starter.tests,
    blockers: startBlockers(dir, detected, opts.env ?? process.env),
    next: [
      ...(detected.hasPackageJson ? ['factory setup'] : []),
      ...(starter.services.length ? ['factory start'] : []),
    ],
  };
}

/** Add `.factory/` to .gitignore unless a line already ignores it. Returns whether it changed. */
function ignoreStateDir(dir: string): boolean {
  const path = join(dir, '.gitignore');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const ignored = text
    .split(/\r?\n/)
    .some((l) => ['.factory', '.factory/', '/.factory', '/.factory/'].includes(l.trim()));
  if (ignored) return false;
  const sepLine = text === '' || text.endsWith('\n') ? '' : '\n';
  writeFileSync(path, `${text}${sepLine}# factory instance state (logs, data, leases)\n.factory/\n`);
  return true;
}
