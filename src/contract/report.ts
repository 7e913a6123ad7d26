/**
 * Rendering diagnostics for the contract commands: JSON items with every key present, and the
 * human form (located message, source line, marker, hint) with the file text read once.
 */
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../lib/failure.js';
import { formatDiagnostic } from '../lib/output.js';
import type { DiagnosticJson } from './output-schemas.js';

export function diagnosticJson(d: Diagnostic): DiagnosticJson {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    hint: d.hint ?? null,
    file: d.file ?? null,
    line: d.line ?? null,
    column: d.column ?? null,
    endColumn: d.endColumn ?? null,
  };
}

/** Human rendering of every diagnostic; `sourceFile` is read to show the offending lines. */
export function renderDiagnostics(diagnostics: Diagnostic[], sourceFile: string): string[] {
  let text: string | undefined;
  try {
    text = readFileSync(sourceFile, 'utf8');
  } catch {
    text = undefined;
  }
  // A file too large to parse is not quoted either.
  if (text !== undefined && text.length > 1024 * 1024) text = undefined;
  return diagnostics.map((d) => formatDiagnostic(d, text));
}

export function countLabel(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
