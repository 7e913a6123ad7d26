/**
 * A setup step's fingerprint: what must be unchanged for a repeat run to be skipped.
 *
 * It covers the step's definition (command, cwd, its own env after resolution) and the content of
 * every file its `inputs` globs match, in a stable order. Content, not mtimes: a checkout, a branch
 * switch or `touch` does not change it, an edit does. Files are hashed in parallel; inputs are small
 * declared files (lockfiles, scripts), so this stays well under the 300 ms budget of a no-op setup.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SetupStep } from '../contract/index.js';

/** Bump when the fingerprint's recipe changes, so old fingerprints never match. */
const RECIPE = 'factory-setup-v1';

/** Directories never walked by input globs (a glob naming them explicitly still can). */
const IGNORE = ['**/node_modules/**', '**/.git/**', '**/.factory/**'];

export interface Fingerprint {
  hash: string;
  /** Number of input files hashed. */
  files: number;
}

/** Glob syntax (tinyglobby/picomatch): anything else is a literal path. */
const MAGIC = /[*?[\]{}()!]/;

async function kindOf(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const st = await stat(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Files (relative to `root`, sorted) that the step's input globs match. Literal paths (the usual
 * lockfiles and scripts) are checked with one stat each; the glob library is loaded only for real
 * patterns, which keeps a no-change `factory setup` fast.
 */
export async function inputFiles(root: string, step: SetupStep): Promise<string[]> {
  if (step.inputs.length === 0) return [];
  const patterns = step.inputs.filter((p) => MAGIC.test(p));
  const found: string[] = [];
  await Promise.all(
    step.inputs
      .filter((p) => !MAGIC.test(p))
      .map(async (p) => {
        const kind = await kindOf(join(root, p));
        if (kind === 'file') found.push(p.replace(/^\.\//, ''));
        else if (kind === 'dir') patterns.push(p); // the glob library expands a directory to its files
      }),
  );
  if (patterns.length === 0) return [...new Set(found)].sort();
  const { glob } = await import('tinyglobby');
  const matches = await glob(patterns, {
    cwd: root,
    // A step that names one of these directories in its inputs gets them walked.
    ignore: step.inputs.some((p) => /node_modules|\.git\b|\.factory/.test(p)) ? [] : IGNORE,
    onlyFiles: true,
    dot: true,
    expandDirectories: true,
  });
  return [...new Set([...found, ...matches])].sort();
}

export async function fingerprintStep(
  root: string,
  step: SetupStep,
  stepEnv: Record<string, string>,
): Promise<Fingerprint> {
  const files = await inputFiles(root, step);
  const digests = await Promise.all(
    files.map(async (f) =>
      createHash('sha256')
        .update(await readFile(join(root, f)))
        .digest('hex'),
    ),
  );
  const h = createHash('sha256');
  h.update(JSON.stringify({ recipe: RECIPE, command: step.command, cwd: step.cwd, env: sortedEntries(stepEnv) }));
  files.forEach((f, i) => {
    h.update(`\0${f}\0${digests[i]}`);
  });
  return { hash: h.digest('hex'), files: files.length };
}

function sortedEntries(env: Record<string, string>): [string, string][] {
  return Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
