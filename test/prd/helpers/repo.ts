import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throwaway git repository with a local PRD backlog; real git, removed by `dispose`. */
export interface TestRepo {
  root: string;
  write(rel: string, text: string): void;
  read(rel: string): string;
  git(...args: string[]): string;
  /** Commits on `branch` that are not on main, oldest first: "subject\n\nbody". */
  branchLog(branch: string): { sha: string; message: string }[];
  dispose(): void;
}

export function createRepo(files: Record<string, string>): TestRepo {
  const root = mkdtempSync(join(tmpdir(), 'prd-walk-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Test User');
  git('config', 'user.email', 'test@example.com');
  git('config', 'commit.gpgsign', 'false');
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return {
    root,
    write,
    read: (rel) => readFileSync(join(root, rel), 'utf8'),
    git,
    branchLog(branch) {
      const out = git('log', '--reverse', '--format=%H%x1f%B%x1e', `main..${branch}`);
      return out
        .split('\x1e')
        .map((r) => r.trim())
        .filter(Boolean)
        .map((r) => {
          const [sha = '', message = ''] = r.split('\x1f');
          return { sha, message: message.trim() };
        });
    },
    dispose() {
      try {
        git('worktree', 'prune');
      } catch {
        // best effort
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A fake-agent script embedded in a task body (the fake agent reads the first one in its prompt). */
export function script(steps: unknown[]): string {
  return `<fake-script>${JSON.stringify(steps)}</fake-script>`;
}

/** A task file of the local backlog: front matter (`kind`, then `extra` lines), title, body. */
export const task = (kind: string, title: string, body: string, extra = '') =>
  `---\nkind: ${kind}\n${extra}---\n# ${title}\n\n${body}\n`;

export const DONE = { say: 'done <promise>COMPLETE</promise>' };
