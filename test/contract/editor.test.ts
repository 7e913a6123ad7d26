/**
 * factory.schema.json in a real editor: the yaml-language-server (the client VS Code, Neovim and
 * Helix use for `# yaml-language-server: $schema=…`) over stdio LSP. Valid contracts are clean;
 * every planted mistake is flagged on its line, as `factory check` flags it; hover explains every
 * key of a service.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { compile } from './helpers.js';
import { YamlLanguageServer } from './lsp-client.js';

const SCHEMA = join(REPO_ROOT, 'factory.schema.json');
const PLANTED = join(REPO_ROOT, 'test/fixtures/contract/editor/planted-mistakes.yaml');
const VALID = [
  'examples/hello/factory.yaml',
  'examples/diffie/factory.yaml',
  'test/fixtures/contract/full/factory.yaml',
  'test/fixtures/contract/seed-sample/factory.yaml',
  'test/fixtures/contract/seed-sample-as-written/factory.yaml',
];

/** The file's text with its first line naming this checkout's schema (the examples point elsewhere). */
function withSchemaLine(file: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines[0]?.startsWith('# yaml-language-server:')) lines.shift();
  return [`# yaml-language-server: $schema=${SCHEMA}`, ...lines].join('\n');
}

/** 1-based lines marked `# ✗` in the text. */
function markedLines(text: string): number[] {
  return text.split('\n').flatMap((l, i) => (/#\s*✗/.test(l) ? [i + 1] : []));
}

let server: YamlLanguageServer;
beforeAll(async () => {
  server = new YamlLanguageServer();
  await server.start();
});
afterAll(async () => {
  await server.stop();
});

describe('yaml-language-server with factory.schema.json', () => {
  for (const rel of VALID) {
    it(`${rel} is clean`, async () => {
      const file = join(REPO_ROOT, rel);
      const diagnostics = await server.open(file, withSchemaLine(file));
      server.close(file);
      expect(diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
    });
  }

  it('flags every planted mistake on its line, and only those lines', async () => {
    const text = withSchemaLine(PLANTED);
    const diagnostics = await server.open(PLANTED, text);
    server.close(PLANTED);
    const flagged = [...new Set(diagnostics.map((d) => d.range.start.line + 1))].sort((a, b) => a - b);
    const marked = markedLines(text);
    expect(marked.length).toBeGreaterThanOrEqual(20);
    expect(flagged).toEqual(marked);
    // Union-typed keys say what is wrong, not the first alternative's type.
    expect(diagnostics.map((d) => d.message).filter((m) => /Expected "/.test(m))).toEqual([]);
    const at = (fragment: string) => {
      const line = text.split('\n').findIndex((l) => l.includes(fragment));
      return diagnostics.filter((d) => d.range.start.line === line).map((d) => d.message);
    };
    expect(at('5 seconds')).toEqual(['a duration: "150ms", "5s", "2m", "1h", or a number of seconds (at most 86400)']);
    expect(at('{ tcp: web, log: ready }')).toEqual(['a health check has one kind (http, tcp, command or log)']);
    expect(at('WORKTREE_ID')).toEqual([expect.stringMatching(/^set by factory, so it cannot be set in env/)]);
  });

  it('factory check flags the same lines (the editor rejects what check rejects)', () => {
    const text = withSchemaLine(PLANTED);
    const lines = [...new Set(compile(text).diagnostics.map((d) => d.line))].sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(lines).toEqual(markedLines(text));
  });

  it('hover explains each service and every key of a service', async () => {
    const file = join(REPO_ROOT, 'test/fixtures/contract/full/factory.yaml');
    const text = withSchemaLine(file);
    await server.open(file, text);
    const counter = new LineCounter();
    const doc = parseDocument(text, { lineCounter: counter });
    const services = doc.get('services', true);
    if (!isMap(services)) throw new Error('the full fixture has services');
    const keys: { label: string; offset: number }[] = [];
    for (const pair of services.items) {
      if (!isPair(pair) || !isScalar(pair.key) || !isMap(pair.value)) continue;
      const name = String(pair.key.value);
      keys.push({ label: name, offset: pair.key.range?.[0] ?? 0 });
      for (const p of pair.value.items)
        if (isPair(p) && isScalar(p.key)) keys.push({ label: `${name}.${p.key.value}`, offset: p.key.range?.[0] ?? 0 });
    }
    expect(keys.length).toBeGreaterThan(20);
    const empty: string[] = [];
    for (const k of keys) {
      const { line, col } = counter.linePos(k.offset);
      const hover = await server.hover(file, line - 1, col);
      if (!/\w/.test(hover.replace(/^#### factory\.yaml/, '').replace(/Source: \[.*$/s, ''))) empty.push(k.label);
    }
    server.close(file);
    expect(empty).toEqual([]);
  });
});

describe('factory.schema.json documents every key', () => {
  it('each property has a description naming its default (or that it is required) and examples', () => {
    const schema = JSON.parse(readFileSync(SCHEMA, 'utf8')) as unknown;
    const missing: string[] = [];
    let count = 0;
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) {
        for (const [i, n] of node.entries()) walk(n, `${at}[${i}]`);
        return;
      }
      if (node === null || typeof node !== 'object') return;
      const props = (node as { properties?: Record<string, unknown> }).properties;
      for (const [key, p] of Object.entries(props ?? {})) {
        if (p === false) continue; // a key forbidden in this case (./one-of.ts, compose vs process)
        count++;
        const s = p as { description?: string; examples?: unknown[] };
        if (!/\n\n(Default: .+\.|Required\.)$/.test(s.description ?? '') || !s.examples?.length)
          missing.push(`${at}.${key}`);
      }
      // `if` is a condition over keys documented elsewhere; examples and defaults are data.
      for (const [k, v] of Object.entries(node))
        if (!['properties', 'examples', 'default', 'if'].includes(k)) walk(v, `${at}/${k}`);
      for (const [k, v] of Object.entries(props ?? {})) walk(v, `${at}.${k}`);
    };
    walk(schema, '#');
    expect(missing).toEqual([]);
    expect(count).toBeGreaterThan(100);
  });
});
