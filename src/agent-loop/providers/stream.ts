/**
 * Safe access to one line of an agent's JSON stream: a providers' `parseLine` is pure and never
 * throws, whatever the CLI printed.
 */
export type Json = Record<string, unknown>;

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
