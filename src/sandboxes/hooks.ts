import { mkdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { FactoryFailure, ExitCode } from '../lib/failure.js';
import { hostEnv } from './git.js';
import { runProcess } from './run-process.js';
import type { ExecResult, HookCommand, Sandbox } from './types.js';

/** Hooks that do not say otherwise get this long. */
export const DEFAULT_HOOK_TIMEOUT_MS = 120_000;
/** copyToWorktree may copy node_modules: allow it time, but not forever. */
export const COPY_TIMEOUT_MS = 120_000;

function hookFailure(where: string, hook: HookCommand, result: ExecResult): FactoryFailure {
  const why = result.timedOut
    ? `timed out after ${hook.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS} ms`
    : result.aborted
      ? 'was aborted'
      : `exited with ${result.exitCode ?? result.signal}`;
  return new FactoryFailure('hook-failed', `${where} hook \`${hook.command}\` ${why}.`, {
    exitCode: result.aborted ? ExitCode.interrupted : ExitCode.failed,
    hint: result.stderr.trim().split('\n').slice(-5).join('\n') || undefined,
    details: { hook: hook.command, where, exitCode: result.exitCode, stderrTail: result.stderr.slice(-4000) },
  });
}

/** Runs host hooks one after another in `cwd` (the worktree); the first failure stops the rest. */
export async function runHostHooks(
  where: string,
  hooks: HookCommand[] | undefined,
  cwd: string,
  env: Record<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  for (const hook of hooks ?? []) {
    const result = await runProcess(
      { argv: ['sh', '-c', hook.command], cwd, env: hostEnv(env) },
      { timeoutMs: hook.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS, signal },
    ).done;
    if (result.exitCode !== 0) throw hookFailure(where, hook, result);
  }
}

/** Runs hooks inside the sandbox one after another. */
export async function runSandboxHooks(
  hooks: HookCommand[] | undefined,
  sandbox: Sandbox,
  signal?: AbortSignal,
): Promise<void> {
  for (const hook of hooks ?? []) {
    const result = await sandbox.exec(['sh', '-c', hook.command], {
      timeoutMs: hook.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
      signal,
    });
    if (result.exitCode !== 0) throw hookFailure('sandbox.onSandboxReady', hook, result);
  }
}

/** A repo-relative path that stays inside the repo, or a FactoryFailure. */
export function checkRelative(path: string): string {
  const clean = normalize(path);
  if (isAbsolute(clean) || clean === '..' || clean.startsWith(`..${sep}`) || clean === '.' || clean === '') {
    throw new FactoryFailure(
      'copy-path-invalid',
      `copyToWorktree path "${path}" must be relative and inside the repository.`,
      {
        exitCode: ExitCode.invalid,
      },
    );
  }
  return clean;
}

/**
 * Copies repo-relative files/dirs from the host repo into a fresh worktree (`cp -a`, symlinks kept,
 * reflinks where the filesystem has them — much faster than a JS copy for node_modules).
 * A missing source is an error: the user asked for it by name.
 */
export async function copyToWorktree(
  repoRoot: string,
  worktreePath: string,
  paths: string[],
  signal?: AbortSignal,
  timeoutMs = COPY_TIMEOUT_MS,
): Promise<void> {
  for (const path of paths) {
    const rel = checkRelative(path);
    const source = join(repoRoot, rel);
    try {
      await stat(source);
    } catch {
      throw new FactoryFailure('copy-source-missing', `copyToWorktree: ${rel} does not exist in ${repoRoot}.`, {
        exitCode: ExitCode.invalid,
      });
    }
    const target = join(worktreePath, rel);
    await mkdir(dirname(target), { recursive: true });
    const result = await runProcess(
      { argv: ['cp', '-a', '--reflink=auto', '-T', '--', source, target], cwd: worktreePath, env: hostEnv() },
      { timeoutMs, signal },
    ).done;
    if (result.exitCode !== 0) {
      throw new FactoryFailure('copy-failed', `copyToWorktree: copying ${rel} failed: ${result.stderr.trim()}`, {
        exitCode: result.aborted ? ExitCode.interrupted : ExitCode.failed,
      });
    }
  }
}
