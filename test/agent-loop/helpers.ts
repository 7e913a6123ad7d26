import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mount } from '../../src/sandboxes/types.js';
import { REPO_ROOT } from '../helpers/cli.js';

export const FAKE_AGENT = join(REPO_ROOT, 'test/fixtures/agents/fake-agent.mjs');
/** Names the real CLIs are installed under; the fake agent picks its stream format from them. */
export const FAKE_NAMES = ['claude', 'codex', 'opencode', 'cursor-agent', 'copilot', 'pi'] as const;

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface TestRepo {
  root: string;
  repo: string;
  /** Directory holding the fake agent under every CLI name; put it first on PATH. */
  bin: string;
  /** PATH with `bin` first. */
  path: string;
  /** bwrap hides the host's /tmp: the fake's bin dir must be mounted to be seen inside. */
  mounts: Mount[];
  cleanup(): void;
}

/** A real git repo with one commit (local identity only: no global config is touched) and a fake-agent bin dir. */
export function makeRepo(files: Record<string, string> = { 'README.md': '# test\n' }): TestRepo {
  const root = mkdtempSync(join(tmpdir(), 'factory-agent-'));
  const repo = join(root, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.name', 'Test User');
  git(repo, 'config', 'user.email', 'test@example.com');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');
  const bin = join(root, 'bin');
  mkdirSync(bin);
  for (const name of FAKE_NAMES) symlinkSync(FAKE_AGENT, join(bin, name));
  return {
    root,
    repo,
    bin,
    path: `${bin}:${process.env.PATH ?? ''}`,
    mounts: [{ hostPath: bin, sandboxPath: bin, readonly: true }],
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A prompt that carries the fake agent's script. */
export function scripted(steps: unknown, text = 'Do the task.'): string {
  return `${text}\n<fake-script>${JSON.stringify(steps)}</fake-script>\n`;
}

/** Pids of live processes whose command line contains `marker` (a unique string per test). */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (cmdline.includes(marker) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
