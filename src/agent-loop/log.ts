/**
 * Where a run's progress and the agent's output go: a run log file (default; the CLI prints a
 * `tail -f` hint) or the terminal (stderr, so stdout stays free for `--json`). Both render the same
 * events. Writes to the file are synchronous: the agent's output never piles up in memory waiting
 * for the disk, whatever its size.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { colors } from '../lib/output.js';
import type { RunEvent } from './events.js';
import { describeUsage } from './usage.js';
import { formatIdle } from './idle-notice.js';

/** `agent idle for 2 minutes (stopped at 10 minutes without output)`. */
export function idleMessage(idleSeconds: number, idleTimeoutSeconds: number): string {
  return `agent idle for ${formatIdle(idleSeconds * 1000)} (stopped at ${formatIdle(idleTimeoutSeconds * 1000)} without output)`;
}

export type LoggingOption = { type: 'file'; path: string } | { type: 'terminal' } | { type: 'none' };

export interface RunLog {
  readonly path: string | undefined;
  event(e: RunEvent): void;
  /** A raw stderr chunk of the agent. */
  stderr(chunk: string): void;
  close(): void;
}

export function openRunLog(option: LoggingOption, name: string): RunLog {
  let write: (s: string) => void;
  let close = (): void => {};
  let path: string | undefined;
  const color = option.type === 'terminal' && process.stderr.isTTY === true;
  if (option.type === 'file') {
    path = option.path;
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'a');
    write = (s) => {
      writeSync(fd, s);
    };
    close = () => closeSync(fd);
  } else if (option.type === 'terminal') {
    write = (s) => {
      process.stderr.write(s);
    };
  } else {
    write = () => {};
  }
  const prefix = option.type === 'terminal' ? (color ? colors.dim(`[${name}] `) : `[${name}] `) : '';
  let atLineStart = true;
  const line = (s: string): void => {
    if (!atLineStart) write('\n');
    write(`${prefix + s}\n`);
    atLineStart = true;
  };
  const text = (s: string): void => {
    if (s.length === 0) return;
    // Prefix each new line of the agent's text in terminal mode.
    const body = prefix ? s.replace(/\n(?=.)/g, `\n${prefix}`) : s;
    write((atLineStart ? prefix : '') + body);
    atLineStart = s.endsWith('\n');
  };
  const dim = (s: string): string => (color ? colors.dim(s) : s);
  return {
    path,
    event(e) {
      switch (e.type) {
        case 'text':
          text(e.text);
          break;
        case 'tool':
          line(dim(`⏺ ${e.name}${e.input ? `: ${e.input.length > 300 ? `${e.input.slice(0, 300)}…` : e.input}` : ''}`));
          break;
        case 'result':
          if (e.isError) line(`result (error): ${e.text}`);
          break;
        case 'error':
          line(`agent error${e.code ? ` (${e.code})` : ''}: ${e.message}`);
          break;
        case 'session':
          line(dim(`session ${e.sessionId}`));
          break;
        case 'usage':
          break;
        case 'iteration-start':
          line(`── iteration ${e.iteration}/${e.maxIterations} ──`);
          break;
        case 'iteration-end':
          line(
            dim(
              `iteration ${e.iteration} ended: ${e.reason}${describeUsage(e.usage) ? ` (${describeUsage(e.usage)})` : ''}`,
            ),
          );
          break;
        case 'run-start':
          line(`run ${e.name}: agent ${e.agent}, sandbox ${e.sandbox}, branch ${e.branch}, worktree ${e.worktreePath}`);
          break;
        case 'status':
          line(e.message);
          break;
        case 'warning':
          line(`warning: ${e.message}`);
          break;
        case 'idle':
          line(idleMessage(e.idleSeconds, e.idleTimeoutSeconds));
          break;
        case 'raw':
          line(e.line);
          break;
      }
    },
    stderr(chunk) {
      text(chunk);
    },
    close() {
      if (!atLineStart) write('\n');
      close();
    },
  };
}
