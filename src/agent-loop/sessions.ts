/**
 * Agent sessions on disk. The CLIs keep their sessions under their HOME, filed by working directory:
 *   claude  ~/.claude/projects/<cwd with every non-alphanumeric as "-">/<id>.jsonl
 *           (+ subagent transcripts in <id>/subagents/*.jsonl beside it)
 *   codex   ~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl
 *   pi      ~/.pi/agent/sessions/--<cwd with "/" as "-">--/<time>_<id>.jsonl
 * and record that directory inside the file (./session-rewrite.ts). With `--sandbox none` HOME is
 * yours; with bwrap it is the sandbox's private HOME, kept on the host under
 * `.factory/sandboxes/<name>/home`, and the directory is the run's worktree.
 *
 * One operation moves a session between places: `placeSession` copies the newest copy of a session
 * to where the CLI looks for it from another directory, rewriting the directory recorded inside.
 *   capture  after each iteration: sandbox HOME, worktree → your HOME, the repository (so
 *            `claude --resume ID` works from the repository, and a later run finds it)
 *   resume   before the first iteration: wherever it is → the new sandbox's HOME, its worktree
 * A session resumed from another directory without the rewrite fails: pi refuses a session whose
 * recorded directory is gone (a removed worktree), and looks for it only in the new directory's folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { recordedCwd, rewriteSessionCwd } from './session-rewrite.js';

const MAX_MATCHES = 16;

/** Bounded directory walk for files whose name contains `id` and ends in .jsonl. */
function findFiles(root: string, id: string, maxDepth: number): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const stack: Array<[string, number]> = [[root, 0]];
  let visited = 0;
  while (stack.length > 0 && visited < 20_000 && found.length < MAX_MATCHES) {
    const [dir, depth] = stack.pop() as [string, number];
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const e of entries) {
      visited++;
      const p = join(dir, e);
      if (e.endsWith('.jsonl') && e.includes(id)) {
        found.push(p);
        continue;
      }
      if (depth < maxDepth) {
        try {
          if (statSync(p).isDirectory()) stack.push([p, depth + 1]);
        } catch {
          // vanished
        }
      }
    }
  }
  return found;
}

const ROOTS: Record<string, { dir: string; depth: number }> = {
  'claude-code': { dir: '.claude/projects', depth: 1 },
  codex: { dir: '.codex/sessions', depth: 3 },
  pi: { dir: '.pi/agent/sessions', depth: 1 },
};

/** Whether factory knows where this agent keeps its session files. */
export function hasSessionFiles(agent: string): boolean {
  return agent in ROOTS;
}

function locateAll(agent: string, home: string, sessionId: string): string[] {
  const root = ROOTS[agent];
  if (!root || !/^[A-Za-z0-9_-]+$/.test(sessionId)) return [];
  return findFiles(join(home, root.dir), sessionId, root.depth);
}

export function locateSessionFile(agent: string, home: string, sessionId: string): string | undefined {
  return locateAll(agent, home, sessionId)[0];
}

export function claudeProjectDir(cwd: string): string {
  return cwd.replace(/[^A-Za-z0-9]/g, '-');
}

export function piSessionDir(cwd: string): string {
  return `--${cwd.replace(/^\//, '').replace(/[/:]/g, '-')}--`;
}

/** Where the CLI looks, under `home`, for the session file `found` when started in `cwd`. */
function placeFor(agent: string, found: string, foundHome: string, home: string, cwd: string): string {
  const root = (ROOTS[agent] as { dir: string }).dir;
  if (agent === 'claude-code') return join(home, root, claudeProjectDir(cwd), basename(found));
  if (agent === 'pi') return join(home, root, piSessionDir(cwd), basename(found));
  // codex finds a session by id anywhere under its sessions folder: keep the date layout.
  return join(home, root, relative(join(foundHome, root), found));
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function copyRewritten(agent: string, from: string, to: string, fromCwd: string | undefined, toCwd: string): void {
  const text = readFileSync(from, 'utf8');
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, fromCwd === undefined ? text : rewriteSessionCwd(agent, text, fromCwd, toCwd));
}

export interface SessionPlace {
  /** The HOME the CLI will run with (host path). */
  home: string;
  /** The working directory it will run in. */
  cwd: string;
}

/**
 * Make `sessionId` resumable by the agent running with `to.home` in `to.cwd`: take the newest copy
 * found under `to.home` and `fromHomes`; unless it is already where the CLI looks and records
 * `to.cwd`, write it there with its recorded directory rewritten (claude: with its subagent
 * transcripts). Returns the path there, or undefined when no copy exists anywhere.
 */
export function placeSession(
  agent: string,
  sessionId: string,
  to: SessionPlace,
  fromHomes: string[],
): string | undefined {
  const homes = [...new Set([to.home, ...fromHomes])];
  const candidates = homes.flatMap((home) => locateAll(agent, home, sessionId).map((path) => ({ home, path })));
  if (candidates.length === 0) return undefined;
  const newest = candidates.reduce((a, b) => (mtime(b.path) > mtime(a.path) ? b : a));
  const target = placeFor(agent, newest.path, newest.home, to.home, to.cwd);
  const text = readFileSync(newest.path, 'utf8');
  const fromCwd = recordedCwd(agent, text);
  if (target === newest.path && (fromCwd === undefined || fromCwd === to.cwd)) return target;
  copyRewritten(agent, newest.path, target, fromCwd, to.cwd);
  if (agent === 'claude-code') {
    const subagents = join(dirname(newest.path), sessionId, 'subagents');
    if (existsSync(subagents)) {
      const targetDir = join(dirname(target), sessionId, 'subagents');
      for (const name of readdirSync(subagents).filter((n) => n.endsWith('.jsonl')))
        copyRewritten(agent, join(subagents, name), join(targetDir, name), fromCwd, to.cwd);
    }
  }
  return target;
}

/** Resume: the session into a sandbox's HOME, for the sandbox's working directory. */
export function transferSession(
  agent: string,
  sessionId: string,
  sandboxHome: string,
  cwd: string,
  searchHomes: string[],
): string | undefined {
  return placeSession(agent, sessionId, { home: sandboxHome, cwd }, searchHomes);
}

export interface CapturedSession {
  /** Host path of the session file to report (the captured copy, else the sandbox's). */
  path: string | undefined;
  /** Set when the copy failed; the run goes on. */
  warning?: string;
}

/**
 * Capture: the session an iteration wrote in the sandbox's HOME, copied into `hostHome` for the
 * repository's directory, so `claude --resume ID` (pi `--session ID`, codex `exec resume ID`) works
 * from the repository after the worktree is gone. Never throws: a failed copy is a warning.
 */
export function captureSession(
  agent: string,
  sessionId: string,
  sandboxHome: string,
  to: SessionPlace | undefined,
): CapturedSession {
  const inSandbox = (): string | undefined => locateSessionFile(agent, sandboxHome, sessionId);
  if (!to || !hasSessionFiles(agent)) return { path: inSandbox() };
  try {
    return { path: placeSession(agent, sessionId, to, [sandboxHome]) };
  } catch (e) {
    return {
      path: inSandbox(),
      warning: `could not copy session ${sessionId} into ${to.home} for ${to.cwd}: ${(e as Error).message}`,
    };
  }
}
