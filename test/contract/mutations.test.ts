/**
 * Robustness: every single-line mutation of the full fixture (line removed, value replaced by
 * another type, tab-indented) compiles to a contract or to located diagnostics — never an
 * exception. Deterministic: the mutations are enumerated, not random.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { compile } from './helpers.js';

const text = readFileSync(join(REPO_ROOT, 'test/fixtures/contract/full/factory.yaml'), 'utf8');
const lines = text.split('\n');
const VALUES = [
  '',
  '5',
  '-1',
  '[]',
  '{}',
  'null',
  'true',
  '"${X}"',
  '"$${"',
  '[a, [b]]',
  '{ a: 1 }',
  '"../x"',
  "'${FACTORY_ROOT}'",
];

function mutations(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    out.push({ name: `remove line ${i + 1}`, text: lines.filter((_, j) => j !== i).join('\n') });
    out.push({ name: `tab on line ${i + 1}`, text: lines.map((l, j) => (j === i ? `\t${l}` : l)).join('\n') });
    const m = /^(\s*(?:- )?[A-Za-z_$][\w$-]*:)(.*)$/.exec(line);
    if (m) {
      for (const v of VALUES) {
        out.push({
          name: `line ${i + 1} value ${v || '(empty)'}`,
          text: lines.map((l, j) => (j === i ? `${m[1]} ${v}` : l)).join('\n'),
        });
      }
    }
  });
  return out;
}

describe('single-line mutations of the full fixture', () => {
  const all = mutations();
  it(`never throw, and every diagnostic is located inside the file (${all.length} mutations)`, () => {
    expect(all.length).toBeGreaterThan(500);
    const failures: string[] = [];
    for (const m of all) {
      try {
        const r = compile(m.text, { env: {} });
        const maxLine = m.text.split('\n').length;
        if (!r.contract && r.diagnostics.length === 0) failures.push(`${m.name}: neither contract nor diagnostics`);
        for (const d of r.diagnostics) {
          if (!d.line || !d.column || d.line > maxLine || d.column < 1)
            failures.push(`${m.name}: unlocated ${d.code} ${d.message}`);
          if (!d.message || !d.code) failures.push(`${m.name}: empty diagnostic`);
        }
      } catch (e) {
        failures.push(`${m.name}: threw ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
