import pc from 'picocolors';
import type { Diagnostic } from './failure.js';

/** Version of every `--json` shape factory prints. Bump on a breaking change of any shape. */
export const SCHEMA_VERSION = 1;

/** Print one JSON document on stdout (the only thing `--json` mode prints there). */
export function printJson(value: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...value }, null, 2)}\n`);
}

/** Human output: stdout, plain lines. Colour only on a terminal (picocolors honours NO_COLOR/FORCE_COLOR). */
export function println(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Progress and warnings for humans go to stderr so stdout stays parseable. */
export function eprintln(line = ''): void {
  process.stderr.write(`${line}\n`);
}

export const colors = pc;

/**
 * Call `onClosed` once when stdout or stderr can no longer be written: the reader went away
 * (`factory ps | head -1` → EPIPE) or the stream failed otherwise. Without a listener Node turns
 * that `error` event into an uncaught exception with a stack trace. Writes after that are dropped
 * by the destroyed stream, so nothing else needs to check.
 */
export function watchClosedOutput(onClosed: (code: string) => void): void {
  let closed = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (closed) return;
      closed = true;
      onClosed(error.code ?? 'EIO');
    });
  }
}

/**
 * Render a diagnostic the way compilers do:
 *
 *   factory.yaml:12:7 error unknown-dependency: service "api" depends on "db", which is not defined
 *     12 |     depends_on: [db]
 *        |                  ^^
 *   hint: did you mean "postgres"?
 */
export function formatDiagnostic(d: Diagnostic, sourceText?: string): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ''}` : ''} ` : '';
  const sev = d.severity === 'error' ? pc.red('error') : pc.yellow('warning');
  const lines = [`${pc.bold(where)}${sev} ${pc.dim(`${d.code}:`)} ${d.message}`];
  if (sourceText !== undefined && d.line) {
    const src = sourceText.split(/\r?\n/)[d.line - 1];
    if (src !== undefined) {
      const gutter = String(d.line);
      const col = Math.max(1, d.column ?? 1);
      const width = Math.max(1, (d.endColumn ?? col + 1) - col);
      lines.push(`  ${pc.dim(`${gutter} |`)} ${src.replace(/\t/g, ' ')}`);
      lines.push(`  ${' '.repeat(gutter.length)} ${pc.dim('|')} ${' '.repeat(col - 1)}${pc.red('^'.repeat(width))}`);
    }
  }
  if (d.hint) lines.push(`  ${pc.cyan('hint:')} ${d.hint}`);
  return lines.join('\n');
}
