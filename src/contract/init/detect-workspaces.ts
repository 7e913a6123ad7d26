/**
 * Workspace packages with a `dev` script (npm/yarn/bun `workspaces`, pnpm-workspace.yaml): in a
 * monorepo each is an app of its own, which `factory init` runs as a service with its own port
 * (the seed's diffie: packages/api, packages/app, packages/website).
 */
import { globSync } from 'tinyglobby';
import { parse } from 'yaml';

export interface WorkspaceApp {
  /** Relative to the repository root, `/`-separated. */
  dir: string;
  /** The `dev` script's text (to see which tool it runs). */
  dev: string;
}

/** Workspace globs: package.json `workspaces` (a list or `{ packages }`), else pnpm-workspace.yaml `packages`. */
export function workspaceGlobs(pkg: Record<string, unknown>, pnpmWorkspace: string | undefined): string[] {
  const w = pkg.workspaces;
  const list = Array.isArray(w) ? w : w && typeof w === 'object' ? (w as { packages?: unknown }).packages : undefined;
  if (Array.isArray(list)) return list.filter((g): g is string => typeof g === 'string');
  if (pnpmWorkspace === undefined) return [];
  try {
    const packages = (parse(pnpmWorkspace) as { packages?: unknown } | null)?.packages;
    return Array.isArray(packages) ? packages.filter((g): g is string => typeof g === 'string') : [];
  } catch {
    return [];
  }
}

/** Directories the workspace globs name, relative to `root`, sorted. */
export function workspaceDirs(root: string, globs: string[]): string[] {
  if (globs.length === 0) return [];
  const dirs = globSync(globs, {
    cwd: root,
    onlyDirectories: true,
    ignore: ['**/node_modules/**'],
    expandDirectories: false,
  });
  return [...new Set(dirs.map((d) => d.replace(/\/+$/, '')))].filter((d) => d !== '' && d !== '.').sort();
}
