/**
 * What `factory init` can learn from a repository without running anything: the package manager
 * (lockfiles), package.json scripts (and those of workspace packages), docker compose services
 * with their published ports, and Procfile processes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageManager } from '../types.js';
import { type ComposeServiceInfo, composeServices } from './detect-compose.js';
import { type WorkspaceApp, workspaceDirs, workspaceGlobs } from './detect-workspaces.js';

export interface Detected {
  packageManager?: PackageManager;
  hasPackageJson: boolean;
  /** package.json script names that exist, in the order init uses them. */
  scripts: string[];
  /** The text of the scripts init runs (`dev`, `start`), to see which tool they start. */
  scriptText: Record<string, string>;
  /** Workspace packages with a `dev` script. */
  workspaceApps: WorkspaceApp[];
  composeFile?: string;
  composeServices: string[];
  compose: ComposeServiceInfo[];
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
/** Workspace packages init looks at (a monorepo with hundreds is not a starter's business). */
const MAX_WORKSPACES = 50;

function readSmall(path: string): string | undefined {
  try {
    if (!statSync(path).isFile() || statSync(path).size > MAX_READ) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readPackage(path: string): Record<string, unknown> | undefined {
  const text = readSmall(path);
  if (text === undefined) return undefined;
  try {
    const pkg = JSON.parse(text) as unknown;
    return pkg !== null && typeof pkg === 'object' && !Array.isArray(pkg) ? (pkg as Record<string, unknown>) : {};
  } catch {
    return {}; // An unparsable package.json: still a Node project, without scripts.
  }
}

function scriptsOf(pkg: Record<string, unknown>): Record<string, string> {
  const s = pkg.scripts;
  if (s === null || typeof s !== 'object') return {};
  return Object.fromEntries(Object.entries(s).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function detect(dir: string): Detected {
  const out: Detected = {
    hasPackageJson: false,
    scripts: [],
    scriptText: {},
    workspaceApps: [],
    composeServices: [],
    compose: [],
    procfile: [],
  };
  const lock = LOCKFILES.find(([f]) => existsSync(join(dir, f)));
  const pkg = readPackage(join(dir, 'package.json'));
  if (pkg !== undefined) {
    out.hasPackageJson = true;
    const scripts = scriptsOf(pkg);
    out.scripts = SCRIPTS.filter((s) => scripts[s] !== undefined);
    for (const s of ['dev', 'start']) if (scripts[s] !== undefined) out.scriptText[s] = scripts[s];
    const field = typeof pkg.packageManager === 'string' ? pkg.packageManager.split('@')[0] : undefined;
    if (!lock && (field === 'npm' || field === 'pnpm' || field === 'yarn' || field === 'bun'))
      out.packageManager = field;
    out.packageManager ??= lock?.[1] ?? 'npm';
    const globs = workspaceGlobs(pkg, readSmall(join(dir, 'pnpm-workspace.yaml')));
    for (const ws of workspaceDirs(dir, globs).slice(0, MAX_WORKSPACES)) {
      const dev = scriptsOf(readPackage(join(dir, ws, 'package.json')) ?? {}).dev;
      if (dev !== undefined) out.workspaceApps.push({ dir: ws, dev });
    }
  } else if (lock) {
    out.packageManager = lock[1];
  }

  for (const f of COMPOSE_FILES) {
    const text = readSmall(join(dir, f));
    if (text === undefined) continue;
    out.composeFile = f;
    out.compose = composeServices(text);
    out.composeServices = out.compose.map((s) => s.name);
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
