/**
 * The compiled-contract cache (ADR 0160): `compileCached` returns what `compileFile` would, from
 * `<machine state dir>/cache/contracts/` when nothing the compile read has changed. Every command
 * that loads the contract (check, config, setup, start, env, test, …) goes through it, so only the
 * first of them after an edit pays for YAML, the schema validator and the rules.
 *
 * A compile's result depends on exactly these, and an entry records each of them:
 * - the contract's bytes, its absolute path and the path messages show (the entry's file name is a
 *   hash of all three);
 * - the compiler itself: size and mtime of every module of src/contract and src/lib (a rebuilt or
 *   upgraded factory never reads an older build's entries);
 * - the env files it read (a hash of each one's bytes, or "missing");
 * - the environment names it looked up (`${NAME}` checks): a hash of each one's value, or
 *   "missing" — never the value itself, which may be a secret. A compile that lists the whole
 *   environment (no code does today) is simply not cached.
 *
 * A hit re-checks all of it (a few stats and hashes, ~1 ms). An entry that is unreadable, corrupt or
 * of another format is a miss and gets rewritten; writers write a private temp file and rename it
 * over the entry, so concurrent writers of one entry each leave a whole one. This module loads no
 * YAML, no schema and no compiler: ./compile.ts is imported on a miss only.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../lib/failure.js';
import { machineStateDir } from '../lib/state-home.js';
import type { CompileResult } from './compile.js';
import type { Contract } from './types.js';

/** Bump when the entry's shape changes. */
const FORMAT = 1;
/** As ./read.ts MAX_CONTRACT_BYTES: a larger file goes to the compiler, which reports it. */
const MAX_CACHED_BYTES = 1024 * 1024;
/** `FACTORY_CONTRACT_CACHE=off` compiles every time (benchmarks, debugging the compiler). */
export const CACHE_SWITCH = 'FACTORY_CONTRACT_CACHE';

interface Entry {
  format: number;
  compiler: string;
  file: string;
  shown: string;
  /** Absolute path → sha256 of its bytes, or null when it did not exist. */
  files: Record<string, string | null>;
  /** Environment name → sha256 of its value, or null when it was not set. */
  env: Record<string, string | null>;
  result: { contract?: Contract; diagnostics: Diagnostic[] };
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * `<machine state dir>/cache/contracts`. The state dir is the one `env` names (FACTORY_STATE_HOME or
 * XDG_STATE_HOME), else this process's: an `env` given only for `${NAME}` references (`{}` in a
 * test) does not move the cache to the home directory.
 */
export function contractCacheDir(env: NodeJS.ProcessEnv): string {
  const names = env.FACTORY_STATE_HOME || env.XDG_STATE_HOME;
  return join(machineStateDir(names ? env : process.env), 'cache', 'contracts');
}

let compilerStamp: string | undefined;

/** Size and mtime of every module the compile runs (this folder and ../lib), as one hash. */
function compiler(): string {
  if (compilerStamp) return compilerStamp;
  const here = dirname(fileURLToPath(import.meta.url));
  const parts: string[] = [String(FORMAT)];
  for (const dir of [here, join(here, '..', 'lib')]) {
    for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
      if (!/\.[cm]?[jt]s$/.test(rel) || rel.endsWith('.d.ts')) continue;
      const st = statSync(join(dir, rel), { throwIfNoEntry: false });
      if (st?.isFile()) parts.push(`${rel}:${st.size}:${st.mtimeMs}`);
    }
  }
  compilerStamp = sha(parts.join('\n'));
  return compilerStamp;
}

function hashFile(path: string): string | null {
  try {
    return sha(readFileSync(path));
  } catch {
    return null;
  }
}

const hashEnv = (value: string | undefined) => (value === undefined ? null : sha(value));

/**
 * The environment as the compiler sees it, recording each name it asks about. `listed` turns true
 * if anything enumerates it: then the result depends on every name and is not cached.
 */
function recordingEnv(env: NodeJS.ProcessEnv): {
  env: NodeJS.ProcessEnv;
  seen: Map<string, string | null>;
  listed: () => boolean;
} {
  const seen = new Map<string, string | null>();
  let listed = false;
  const note = (k: string | symbol) => {
    if (typeof k === 'string' && !seen.has(k)) seen.set(k, hashEnv(env[k]));
  };
  const proxy = new Proxy(env, {
    has(t, k) {
      note(k);
      return k in t;
    },
    get(t, k) {
      note(k);
      return Reflect.get(t, k);
    },
    getOwnPropertyDescriptor(t, k) {
      note(k);
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
    ownKeys(t) {
      listed = true;
      return Reflect.ownKeys(t);
    },
  });
  return { env: proxy, seen, listed: () => listed };
}

/** The entry's file: one per (contract path, shown path), named `<place>-<content>.json`. */
function entryPath(dir: string, abs: string, shown: string, text: Buffer): { place: string; path: string } {
  const place = sha(`${abs}\0${shown}`).slice(0, 24);
  const content = sha(Buffer.concat([Buffer.from(`${compiler()}\0`), text])).slice(0, 24);
  return { place, path: join(dir, `${place}-${content}.json`) };
}

function valid(e: unknown, abs: string, shown: string): e is Entry {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Partial<Entry>;
  return (
    x.format === FORMAT &&
    x.compiler === compiler() &&
    x.file === abs &&
    x.shown === shown &&
    typeof x.files === 'object' &&
    x.files !== null &&
    typeof x.env === 'object' &&
    x.env !== null &&
    typeof x.result === 'object' &&
    x.result !== null &&
    Array.isArray(x.result.diagnostics)
  );
}

function fresh(e: Entry, env: NodeJS.ProcessEnv): boolean {
  for (const [path, hash] of Object.entries(e.files)) if (hashFile(path) !== hash) return false;
  for (const [name, hash] of Object.entries(e.env)) if (hashEnv(env[name]) !== hash) return false;
  return true;
}

function read(path: string, abs: string, shown: string, env: NodeJS.ProcessEnv): Entry | undefined {
  let e: unknown;
  try {
    e = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined; // missing, unreadable or corrupt: a miss (the compile rewrites it)
  }
  return valid(e, abs, shown) && fresh(e, env) ? e : undefined;
}

let counter = 0;

function write(dir: string, place: string, path: string, entry: Entry): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.${++counter}.tmp`;
    writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(tmp, path);
    // The place's older entries (an earlier version of the file) are dead: keep one per place.
    for (const name of readdirSync(dir)) {
      if (name.startsWith(`${place}-`) && name.endsWith('.json') && join(dir, name) !== path)
        rmSync(join(dir, name), { force: true });
    }
  } catch {
    // A cache that cannot be written (read-only home, full disk) only costs the next compile.
  }
}

/** `compileFile(abs, shown, env)`, from the cache when nothing it read has changed. */
export async function compileCached(
  abs: string,
  shown: string,
  env: NodeJS.ProcessEnv,
): Promise<Omit<CompileResult, 'inputs'>> {
  const compile = async (e: NodeJS.ProcessEnv) => (await import('./compile.js')).compileFile(abs, shown, e);
  const st = statSync(abs, { throwIfNoEntry: false });
  if ((env[CACHE_SWITCH] ?? process.env[CACHE_SWITCH]) === 'off' || !st?.isFile() || st.size > MAX_CACHED_BYTES)
    return compile(env);
  let text: Buffer;
  try {
    text = readFileSync(abs);
  } catch {
    return compile(env); // the compiler reports why it cannot be read
  }
  const dir = contractCacheDir(env);
  const { place, path } = entryPath(dir, abs, shown, text);
  const hit = read(path, abs, shown, env);
  if (hit) return hit.result;
  const rec = recordingEnv(env);
  const result = await compile(rec.env);
  // The compile read the file again: cache only if it read the bytes the entry is named after.
  if (!rec.listed() && hashFile(abs) === sha(text)) {
    const files: Record<string, string | null> = {};
    for (const f of result.inputs) files[f] = hashFile(f);
    write(dir, place, path, {
      format: FORMAT,
      compiler: compiler(),
      file: abs,
      shown,
      files,
      env: Object.fromEntries(rec.seen),
      result: { ...(result.contract ? { contract: result.contract } : {}), diagnostics: result.diagnostics },
    });
  }
  return { ...(result.contract ? { contract: result.contract } : {}), diagnostics: result.diagnostics };
}
