import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { packageRoot as factoryRoot } from '../../lib/package-root.js';

/**
 * Directories whose executables a sandboxed agent needs although bwrap hides where they live
 * (/tmp and the homes are empty tmpfs inside): factory's own install and every PATH entry (real
 * paths). npm-style bin dirs hold symlinks into `../lib/node_modules/<pkg>` (nvm, `npm -g` with a
 * home prefix), so for each symlink leading out of its bin dir the target's package root is added
 * too — not the whole prefix, which may hold secrets (`~/.local/share`).
 * bwrapArgs re-binds, read-only, only the dirs strictly inside a hidden location.
 */

/** Host dirs that may hold someone's secrets: hidden behind empty tmpfs (bwrap, a podman host rootfs). */
export function hiddenDirs(): string[] {
  const dirs = new Set(['/root', '/home']);
  const home = process.env.HOME;
  if (home && home !== '/' && existsSync(home)) dirs.add(home);
  return [...dirs].filter((d) => existsSync(d));
}

/** factory's own package root (the one the running code is in: src/, dist/ or dist/bundle/). */
export const FACTORY_ROOT = factoryRoot();

/** Bin dirs are small; a huge PATH dir is not scanned for symlinks past this many entries. */
const MAX_SCAN = 1_000;

function packageRoot(file: string, inside: (dir: string) => boolean): string {
  let dir = dirname(file);
  while (inside(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return dirname(file);
}

export function toolDirs(path: string, factoryRoot: string, hiddenRoots: string[]): string[] {
  const inside = (dir: string): boolean => hiddenRoots.some((root) => dir.startsWith(`${root}/`));
  const dirs = new Set<string>([factoryRoot]);
  for (const entry of path.split(delimiter)) {
    if (!isAbsolute(entry) || !existsSync(entry)) continue;
    const dir = realpathSync(entry);
    dirs.add(dir);
    if (!inside(dir)) continue;
    let names: string[];
    try {
      names = readdirSync(dir).slice(0, MAX_SCAN);
    } catch {
      continue;
    }
    for (const name of names) {
      let target: string;
      try {
        target = realpathSync(join(dir, name));
      } catch {
        continue; // dangling link
      }
      if (target.startsWith(`${dir}/`) || !inside(target)) continue;
      dirs.add(packageRoot(target, inside));
    }
  }
  return [...dirs].filter((d) => d !== '/');
}
