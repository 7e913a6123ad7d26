/**
 * Agent sessions on disk. The CLIs keep their sessions under their HOME:
 *   claude  ~/.claude/projects/<cwd with every non-alphanumeric as "-">/<id>.jsonl
 *   codex   ~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl
 *   pi      ~/.pi/agent/sessions/--<cwd with "/" as "-">--/<time>_<id>.jsonl
 * With `--sandbox none` HOME is yours; with bwrap it is the sandbox's private HOME, kept on the host
 * under `.factory/sandboxes/<name>/home`. Capture = find the file and report its host path.
 * Resume into a fresh sandbox = copy the file from wherever it is into that sandbox's HOME, at the
 * place the CLI looks for the new working directory.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

/** Bounded directory walk for a file whose name contains `id` and ends in .jsonl. */
function findFile(root: string, id: string, maxDepth: number): string | undefined {
  if (!existsSync(root)) return undefined;
  const stack: Array<[string, number]> = [[root, 0]];
  let visited = 0;
  while (stack.length > 0 && visited < 20_000) {
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
      if (e.endsWith('.jsonl') && e.includes(id)) return p;
      if (depth < maxDepth) {
        try {
          if (statSync(p).isDirectory()) stack.push([p, depth + 1]);
        } catch {
          // vanished
        }
      }
    }
  }
  return undefined;
}

const ROOTS: Record<string, { dir: string; depth: number }> = {
  'claude-code': { dir: '.claude/projects', depth: 1 },
  codex: { dir: '.codex/sessions', depth: 3 },
  pi: { dir: '.pi/agent/sessions', depth: 1 },
};

export function locateSessionFile(agent: string, home: string, sessionId: string): string | undefined {
  const root = ROOTS[agent];
  if (!root || !/^[A-Za-z0-9_-]+$/.test(sessionId)) return undefined;
  return findFile(join(home, root.dir), sessionId, root.depth);
}

function claudeProjectDir(cwd: string): string {
  return cwd.replace(/[^A-Za-z0-9]/g, '-');
}

/**
 * Make `sessionId` resumable by the agent in `sandboxHome` with working directory `cwd`: when the
 * file is not there yet, copy it from the first of `searchHomes` that has it. Returns the path in
 * the sandbox HOME, or undefined when no copy was found (the CLI then reports the unknown session).
 */
export function transferSession(
  agent: string,
  sessionId: string,
  sandboxHome: string,
  cwd: string,
  searchHomes: string[],
): string | undefined {
  const here = locateSessionFile(agent, sandboxHome, sessionId);
  if (here && (agent !== 'claude-code' || basename(dirname(here)) === claudeProjectDir(cwd))) return here;
  for (const home of searchHomes) {
    if (home === sandboxHome) continue;
    const found = locateSessionFile(agent, home, sessionId);
    if (!found) continue;
    const root = ROOTS[agent] as { dir: string };
    // claude looks the session up under the project dir of the NEW cwd; codex/pi keep their layout.
    const target =
      agent === 'claude-code'
        ? join(sandboxHome, root.dir, claudeProjectDir(cwd), basename(found))
        : join(sandboxHome, root.dir, relative(join(home, root.dir), found));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(found, target);
    return target;
  }
  return here;
}
