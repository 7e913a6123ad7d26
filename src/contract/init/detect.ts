/**
 * What `factory init` can learn from a repository without running anything: the package manager
 * (lockfiles), package.json scripts, docker compose services and Procfile processes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { PackageManager } from '../types.js';

export interface Detected {
  packageManager?: PackageManager;
  hasPackageJson: boolean;
  /** package.json script names that exist, in the order init uses them. */
  scripts: string[];
  composeFile?: string;
  composeServices: string[];
  procfile: { name: string; command: string }[];
}

const LOCKFILES: [string, PackageManager][] = [
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];
const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const SCRIPTS = ['dev', 'start', 'test', 'typecheck', 'lint'];
/** Files init reads are small; skip anything larger rather than parse it. */
const MAX_READ = 1024 * 1024;

function readSmall(path: string): string | undefined {
  try {
    if (!statSync(path).isFile() || statSync(path).size > MAX_READ) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function detect(dir: string): Detected {
  const out: Detected = { hasPackageJson: false, scripts: [], composeServices: [], procfile: [] };
  const lock = LOCKFILES.find(([f]) => existsSync(join(dir, f)));
  const pkgText = readSmall(join(dir, 'package.json'));
  if (pkgText !== undefined) {
    out.hasPackageJson = true;
    try {
      const pkg = JSON.parse(pkgText) as { scripts?: Record<string, unknown>; packageManager?: unknown };
      const scripts = pkg.scripts ?? {};
      out.scripts = SCRIPTS.filter((s) => typeof scripts[s] === 'string');
      const field = typeof pkg.packageManager === 'string' ? pkg.packageManager.split('@')[0] : undefined;
      if (!lock && (field === 'npm' || field === 'pnpm' || field === 'yarn' || field === 'bun'))
        out.packageManager = field;
    } catch {
      // An unparsable package.json: still a Node project, without scripts.
    }
    out.packageManager ??= lock?.[1] ?? 'npm';
  } else if (lock) {
    out.packageManager = lock[1];
  }

  for (const f of COMPOSE_FILES) {
    const text = readSmall(join(dir, f));
    if (text === undefined) continue;
    out.composeFile = f;
    const doc = parseDocument(text);
    if (doc.errors.length === 0) {
      try {
        const data = doc.toJS({ maxAliasCount: 100 }) as { services?: Record<string, unknown> } | null;
        if (data && typeof data.services === 'object' && data.services)
          out.composeServices = Object.keys(data.services);
      } catch {
        // aliases beyond the limit: leave services empty
      }
    }
    break;
  }

  const procfile = readSmall(join(dir, 'Procfile'));
  if (procfile !== undefined) {
    for (const line of procfile.split(/\r?\n/)) {
      const m = /^([A-Za-z0-9_-]+):\s*(.+)$/.exec(line.trim());
      if (m) out.procfile.push({ name: (m[1] as string).toLowerCase(), command: (m[2] as string).trim() });
    }
  }
  return out;
}
