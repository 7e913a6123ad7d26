/**
 * Stage 1: bytes → YAML document with positions → plain data.
 *
 * Defends against hostile or broken input before anything else looks at it: a size cap checked
 * before reading the whole file, YAML syntax errors (tabs, duplicate keys, bad indentation) reported
 * at their line, and alias bombs stopped by yaml's `maxAliasCount` when converting to data.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAlias, LineCounter, parseDocument, visit, type Node } from 'yaml';
import type { Diagnostic } from '../lib/failure.js';
import { YamlSource } from './source.js';

/** factory.yaml files are a few kilobytes; anything past this is not a contract. */
export const MAX_CONTRACT_BYTES = 1024 * 1024;
/** Aliases a document may expand; a real contract uses a handful, a "billion laughs" file millions. */
export const MAX_ALIAS_COUNT = 100;

const YAML_HINTS: Record<string, string> = {
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs for indentation',
  DUPLICATE_KEY: 'remove or rename one of the two keys',
  BAD_INDENT: 'check the indentation of this line against the lines above',
  MISSING_CHAR: 'a closing bracket or quote is missing',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; is a ":" or a quote missing above?',
  BLOCK_AS_IMPLICIT_KEY: 'is a ":" missing, or is this line indented too far?',
  UNEXPECTED_TOKEN: 'check the syntax of this line',
};

export type ReadResult =
  | { ok: true; source: YamlSource; data: unknown }
  | { ok: false; source?: YamlSource; diagnostics: Diagnostic[] };

/** Read and parse `absPath`; `shownPath` is how messages name the file. */
export async function readContractFile(absPath: string, shownPath: string): Promise<ReadResult> {
  const fail = (code: string, message: string, hint?: string): ReadResult => ({
    ok: false,
    diagnostics: [{ code, severity: 'error', message, file: shownPath, ...(hint ? { hint } : {}) }],
  });
  let text: string;
  // O_NONBLOCK: should a FIFO get here after all (the path changed since it was checked), the open
  // returns at once instead of waiting forever for a writer; the isFile() check below refuses it.
  const handle = await open(absPath, constants.O_RDONLY | constants.O_NONBLOCK).catch((e: NodeJS.ErrnoException) => e);
  if (handle instanceof Error) {
    return fail('unreadable-file', `cannot read ${shownPath}: ${handle.code ?? handle.message}`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return fail('not-a-file', `${shownPath} is not a regular file`);
    const { size } = st;
    if (size > MAX_CONTRACT_BYTES) {
      return fail(
        'file-too-large',
        `${shownPath} is ${formatBytes(size)}; a contract may be at most 1 MiB, so it was not parsed`,
        'is this the right file? factory.yaml describes services and commands, not data',
      );
    }
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  return parseContractText(text, shownPath, absPath);
}

/** Parse contract text (also used by tests and `init` to check what it writes). */
export function parseContractText(text: string, shownPath: string, absPath: string = shownPath): ReadResult {
  const lineCounter = new LineCounter();
  // `merge`: YAML merge keys (`<<: *defaults`) are resolved, so services can share anchored settings.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, merge: true });
  const source = new YamlSource(shownPath, text, doc, lineCounter, absPath);
  if (doc.errors.length > 0) {
    // After one syntax error the parser reports every following token too (one missing quote can
    // give 90 errors). Show the first, plus tabs and duplicate keys, which are independent of it.
    const shown = doc.errors.filter((e, i) => i === 0 || e.code === 'DUPLICATE_KEY' || e.code === 'TAB_AS_INDENT');
    const diagnostics = shown.map((e) => {
      const span = source.spanOf(e.pos[0], e.pos[1]);
      const first = e.message.split('\n')[0]?.replace(/\s+at line \d+, column \d+:?$/, '') ?? e.message;
      const message = /multiple documents/.test(first) ? 'the file holds more than one YAML document' : first;
      return source.diagnostic(
        {
          code: 'yaml-syntax',
          message: `invalid YAML: ${message}`,
          hint: /more than one YAML document/.test(message)
            ? 'a contract is one document: remove the "---" separator and what follows, or merge them'
            : /flow-map-start|flow-seq-start/.test(message) && /\$\{/.test(text.split(/\r?\n/)[span.line - 1] ?? '')
              ? 'inside { } or [ ], quote a value that contains ${…}: "http://127.0.0.1:${API_PORT}"'
              : /^Flow (sequence|mapping)/.test(message)
                ? `a "${message.includes('sequence') ? '[' : '{'}" above this line is not closed`
                : (YAML_HINTS[e.code] ?? 'fix the YAML syntax'),
        },
        span,
      );
    });
    return { ok: false, source, diagnostics };
  }
  if (doc.contents === null || text.trim() === '' || isOnlyComments(text)) {
    return {
      ok: false,
      source,
      diagnostics: [
        {
          code: 'empty-contract',
          severity: 'error',
          message: `${shownPath} is empty`,
          hint: 'run "factory init" to write a starter contract',
          file: shownPath,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/alias/i.test(message)) {
      let firstAlias: Node | undefined;
      visit(doc, {
        Alias(_, node) {
          firstAlias = node;
          return visit.BREAK;
        },
      });
      const range = firstAlias && isAlias(firstAlias) ? firstAlias.range : undefined;
      return {
        ok: false,
        source,
        diagnostics: [
          source.diagnostic(
            {
              code: 'yaml-alias-limit',
              message: 'YAML aliases expand too much (a "billion laughs" document?); refusing to expand them',
              hint: `write the values out; a contract may expand at most ${MAX_ALIAS_COUNT} aliases`,
            },
            range ? source.spanOf(range[0], range[1]) : [],
          ),
        ],
      };
    }
    throw e;
  }
  return { ok: true, source, data };
}

function isOnlyComments(text: string): boolean {
  return text.split(/\r?\n/).every((l) => l.trim() === '' || l.trim().startsWith('#') || l.trim() === '---');
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}
