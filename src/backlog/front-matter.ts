/**
 * Markdown files with YAML front matter, read and updated in place.
 *
 * Updates go through the `yaml` Document API so the user's comments, key order and quoting survive
 * a `status: done` written by the walker; the Markdown body is never touched.
 */
import { isMap, parseDocument, type Document } from 'yaml';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

export interface FrontMatterFile {
  /** The front matter as a YAML document (empty map when the file has none). */
  doc: Document;
  /** Everything after the closing `---`. */
  body: string;
  /** Line (1-based) where the front matter's YAML starts, for diagnostics. */
  yamlLine: number;
}

const OPEN = /^---[ \t]*\r?\n/;
const CLOSE = /^---[ \t]*$/m;

export function parseFrontMatter(text: string, file: string): FrontMatterFile {
  const open = OPEN.exec(text);
  if (!open) return { doc: parseDocument('{}'), body: text, yamlLine: 1 };
  const rest = text.slice(open[0].length);
  const close = CLOSE.exec(rest);
  if (!close) {
    throw invalid(file, 1, 'front matter starts with "---" but has no closing "---" line');
  }
  const yamlText = rest.slice(0, close.index);
  const body = rest.slice(close.index + close[0].length).replace(/^\r?\n/, '');
  const doc = parseDocument(yamlText.trim() === '' ? '{}' : yamlText);
  const first = doc.errors[0];
  if (first) {
    const line = (first.linePos?.[0]?.line ?? 1) + 1;
    throw invalid(
      file,
      line,
      `front matter is not valid YAML: ${first.message.split('\n')[0]}`,
      first.linePos?.[0]?.col,
    );
  }
  if (!isMap(doc.contents)) throw invalid(file, 2, 'front matter must be a YAML mapping (key: value lines)');
  return { doc, body, yamlLine: 2 };
}

export function renderFrontMatter(fm: FrontMatterFile): string {
  return `---\n${String(fm.doc).trimEnd()}\n---\n${fm.body}`;
}

/** The 1-based line of a top-level key in the file, for diagnostics that point at it. */
export function keyLine(fm: FrontMatterFile, key: string, text: string): number {
  const node = fm.doc.get(key, true) as { range?: [number, number, number] } | undefined;
  const offset = node?.range?.[0];
  if (offset === undefined) return 1;
  const open = OPEN.exec(text);
  const before = text.slice(0, (open?.[0].length ?? 0) + offset);
  return before.split('\n').length;
}

export function invalid(file: string, line: number, message: string, column?: number): FactoryFailure {
  return new FactoryFailure('invalid-backlog', `${file}:${line}: ${message}`, {
    exitCode: ExitCode.invalid,
    diagnostics: [{ code: 'invalid-backlog', severity: 'error', message, file, line, ...(column ? { column } : {}) }],
  });
}

/** First `# Heading` of a Markdown body, used as the title when front matter has none. */
export function firstHeading(body: string): string | undefined {
  const m = /^#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(body);
  return m?.[1];
}
