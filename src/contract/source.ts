/**
 * factory.yaml as parsed text with positions, so every later stage can point at what the user wrote.
 *
 * Stages find problems by *data path* (`['services', 'api', 'depends_on', 0]`), the same path ajv
 * reports as `/services/api/depends_on/0`; `YamlSource.at` turns a path into file:line:col by walking
 * the YAML node tree (kept by `parseDocument` with a `LineCounter`).
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { Diagnostic } from '../lib/failure.js';
import type { SourceLocation } from './types.js';

export type DataPath = readonly (string | number)[];

export interface Span {
  line: number;
  column: number;
  endColumn: number;
}

export class YamlSource {
  constructor(
    /** The path shown to the user (as given, or relative to cwd). */
    readonly file: string,
    readonly text: string,
    readonly doc: Document.Parsed,
    readonly lineCounter: LineCounter,
    /** Absolute path, recorded in `SourceLocation`s that outlive this process's cwd. */
    readonly absFile: string = file,
  ) {}

  /**
   * The node at `path`; with `key`, the key node of its last segment (for "unknown key" errors).
   * A path that goes past what exists stops at the deepest node that does.
   */
  node(path: DataPath, key = false): Node | undefined {
    let node: unknown = this.doc.contents;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return node as Node;
        if ((last && key) || pair.value === null || pair.value === undefined) return pair.key as Node;
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        if (item === undefined || item === null) return node as Node;
        node = item;
      } else {
        return node as Node | undefined;
      }
    }
    return node as Node | undefined;
  }

  /**
   * Offsets `[start, end)` of what `path` names in the text: a whole `key: value` entry when its
   * last segment is a mapping key, else the node.
   */
  range(path: DataPath): [number, number] {
    const parent = this.node(path.slice(0, -1));
    const last = path[path.length - 1];
    if (isMap(parent) && last !== undefined) {
      const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(last));
      const key = pair && isScalar(pair.key) ? pair.key.range : undefined;
      const value = isPair(pair) && pair.value ? (pair.value as Node).range : undefined;
      if (key) return [key[0], value ? value[1] : key[1]];
    }
    const r = this.node(path)?.range;
    return r ? [r[0], r[1]] : [0, 0];
  }

  /** The offset of a 1-based line and column. */
  offset(line: number, column: number): number {
    return (this.lineCounter.lineStarts[line - 1] ?? 0) + column - 1;
  }

  /** Position of a byte offset. */
  pos(offset: number): { line: number; column: number } {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /** The span of the node at `path` (its first line only), or of the document start. */
  span(path: DataPath, key = false): Span {
    const node = this.node(path, key);
    const range = node?.range;
    if (!range) return { line: 1, column: 1, endColumn: 2 };
    return this.spanOf(range[0], range[1]);
  }

  /** Span from `start` to `end`, cut at the end of the first line. */
  spanOf(start: number, end: number): Span {
    const a = this.pos(start);
    const b = this.pos(Math.max(start + 1, end));
    const lineText = this.text.split(/\r?\n/)[a.line - 1] ?? '';
    const endColumn = b.line === a.line ? b.column : lineText.length + 1;
    return { line: a.line, column: a.column, endColumn: Math.max(a.column + 1, endColumn) };
  }

  /**
   * The span of `[offset, offset+length)` inside the string scalar at `path`, when the scalar is
   * written plainly on one line (so the offset maps to a column); otherwise the whole node.
   */
  spanInString(path: DataPath, offset: number, length: number): Span {
    const node = this.node(path);
    if (node && isScalar(node) && node.range && typeof node.value === 'string') {
      const src = this.text.slice(node.range[0], node.range[1]);
      const quote = src[0] === '"' || src[0] === "'" ? 1 : 0;
      const inner = src.slice(quote, src.length - quote);
      if (!inner.includes('\n') && inner.slice(offset, offset + length) === node.value.slice(offset, offset + length)) {
        return this.spanOf(node.range[0] + quote + offset, node.range[0] + quote + offset + length);
      }
    }
    return this.span(path);
  }

  location(path: DataPath): SourceLocation {
    const { line, column } = this.span(path);
    return { file: this.absFile, line, column };
  }

  diagnostic(
    d: { code: string; message: string; hint?: string; severity?: 'error' | 'warning' },
    at: DataPath | Span,
    key = false,
  ): Diagnostic {
    const span = Array.isArray(at) ? this.span(at as DataPath, key) : (at as Span);
    return {
      code: d.code,
      severity: d.severity ?? 'error',
      message: d.message,
      ...(d.hint !== undefined ? { hint: d.hint } : {}),
      file: this.file,
      line: span.line,
      column: span.column,
      endColumn: span.endColumn,
    };
  }
}

/** `['services', 'api', 'port']` → `services.api.port` (how messages name a place). */
export function dotted(path: DataPath): string {
  return path.length === 0
    ? '(top level)'
    : path
        .map((s) => (typeof s === 'number' ? `[${s}]` : s))
        .join('.')
        .replace(/\.\[/g, '[');
}
