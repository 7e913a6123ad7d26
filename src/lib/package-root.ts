/**
 * The package's own folder (where its package.json is), wherever this module was loaded from:
 * src/lib (tests, tsx), dist/lib (the library) or dist/bundle (the CLI's bundle, ADR 0163). Paths to
 * the package's files (bin/, factory.schema.json, package.json) start here rather than at a fixed
 * number of `..` from one source file, which the bundle would break.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  root = dir;
  return dir;
}

/** The package's version (read on demand: the CLI's hot path reads no extra file). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
