import { FactoryFailure, ExitCode } from '../lib/failure.js';
import { runProcess } from './run-process.js';
import type { CommitInfo, ExecResult, GitIdentity } from './types.js';

/**
 * Git as the outer process runs it: argv only, never a shell; never `git config --global`
 * (parallel runs would race on ~/.gitconfig, and it is the user's file). Identity, when git needs
 * one the user has not configured, goes in as `-c user.name=… -c user.email=…` for that call only.
 */

/** Used when neither the repo nor the user's config names anyone. */
export const FALLBACK_IDENTITY: GitIdentity = { name: 'factory', email: 'factory@localhost' };

/** Auto-gc would repack the shared object store while other worktrees write to it. */
export const GIT_SAFETY_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
];

/** This process's environment as a plain record, plus `extra`. */
export function hostEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return { ...env, ...extra };
}

/** Env for git calls we parse: no prompts, untranslated messages. */
export function gitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return hostEnv({ GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...extra });
}

export const GIT_TIMEOUT_MS = 60_000;
/** Output kept per stream: enough for a PRD branch's whole `git log`; past it `git()` fails rather than truncate. */
export const GIT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface GitOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Written to git's stdin (a commit message with `--file -`). */
  input?: string;
}

/** Runs git; returns the result whatever the exit code. */
export async function gitRaw(cwd: string, args: string[], options: GitOptions = {}): Promise<ExecResult> {
  const config = GIT_SAFETY_CONFIG.flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  return runProcess(
    { argv: ['git', ...config, ...args], cwd, env: gitEnv(options.env) },
    {
      timeoutMs: options.timeoutMs ?? GIT_TIMEOUT_MS,
      signal: options.signal,
      stdin: options.input,
      maxBufferBytes: GIT_MAX_OUTPUT_BYTES,
    },
  ).done;
}

/** Runs git and returns trimmed stdout; a non-zero exit is a FactoryFailure with git's message. */
export async function git(cwd: string, args: string[], options: GitOptions = {}): Promise<string> {
  const result = await gitRaw(cwd, args, options);
  if (result.exitCode !== 0 || result.stdoutDroppedBytes > 0) {
    const what = result.timedOut
      ? 'timed out'
      : result.aborted
        ? 'was aborted'
        : result.exitCode === 0
          ? `printed more than ${GIT_MAX_OUTPUT_BYTES} bytes`
          : `failed (exit ${result.exitCode})`;
    throw new FactoryFailure(
      'git-failed',
      `git ${args.join(' ')} ${what}: ${result.stderr.trim() || result.stdout.trim()}`,
      {
        exitCode: ExitCode.failed,
        details: { cwd, args, stderr: result.stderr },
      },
    );
  }
  return result.stdout.replace(/\n$/, '');
}

/** The commits in `range` (`base..tip`), oldest first. */
export async function commitsIn(cwd: string, range: string, options: GitOptions = {}): Promise<CommitInfo[]> {
  const out = await git(cwd, ['log', '--reverse', '--format=%H%x00%s', range], options);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sha = '', subject = ''] = line.split('\0');
      return { sha, subject };
    });
}

/** The identity git would use in `cwd`, or the fallback. Reads config; never writes it. */
export async function resolveIdentity(cwd: string): Promise<{ identity: GitIdentity; configured: boolean }> {
  const name = (await gitRaw(cwd, ['config', 'user.name'])).stdout.trim();
  const email = (await gitRaw(cwd, ['config', 'user.email'])).stdout.trim();
  if (name && email) return { identity: { name, email }, configured: true };
  return { identity: FALLBACK_IDENTITY, configured: false };
}

/** `-c` flags that make a commit possible without touching any config file. */
export async function identityArgs(cwd: string): Promise<string[]> {
  const { identity, configured } = await resolveIdentity(cwd);
  return configured ? [] : ['-c', `user.name=${identity.name}`, '-c', `user.email=${identity.email}`];
}

/** Env that sets a commit identity for processes we do not control (agents). */
export function identityEnv(identity: GitIdentity): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  };
}

/** Env that applies GIT_SAFETY_CONFIG to git processes we do not control (no file is written). */
export function safetyConfigEnv(): Record<string, string> {
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(GIT_SAFETY_CONFIG.length) };
  GIT_SAFETY_CONFIG.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}
