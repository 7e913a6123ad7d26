/**
 * The few git calls the PRD walker makes itself (ledger commits, push), as argv arrays with a
 * timeout each. Worktree creation belongs to src/sandboxes/; this is only what the outer process
 * does on the PRD branch.
 */
import { execFile } from 'node:child_process';
import { FactoryFailure } from '../lib/failure.js';

export const GIT_TIMEOUT_MS = 60_000;

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

/** Run git; resolves with the exit code (never rejects for a non-zero exit). */
export function gitRaw(cwd: string, args: string[], options: GitOptions = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd,
        timeout: options.timeoutMs ?? GIT_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, ...options.env, GIT_TERMINAL_PROMPT: '0' },
        signal: options.signal,
      },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        if (error && typeof code !== 'number') {
          reject(
            new FactoryFailure('git-failed', `git ${args.join(' ')} did not finish: ${error.message}`, {
              details: { cwd, args },
            }),
          );
          return;
        }
        resolve({ code: typeof code === 'number' ? code : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Run git and return trimmed stdout; a non-zero exit is a `git-failed` FactoryFailure. */
export async function git(cwd: string, args: string[], options: GitOptions = {}): Promise<string> {
  const r = await gitRaw(cwd, args, options);
  if (r.code !== 0) {
    throw new FactoryFailure(
      'git-failed',
      `git ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`,
      {
        details: { cwd, args },
      },
    );
  }
  return r.stdout.trim();
}

/**
 * Commit identity for the outer process: the repository's own when it has one; otherwise a fixed
 * factory identity through the environment, so nothing ever writes a git config.
 */
export async function identityEnv(cwd: string): Promise<NodeJS.ProcessEnv> {
  const email = await gitRaw(cwd, ['config', 'user.email']);
  const name = await gitRaw(cwd, ['config', 'user.name']);
  if (email.code === 0 && email.stdout.trim() && name.code === 0 && name.stdout.trim()) return {};
  return {
    GIT_AUTHOR_NAME: 'factory',
    GIT_AUTHOR_EMAIL: 'factory@localhost',
    GIT_COMMITTER_NAME: 'factory',
    GIT_COMMITTER_EMAIL: 'factory@localhost',
  };
}
