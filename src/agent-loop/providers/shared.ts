/**
 * The agent providers' shared shape and helpers: the options and identity fields every provider
 * has, the `--model` argument, safe JSON-line access, error-message extraction, the
 * argv size guard, and the host-side preflight probes (find a binary on PATH, run a status command
 * with a bound on time and output).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import type { AgentProvider } from '../types.js';

export type Json = Record<string, unknown>;

/** The options every provider takes besides its own. */
export interface AgentProviderOptions {
  /** Extra environment for the agent process (merged over the inherited one). */
  env?: Record<string, string>;
  /** Executable name or path, when not the CLI's usual name. */
  binary?: string;
}

/** The fields every provider fills the same way: its name, the executable, the model, the env. */
export function providerBase(
  name: string,
  defaultBinary: string,
  model: string | undefined,
  options: AgentProviderOptions,
): Pick<AgentProvider, 'name' | 'binary' | 'model' | 'env'> {
  return { name, binary: options.binary ?? defaultBinary, model, env: options.env ?? {} };
}

/** `[flag, model]` for this call's model (a per-call model wins over the provider's), else nothing. */
export function modelArgs(flag: string, callModel: string | undefined, model: string | undefined): string[] {
  const chosen = callModel ?? model;
  return chosen ? [flag, chosen] : [];
}

/** Parse a JSONL line into an object, or undefined for anything else (banners, blank lines, junk). */
export function parseJsonObject(line: string): Json | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

export function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `{error: "x"}`, `{error: {message}}`, `{error: {data: {message}}}`, `{message}` → the message. */
export function errorMessage(o: Json): string | undefined {
  const err = o.error;
  if (typeof err === 'string') return err;
  const e = obj(err);
  if (e) {
    if (typeof e.message === 'string') return e.message;
    const data = obj(e.data);
    if (data && typeof data.message === 'string') return data.message;
    if (typeof e.name === 'string') return e.name;
  }
  return str(o.message);
}

/** Short human form of a tool's input: the command, path, url or pattern when there is one. */
export function summarizeToolInput(input: unknown): string {
  const o = obj(input);
  if (!o) return typeof input === 'string' ? input : '';
  for (const key of ['command', 'cmd', 'file_path', 'filePath', 'path', 'url', 'pattern', 'query', 'description']) {
    const v = o[key];
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(' ');
  }
  return JSON.stringify(o);
}

/**
 * Linux caps one argv element at 128 KiB (MAX_ARG_STRLEN). CLIs that take the prompt only as an
 * argument get a clear error here instead of a spawn E2BIG.
 */
const MAX_PROMPT_ARG_BYTES = 120 * 1024;
export function assertPromptFitsArgv(agent: string, prompt: string): void {
  const n = Buffer.byteLength(prompt, 'utf8');
  if (n > MAX_PROMPT_ARG_BYTES) {
    throw new FactoryFailure(
      'prompt-too-long',
      `the ${agent} CLI takes the prompt as one argument; this prompt is ${n} bytes (max ${MAX_PROMPT_ARG_BYTES})`,
      {
        exitCode: ExitCode.invalid,
        hint: 'shorten the prompt, or use an agent that reads it from stdin (claude-code, codex, pi, command)',
      },
    );
  }
}

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
