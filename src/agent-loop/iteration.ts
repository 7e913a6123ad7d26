/**
 * One iteration: one agent invocation inside the sandbox, watched until it ends.
 *
 *   running ──(completion signal in the agent's text)──▶ completing ──(exit)──────────▶ done
 *      │                                                     └──(grace expires: kill)──▶ done, "hung-after-completion"
 *      ├──(no output for idleTimeoutMs: kill tree)──────────────────────────────────────▶ done, "idle-timeout"
 *      ├──(run aborted: kill tree)──────────────────────────────────────────────────────▶ done, "aborted"
 *      └──(exit)────────────────────────────────────────────────────────────────────────▶ done, "exited"/"failed"
 *
 * The grace timer restarts on every output line after the signal, so trailing usage/result lines
 * are still read; a clean exit always wins the race. Only bounded tails are kept in memory.
 */
import type { Sandbox } from '../sandboxes/index.js';
import type { IterationEndReason, LifecycleEvent } from './events.js';
import { LineSplitter, TextTail } from './lines.js';
import type { AgentEvent, AgentInvocation, AgentProvider, Usage } from './types.js';
import { addUsage } from './usage.js';
import { IdleNotices } from './idle-notice.js';

/** Agent text kept per iteration (completion signal, structured output, result text). */
const TEXT_TAIL_CHARS = 2 * 1024 * 1024;
const RAW_EVENT_MAX_CHARS = 4096;
/** Unparsed stdout lines kept for a failure message (a CLI's plain-text error before it exits). */
const RAW_TAIL_LINES = 5;
const RAW_TAIL_LINE_CHARS = 500;

export interface IterationInput {
  sandbox: Sandbox;
  provider: AgentProvider;
  invocation: AgentInvocation;
  env: Record<string, string>;
  /** Inside the sandbox; default its workdir. */
  cwd?: string;
  completionSignals: readonly string[];
  idleTimeoutMs: number;
  /** While the agent is silent, an `idle` event after each interval of silence (0 = none). */
  idleNoticeMs: number;
  completionTimeoutMs: number;
  signal?: AbortSignal;
  emit(e: AgentEvent | LifecycleEvent): void;
  onStderr(chunk: string): void;
}

export interface IterationOutcome {
  reason: IterationEndReason;
  exitCode: number | null;
  sessionId: string | undefined;
  usage: Usage | undefined;
  completionSignal: string | undefined;
  /** The last ~2 MiB of the agent's text (text and result events). */
  text: string;
  /** The last `result` event's text, if the provider emits one. */
  resultText: string | undefined;
  /** The last error event (authentication_failed, API errors). */
  lastError: { message: string; code?: string } | undefined;
  /**
   * What the agent's stream last said about a failure: the most recent error event's message or
   * error result's text (claude's `result` with `is_error: true`, codex's `turn.failed`).
   */
  lastErrorSaid: string | undefined;
  /** The last few stdout lines no parser understood (a plain-text `Error: …` on stdout), bounded. */
  rawTail: string[];
  stderrTail: string;
  durationMs: number;
}

export async function runIteration(input: IterationInput): Promise<IterationOutcome> {
  const { provider, completionSignals } = input;
  const maxSignal = Math.max(1, ...completionSignals.map((s) => s.length));
  const tail = new TextTail(TEXT_TAIL_CHARS);
  let recent = '';
  let sessionId: string | undefined;
  let cumulative: Usage | undefined;
  let summed: Usage | undefined;
  let resultText: string | undefined;
  let lastError: IterationOutcome['lastError'];
  let lastErrorSaid: string | undefined;
  const rawTail: string[] = [];
  let matched: string | undefined;
  let hung = false;
  let graceTimer: NodeJS.Timeout | undefined;
  // Set once the process exists; the grace timer needs it.
  let kill: () => void = () => {};
  const idle = new IdleNotices(input.idleNoticeMs, input.idleTimeoutMs, (idleMs) =>
    input.emit({ type: 'idle', idleSeconds: idleMs / 1000, idleTimeoutSeconds: input.idleTimeoutMs / 1000 }),
  );

  const seeText = (piece: string): void => {
    tail.push(piece);
    if (matched !== undefined) return;
    recent += piece;
    matched = completionSignals.find((s) => recent.includes(s));
    recent = recent.slice(-(maxSignal - 1) || recent.length);
    if (matched !== undefined) {
      idle.stop();
      graceTimer = setTimeout(() => {
        hung = true;
        kill();
      }, input.completionTimeoutMs);
    }
  };

  const onLine = (line: string, truncated: boolean): void => {
    graceTimer?.refresh();
    const events = provider.parseLine(line);
    if (events.length === 0) {
      if (line.trim() !== '' && !line.trimStart().startsWith('{')) {
        rawTail.push(line.length > RAW_TAIL_LINE_CHARS ? `${line.slice(0, RAW_TAIL_LINE_CHARS)}…` : line);
        if (rawTail.length > RAW_TAIL_LINES) rawTail.shift();
        input.emit({
          type: 'raw',
          line: line.length > RAW_EVENT_MAX_CHARS || truncated ? `${line.slice(0, RAW_EVENT_MAX_CHARS)}…` : line,
        });
      }
      return;
    }
    for (const e of events) {
      switch (e.type) {
        case 'session':
          sessionId = e.sessionId;
          break;
        case 'text':
          seeText(e.text);
          break;
        case 'result':
          resultText = e.text;
          if (e.isError && e.text.trim() !== '') lastErrorSaid = e.text;
          // A result repeats the final text; check it for the signal on its own as well.
          seeText(`\n${e.text}`);
          break;
        case 'usage':
          if (e.cumulative) cumulative = e.usage;
          else summed = addUsage(summed, e.usage);
          break;
        case 'error':
          lastError = e.code !== undefined ? { message: e.message, code: e.code } : { message: e.message };
          lastErrorSaid = e.message;
          break;
        case 'tool':
          break;
      }
      input.emit(e);
    }
  };
  const splitter = new LineSplitter(onLine);

  const proc = input.sandbox.spawn(input.invocation.argv, {
    env: { ...provider.env, ...input.env, ...(input.invocation.env ?? {}) },
    ...(input.cwd ? { cwd: input.cwd } : {}),
    ...(input.invocation.stdin !== undefined ? { stdin: input.invocation.stdin } : {}),
    onStdout: (chunk) => {
      idle.activity();
      splitter.push(chunk);
    },
    onStderr: (chunk) => {
      idle.activity();
      input.onStderr(chunk);
    },
    ...(input.signal ? { signal: input.signal } : {}),
    idleTimeoutMs: input.idleTimeoutMs,
    // Only the tails matter: the stream was already parsed and logged.
    maxBufferBytes: 64 * 1024,
  });
  kill = () => proc.kill();
  let result: Awaited<typeof proc.done>;
  try {
    result = await proc.done;
  } finally {
    clearTimeout(graceTimer);
    idle.stop();
  }
  splitter.end();

  let reason: IterationEndReason;
  if (matched !== undefined && (hung || result.idle || result.aborted) && !input.signal?.aborted)
    reason = 'hung-after-completion';
  else if (input.signal?.aborted || result.aborted) reason = 'aborted';
  else if (result.idle) reason = 'idle-timeout';
  else if (matched !== undefined) reason = 'completion-signal';
  else if (result.exitCode === 0) reason = 'exited';
  else reason = 'failed';

  return {
    reason,
    exitCode: result.exitCode,
    sessionId,
    usage: cumulative ?? summed,
    completionSignal: matched,
    text: tail.toString(),
    resultText,
    lastError,
    lastErrorSaid,
    rawTail,
    stderrTail: result.stderr.slice(-4000),
    durationMs: result.durationMs,
  };
}
