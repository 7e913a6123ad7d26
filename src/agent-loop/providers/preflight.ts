/**
 * The host-side preflight probes: find a binary on PATH, run a status command with a bound on time
 * and output, and the failures they report.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';

/** Find an executable the way execvp does: absolute/relative paths as given, bare names on PATH. */
export function findExecutable(name: string, env: Record<string, string | undefined>): string | undefined {
  const candidates = name.includes('/')
    ? [isAbsolute(name) ? name : join(process.cwd(), name)]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function requireExecutable(
  agent: string,
  binary: string,
  env: Record<string, string | undefined>,
  installHint: string,
): string {
  const found = findExecutable(binary, env);
  if (!found) {
    throw new FactoryFailure(
      'agent-missing',
      `the ${agent} agent needs the "${binary}" executable, which is not on PATH`,
      {
        exitCode: ExitCode.unavailable,
        hint: installHint,
        details: { agent, binary },
      },
    );
  }
  return found;
}

export interface ProbeResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const PROBE_OUTPUT_CAP = 64 * 1024;

/**
 * Run a status command (`codex login status`, `claude auth status`) with stdin closed, bounded in
 * time and output, and its process group killed on timeout. Never throws for a non-zero exit.
 */
export function probe(
  argv: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 15_000,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('probe: empty argv');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => kill();
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < PROBE_OUTPUT_CAP) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < PROBE_OUTPUT_CAP) stderr += d;
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      // The status command may have left children holding nothing we read; reap the group anyway.
      kill();
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

export function notLoggedIn(agent: string, detail: string, hint: string): FactoryFailure {
  return new FactoryFailure('agent-not-logged-in', `the ${agent} CLI is not logged in: ${detail}`, {
    exitCode: ExitCode.unavailable,
    hint,
    details: { agent },
  });
}

/** Whether any of the credential variables is set to a non-empty value. */
export function hasAnyEnv(env: Record<string, string | undefined>, names: readonly string[]): boolean {
  return names.some((n) => (env[n] ?? '') !== '');
}
