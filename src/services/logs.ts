/**
 * Reading the per-service log files (`factory logs`). Each line is `<ISO time> <out|err|factory> <text>`;
 * several services are merged by time. Following polls the files' sizes (fs.watch misses appends
 * on some filesystems) and prints what was appended.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { instanceFiles } from './paths.js';

export interface LogLine {
  service: string;
  at: string;
  stream: string;
  line: string;
}

const FOLLOW_POLL_MS = 100;

export function parseLogLine(service: string, raw: string): LogLine {
  const m = /^(\S+) (out|err|factory) (.*)$/.exec(raw);
  return m
    ? { service, at: m[1] as string, stream: m[2] as string, line: m[3] as string }
    : { service, at: '', stream: 'out', line: raw };
}

export function logServices(stateDir: string): string[] {
  const dir = instanceFiles(stateDir).logs;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log') && f !== 'supervisor.log')
    .map((f) => basename(f, '.log'))
    .sort();
}

function pick(stateDir: string, service: string | undefined): string[] {
  const all = logServices(stateDir);
  if (service === undefined) return all;
  if (service !== 'supervisor' && !all.includes(service)) {
    throw new FactoryFailure('unknown-service', `no log for service "${service}" in ${instanceFiles(stateDir).logs}`, {
      exitCode: ExitCode.invalid,
      hint: all.length ? `services with logs: ${all.join(', ')}` : 'the instance has not been started',
    });
  }
  return [service];
}

/** The last `n` lines (all services merged by time, or one service); with `match`, of those whose text matches. */
export function tailLogs(stateDir: string, service: string | undefined, n: number, match?: RegExp): LogLine[] {
  const files = instanceFiles(stateDir);
  const lines: LogLine[] = [];
  for (const s of pick(stateDir, service)) {
    const path = s === 'supervisor' ? files.supervisorLog : files.log(s);
    if (!existsSync(path)) continue;
    let parsed = readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((r) => parseLogLine(s, r));
    if (match) parsed = parsed.filter((l) => match.test(l.line));
    lines.push(...parsed.slice(-n));
  }
  lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return lines.slice(-n);
}

/** Print what is appended from now on, until `signal` aborts. */
export async function followLogs(
  stateDir: string,
  service: string | undefined,
  onLine: (l: LogLine) => void,
  signal: AbortSignal,
): Promise<void> {
  const files = instanceFiles(stateDir);
  const offsets = new Map<string, number>();
  const pathOf = (s: string) => (s === 'supervisor' ? files.supervisorLog : files.log(s));
  const partial = new Map<string, string>();
  for (const s of pick(stateDir, service)) offsets.set(s, existsSync(pathOf(s)) ? statSync(pathOf(s)).size : 0);
  while (!signal.aborted) {
    const names = service === undefined ? logServices(stateDir) : [service];
    for (const s of names) {
      const p = pathOf(s);
      if (!existsSync(p)) continue;
      const size = statSync(p).size;
      const from = offsets.get(s) ?? 0;
      if (size < from) offsets.set(s, 0);
      if (size <= from) continue;
      const buf = Buffer.alloc(size - from);
      const fd = openSync(p, 'r');
      try {
        readSync(fd, buf, 0, buf.length, from);
      } finally {
        closeSync(fd);
      }
      offsets.set(s, size);
      const text = (partial.get(s) ?? '') + buf.toString('utf8');
      const parts = text.split('\n');
      partial.set(s, parts.pop() ?? '');
      for (const r of parts) if (r) onLine(parseLogLine(s, r));
    }
    // timers/promises removes its abort listener when the timer fires; one added per poll by hand
    // and never removed made `logs -f` print MaxListenersExceededWarning after a second.
    await sleep(FOLLOW_POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}
