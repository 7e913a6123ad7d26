/**
 * Run one command to completion: the piece `factory setup` and `factory test` share.
 *
 * The child gets its own process group (detached) so that a timeout or Ctrl-C kills everything it
 * started (npm's children, node --test's workers), not just the shell. Output goes to a log file
 * and, chunk by chunk, to `onOutput` (the human renderer); nothing is buffered in memory beyond the
 * last few KiB kept for the failure message.
 *
 *   spawned ──exit──▶ exited(code)
 *      │
 *      ├─timeout──▶ SIGTERM group ──grace──▶ SIGKILL group ──▶ timed-out
 *      └─abort────▶ (same) ──▶ interrupted
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { resolveCommand } from '../contract/light.js';
import type { Command } from '../contract/index.js';

/** Time between SIGTERM and SIGKILL when a command must stop. */
const KILL_GRACE_MS = 3000;
const TAIL_BYTES = 4096;

export interface CommandRun {
  outcome: 'exited' | 'timed-out' | 'interrupted' | 'spawn-error';
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  durationMs: number;
  /** Last lines of combined output, for failure messages. */
  tail: string;
  error?: string;
}

export interface RunCommandOptions {
  command: Command;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  logFile: string;
  /** Append to the log instead of starting it afresh (several commands of one test suite). */
  appendLog?: boolean;
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

export async function runCommand(opts: RunCommandOptions): Promise<CommandRun> {
  await mkdir(dirname(opts.logFile), { recursive: true });
  const log = createWriteStream(opts.logFile, { flags: opts.appendLog ? 'a' : 'w' });
  const { file, args } = resolveCommand(opts.command, opts.env);
  const started = Date.now();
  let tail = '';
  let outcome: CommandRun['outcome'] = 'exited';

  const result = await new Promise<CommandRun>((resolve) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (data: Buffer) => {
      log.write(data);
      const text = data.toString('utf8');
      tail = (tail + text).slice(-TAIL_BYTES);
      opts.onOutput?.(text);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);

    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: 'timed-out' | 'interrupted') => {
      if (outcome !== 'exited') return;
      outcome = why;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => stop('timed-out'), opts.timeoutMs);
    const onAbort = () => stop('interrupted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();

    child.on('error', (error) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({
        outcome: 'spawn-error',
        exitCode: null,
        signal: null,
        durationMs: Date.now() - started,
        tail,
        error: error.message,
      });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      // Whatever the leader left behind in its group (a background job of a shell line) goes too.
      killGroup(child.pid, 'SIGKILL');
      resolve({ outcome, exitCode: code, signal, durationMs: Date.now() - started, tail });
    });
  });
  await new Promise<void>((resolve) => log.end(resolve));
  return result;
}
