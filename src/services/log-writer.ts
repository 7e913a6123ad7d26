/**
 * One log file per service, every line timestamped: `2026-11-23T16:55:11.123Z out listening on 20001`
 * (`out`/`err` = the stream). The last lines stay in memory for failure reports.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export const TAIL_LINES = 20;

export class LogWriter {
  private readonly stream: WriteStream;
  private readonly tail: string[] = [];
  private readonly listeners = new Set<(line: string, stream: 'out' | 'err' | 'factory') => void>();
  /** Every line since the current process started, for `log` checks that subscribe late. */
  private sinceStart: string[] = [];

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: 'a' });
  }

  write(stream: 'out' | 'err' | 'factory', line: string): void {
    this.stream.write(`${new Date().toISOString()} ${stream} ${line}\n`);
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    if (stream !== 'factory') {
      this.sinceStart.push(line);
      if (this.sinceStart.length > 10_000) this.sinceStart.shift();
    }
    for (const l of this.listeners) l(line, stream);
  }

  /** A new process starts: `log` checks must not match the previous run's lines. */
  resetRun(): void {
    this.sinceStart = [];
  }

  lastLines(): string[] {
    return [...this.tail];
  }

  /** Replays this run's lines, then follows. Returns the unsubscribe function. */
  subscribe(fn: (line: string) => void): () => void {
    for (const l of this.sinceStart) fn(l);
    const listener = (line: string, stream: string) => {
      if (stream !== 'factory') fn(line);
    };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onAny(fn: (line: string, stream: 'out' | 'err' | 'factory') => void): void {
    this.listeners.add(fn);
  }

  close(): Promise<void> {
    return new Promise((r) => this.stream.end(r));
  }
}
