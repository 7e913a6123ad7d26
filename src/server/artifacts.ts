/**
 * A job's files at `/jobs/<id>/<path>`: only regular files inside the job's own folder. The raw
 * request path is split into segments and each is decoded once; an empty, `.` or `..` segment, one
 * that decodes to a slash, a backslash or a NUL, or a file whose real path (symlinks followed)
 * leaves the folder is "not found" — the same answer as a file that does not exist, so a probe
 * learns nothing. Text is redacted on the way out (logs can hold what an agent echoed); media are
 * served as they are, with byte ranges for the video player.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import type { Redactor } from '../publish/index.js';
import { notFound } from './errors.js';

/** A text file larger than this is not redacted in memory; the page says to open it on the machine. */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;

const TYPES: Record<string, { type: string; text: boolean }> = {
  '.html': { type: 'text/html; charset=utf-8', text: true },
  '.json': { type: 'application/json; charset=utf-8', text: true },
  '.md': { type: 'text/plain; charset=utf-8', text: true },
  '.log': { type: 'text/plain; charset=utf-8', text: true },
  '.txt': { type: 'text/plain; charset=utf-8', text: true },
  '.patch': { type: 'text/plain; charset=utf-8', text: true },
  '.xml': { type: 'application/xml; charset=utf-8', text: true },
  '.jsonl': { type: 'text/plain; charset=utf-8', text: true },
  '.webm': { type: 'video/webm', text: false },
  '.mp4': { type: 'video/mp4', text: false },
  '.png': { type: 'image/png', text: false },
  '.jpg': { type: 'image/jpeg', text: false },
  '.jpeg': { type: 'image/jpeg', text: false },
  '.zip': { type: 'application/zip', text: false },
};

/** The segments of a raw, still-encoded path, or null when any is not a plain file or folder name. */
export function safeSegments(rawPath: string): string[] | null {
  if (rawPath === '') return null;
  const out: string[] = [];
  for (const raw of rawPath.split('/')) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (s === '' || s === '.' || s === '..' || /[/\\\0]/.test(s)) return null;
    out.push(s);
  }
  return out;
}

/** The absolute real path of a regular file inside `dir`, or null. */
export function resolveInside(dir: string, rawPath: string): string | null {
  const segments = safeSegments(rawPath);
  if (!segments) return null;
  try {
    const root = realpathSync(dir);
    const real = realpathSync(join(root, ...segments));
    if (!real.startsWith(root + sep)) return null;
    return statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

export function contentType(path: string): { type: string; text: boolean } {
  return TYPES[extname(path).toLowerCase()] ?? { type: 'application/octet-stream', text: false };
}

/** The response for a job file (`rangeHeader`: the request's Range, for media). */
export async function fileResponse(
  dir: string,
  rawPath: string,
  redact: Redactor,
  rangeHeader: string | undefined,
): Promise<Response> {
  const path = resolveInside(dir, rawPath);
  if (!path) throw notFound('no such file in this job');
  const { type, text } = contentType(path);
  const size = statSync(path).size;
  const headers: Record<string, string> = {
    'content-type': type,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
  if (text) {
    if (size > MAX_TEXT_BYTES)
      throw new FactoryFailure('too-large', `the file is ${size} bytes, too large to show here`, {
        exitCode: ExitCode.invalid,
        hint: 'open it in the job folder on the machine',
      });
    // A job's HTML (review.html, the validation report) runs no script of ours and may not frame us.
    if (type.startsWith('text/html')) headers['content-security-policy'] = "script-src 'none'; frame-ancestors 'none'";
    return new Response(redact(await readFile(path, 'utf8')), { headers });
  }
  headers['accept-ranges'] = 'bytes';
  const range = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader ?? '');
  if (range && size > 0 && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end || start >= size)
      return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } });
    const body = Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream;
    return new Response(body, {
      status: 206,
      headers: {
        ...headers,
        'content-range': `bytes ${start}-${end}/${size}`,
        'content-length': String(end - start + 1),
      },
    });
  }
  const body = Readable.toWeb(createReadStream(path)) as ReadableStream;
  return new Response(body, { headers: { ...headers, 'content-length': String(size) } });
}
