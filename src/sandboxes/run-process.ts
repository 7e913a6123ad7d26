import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { FactoryFailure, ExitCode } from '../lib/failure.js';
import { confirmGone, descendantsOf, signalTree } from './process-tree.js';
import { TailBuffer } from './tail-buffer.js';
import type { ExecOptions, ExecResult, SandboxProcess } from './types.js';

/** Output kept per stream in `ExecResult` unless the caller says otherwise. */
export const DEFAULT_MAX_BUFFER_BYTES = 1024 * 1024;
/** SIGTERM → this long → SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 2_000;
/**
 * After the main process exits we kill what is left of its tree; if a process that escaped the
 * group still holds the pipes open, stop waiting for them after this long.
 */
const PIPE_DRAIN_MS = 1_000;
/** How long a killed exec waits for its tree to be gone before it reports (bounded: never hangs). */
const KILL_CONFIRM_MS = 3_000;

export interface RawSpawn {
  /** argv[0] is the executable (looked up in PATH of `env`). */
  argv: string[];
  /** Host cwd of the spawned process (for bwrap/containers: where the wrapper itself runs). */
  cwd: string;
  /** The complete environment (not merged with process.env here). */
  env: Record<string, string>;
  /**
   * Extra teardown when the exec is killed (abort/timeout/idle/close), for wrappers whose client
   * process is not the real parent of the work (a container engine: `<engine> rm -f <name>`).
   */
  onKill?: () => Promise<void> | void;
  /** Teardown once the exec ended, however it ended (a container the engine does not remove itself). */
  onExit?: () => Promise<void> | void;
}

/**
 * The one wrapper every sandbox command goes through.
 *
 * States: starting → running → (exited | killing → exited) → done.
 * - The child gets its own process group (`detached`), so a kill reaches its whole tree.
 * - abort / timeout / idle → SIGTERM to the tree, SIGKILL after `killGraceMs`.
 * - When the main process exits, whatever is left of its group is killed: an exec never leaves
 *   a process behind (a background `cmd &` does not outlive the exec that started it).
 * - stdout/stderr stream to the callbacks; only a bounded tail is kept for the result.
 */
export function runProcess(raw: RawSpawn, options: ExecOptions = {}): SandboxProcess {
  const [file, ...args] = raw.argv;
  if (file === undefined)
    throw new FactoryFailure('sandbox-empty-argv', 'Cannot run an empty command.', { exitCode: ExitCode.internal });
  const started = Date.now();
  const limit = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
  const grace = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const out = new TailBuffer(limit);
  const err = new TailBuffer(limit);
  const outDecoder = new StringDecoder('utf8');
  const errDecoder = new StringDecoder('utf8');

  const child = spawn(file, args, {
    cwd: raw.cwd,
    env: raw.env,
    // Interactive: stay in our (foreground) process group so the terminal's reads and Ctrl-C reach
    // the command; the tree is then found through /proc only.
    detached: !options.interactive,
    stdio: options.interactive ? 'inherit' : [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid;

  let reason: 'timeout' | 'idle' | 'abort' | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let exited = false;
  /** Teardown started by `onKill`; the result waits for it (a container must be gone first). */
  let teardown: Promise<void> = Promise.resolve();
  /** The tree as it was when the kill started (see confirmGone). */
  let doomed: number[] = [];
  const killTree = (why: typeof reason): void => {
    if (reason !== undefined || exited || pid === undefined) return;
    reason = why;
    doomed = descendantsOf(pid);
    if (raw.onKill) teardown = Promise.resolve(raw.onKill()).catch(() => {});
    signalTree(pid, 'SIGTERM');
    killTimer = setTimeout(() => signalTree(pid, 'SIGKILL'), grace);
    killTimer.unref();
  };

  let idleTimer: NodeJS.Timeout | undefined;
  const armIdle = (): void => {
    if (options.idleTimeoutMs === undefined) return;
    if (idleTimer) idleTimer.refresh();
    else idleTimer = setTimeout(() => killTree('idle'), options.idleTimeoutMs);
  };
  armIdle();
  const totalTimer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => killTree('timeout'), options.timeoutMs);
  const onAbort = (): void => killTree('abort');
  if (options.signal?.aborted) queueMicrotask(onAbort);
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  child.stdout?.on('data', (chunk: Buffer) => {
    armIdle();
    out.push(chunk);
    if (options.onStdout) options.onStdout(outDecoder.write(chunk));
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    armIdle();
    err.push(chunk);
    if (options.onStderr) options.onStderr(errDecoder.write(chunk));
  });
  if (options.stdin !== undefined && child.stdin && !options.interactive) {
    child.stdin.on('error', () => {}); // EPIPE when the command does not read stdin: not our failure
    child.stdin.end(options.stdin);
  }

  const done = new Promise<ExecResult>((resolve, reject) => {
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idleTimer);
      clearTimeout(totalTimer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      const outRest = outDecoder.end();
      const errRest = errDecoder.end();
      if (outRest && options.onStdout) options.onStdout(outRest);
      if (errRest && options.onStderr) options.onStderr(errRest);
      const result: ExecResult = {
        exitCode,
        signal: exitSignal,
        stdout: out.toString(),
        stderr: err.toString(),
        stdoutDroppedBytes: out.dropped,
        stderrDroppedBytes: err.dropped,
        timedOut: reason === 'timeout',
        idle: reason === 'idle',
        aborted: reason === 'abort',
        durationMs: Date.now() - started,
      };
      void teardown
        .then(() => (reason !== undefined ? confirmGone(doomed, KILL_CONFIRM_MS) : undefined))
        .then(() => raw.onExit?.())
        .catch(() => {})
        .then(() => resolve(result));
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(idleTimer);
      clearTimeout(totalTimer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        new FactoryFailure('sandbox-spawn-failed', `Cannot start ${file}: ${error.message}`, {
          exitCode: ExitCode.unavailable,
          hint: error.code === 'ENOENT' ? `Is ${file} installed and on PATH?` : undefined,
        }),
      );
    });
    child.once('exit', (code, signal) => {
      exited = true;
      exitCode = code;
      exitSignal = signal;
      // Reap what the main process left behind in its group (and descendants still attached).
      if (pid !== undefined) signalTree(pid, 'SIGKILL');
      const drain = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, PIPE_DRAIN_MS);
      drain.unref();
      child.once('close', () => {
        clearTimeout(drain);
        finish();
      });
    });
  });

  return {
    pid,
    kill: () => killTree('abort'),
    done,
  };
}
