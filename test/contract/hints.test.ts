/**
 * Every hint that proposes a fix is itself valid: for each planted mistake, every hint is either
 * applied as written (replace the marked text, add the key it names, remove what it says) and the
 * contract re-checked — the problem is gone and nothing new appears — or it is on the short list
 * of hints that explain rather than propose text. A new hint that is neither fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Document, isMap, isPair, isScalar, isSeq, type Node, parse, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/lib/failure.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { compile } from './helpers.js';

/** Hints that explain; they propose no text to write. */
const EXPLAINING = [
  /^defined services: /,
  /^known keys: /,
  /^run "factory init"/,
  /^define it in env or an env_file/,
  /refers to itself and is not defined/,
  /^break the cycle/,
  /^give each port its own offset/,
  /^give the ports offsets below/,
  /^a JavaScript regular expression/,
  /^write the values out/,
  /^is this the right file/,
  /^write a list of service names/,
  // YAML syntax: the file cannot be parsed, so there is nothing to re-check but the syntax.
  /^indent with spaces/,
  /^remove or rename one of the two keys/,
  /^check the indentation/,
  /^a closing bracket or quote is missing/,
  /^a key must fit on one line/,
  /^is a ":" missing/,
  /^check the syntax of this line/,
  /^a "[[{]" above this line is not closed/,
  /^a contract is one document/,
  /^fix the YAML syntax/,
];

type Applier = (text: string, d: Diagnostic, m: RegExpExecArray) => string;

/** Hint shapes that propose text, and how to apply each as written. */
const APPLIERS: [RegExp, Applier][] = [
  [/did you mean "([^"]+)"\?/, (t, d, m) => replaceSpan(t, d, m[1] as string)],
  [/did you mean (\$\{\w+\})\?/, (t, d, m) => replaceSpan(t, d, m[1] as string)],
  [/^(?:rename it|write|use)\b.*?e\.g\. "([^"]+)"/, (t, d, m) => replaceSpan(t, d, m[1] as string)],
  [
    /^set (\S+) to at least (\d+)$/,
    (t, _d, m) => edit(t, (doc) => doc.setIn((m[1] as string).split('.'), Number(m[2]))),
  ],
  [
    /^declare (?:it|the port): ports: (\[.*\])$/,
    (t, _d, m) => edit(t, (doc) => doc.set('ports', parse(m[1] as string))),
  ],
  [
    /^declare (?:it|the port): "(\S+): (\{.*\})" under ports$/,
    (t, _d, m) => edit(t, (doc) => doc.setIn(['ports', m[1]], parse(m[2] as string))),
  ],
  [
    /^declare its port, e\.g\. "ports: (\[.*\])", and add "port: (\S+)" to the service$/,
    (t, d, m) =>
      edit(t, (doc) => {
        doc.set('ports', parse(m[1] as string));
        doc.setIn([...objectPath(doc, t, d), 'port'], m[2]);
      }),
  ],
  [/^(?:add|name|declare)\b.*?e\.g\. "([\w_]+): (.+?)"/, (t, d, m) => setKey(t, d, m[1] as string, m[2] as string)],
  [
    /^keep only one: (.+)$/,
    (t, d, m) =>
      keepFirst(
        t,
        d,
        [...(m[1] as string).matchAll(/"([^"]+)"/g)].map((x) => x[1] as string),
      ),
  ],
  [/^remove one of these depends_on entries$/, (t, d) => edit(t, (doc) => doc.deleteIn(pathAt(doc, t, d)))],
  [/^remove "command"/, (t, d) => edit(t, (doc) => doc.deleteIn(pathAt(doc, t, d)))],
  [/^remove it \(/, (t, d) => edit(t, (doc) => doc.deleteIn(pathAt(doc, t, d)))],
  [
    /^add a healthcheck to "[^"]+", or use condition "(\w+)"$/,
    (t, d, m) => edit(t, (doc) => doc.setIn(pathAt(doc, t, d), m[1])),
  ],
  [/^give "([^"]+)" restart: (\S+)/, (t, _d, m) => edit(t, (doc) => doc.setIn(['services', m[1], 'restart'], m[2]))],
  [/^remove "(\w+): false" from "([^"]+)"/, (t, _d, m) => edit(t, (doc) => doc.deleteIn(['services', m[2], m[1]]))],
  [
    /write "(\{.*\})" in its place$/,
    (t, d, m) => edit(t, (doc) => doc.setIn(pathAt(doc, t, d), parse(m[1] as string))),
  ],
  [/^inside \{ \} or \[ \], quote a value that contains \$\{…\}: "(.+)"$/, (t, d) => quoteTemplates(t, d)],
];

/** Planted mistakes: every hint src/contract can give appears at least once. */
const CASES: Record<string, string> = {
  typos: 'nmae: x\nservices:\n  api: { comand: a, restart: allways }\n',
  'unknown dependency and service':
    'name: x\nservices:\n  postgres: { command: p }\n  api: { command: a, depends_on: [postgress] }\ntests:\n  t: { command: t, needs: [postgrs] }\n',
  'undefined variable': 'name: x\nenv:\n  BASE: http://x\n  URL: ${BSAE}/v1\n',
  'invalid names':
    'name: x\nservices:\n  My Api: { command: a }\nenv:\n  my-var: "1"\n  WORKTREE_ID: w\nports: [web, Admin]\n',
  'port variable in env': 'name: x\nports: [api]\nenv:\n  API_PORT: "1"\n',
  'unknown ports':
    'name: x\nports: [web]\nservices:\n  a: { command: a, port: db, url: "http://x:${WEB_PORT}" }\n  b: { command: b, url: "http://x:${API_PORT}" }\n',
  'unknown port in a map': 'name: x\nports:\n  web: { offset: 2 }\nservices:\n  a: { command: a, port: db }\n',
  'port block too small': 'name: x\nisolation: { port_range_size: 2 }\nports: [a, b, c]\n',
  'url without port, no ports key': 'name: x\nservices:\n  app: { command: a, url: "http://localhost:3000" }\n',
  'url without port, ports listed':
    'name: x\nports: [web]\nservices:\n  app: { command: a, url: "http://localhost:3000" }\n',
  'url without port, empty ports':
    'name: x\nports: []\nservices:\n  app: { command: a, url: "http://localhost:3000" }\n',
  conditions:
    'name: x\nservices:\n  db: { command: d }\n  always: { command: s, restart: always }\n  never: { command: n, one_shot: false }\n  api: { command: a, depends_on: { db: healthy, always: completed, never: completed } }\n',
  cycle: 'name: x\nservices:\n  a: { command: a, depends_on: [b] }\n  b: { command: b, depends_on: [a] }\n',
  'health check kinds':
    'name: x\nservices:\n  a: { command: a, healthcheck: { interval: 1s } }\n  b: { command: b, healthcheck: { tcp: 1, log: x } }\n  c: { command: c, healthcheck: { log: x, status: 200 } }\n',
  'health check values':
    'name: x\nservices:\n  a: { command: a, healthcheck: { tcp: "a:1", timeout: soon } }\n  b: { command: b, healthcheck: { http: "http://x", status: "2xx" } }\n  c: { command: c, healthcheck: { http: "http://x", status: "400-200" } }\n',
  'service forms':
    'name: x\nservices:\n  db: postgres\n  nothing: { cwd: x }\n  cache: { type: compose, command: redis }\n  proc: { command: p, compose_file: c.yaml }\n  sig: { command: s, stop_signal: SIGFOO }\n',
  'command types': 'name: x\nsetup:\n  - run: 3\ntests:\n  unit: [npm test, 4]\n',
  'test suites': 'name: x\ntests:\n  both: { command: a, commands: [b] }\n  neither: { cwd: x }\n',
  scenarios: [
    'name: x',
    'validation:',
    '  scenarios:',
    '    - { name: no-url, steps: [{ goto: / }] }',
    '    - { name: both, start_url: "http://x", steps: [{ goto: / }], script: s.ts }',
    '    - { name: neither, start_url: "http://x" }',
    '    - name: steps',
    '      start_url: "http://x"',
    '      steps:',
    '        - { goto: /a, click: b }',
    '        - { name: nothing }',
    '        - wait_for: { text: a, selector: b }',
    '        - fill: { selector: "#a" }',
  ].join('\n'),
  'missing name and prefix': 'isolation: { docker_project_prefix: My_Shop }\n',
  'env file': 'name: x\nenv_file: .env.missing\n',
  'env file list': 'name: x\nenv_file: [.env.missing]\n',
  'env cycle': 'name: x\nenv:\n  A: ${B}\n  B: ${A}\n',
};

function badFixtures(): Record<string, string> {
  const dir = join(REPO_ROOT, 'test/fixtures/contract/bad');
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') && !f.startsWith('huge') && !f.startsWith('alias'))
      .map((f) => [`fixture ${f}`, readFileSync(join(dir, f), 'utf8')]),
  );
}

const signature = (d: Diagnostic) => `${d.severity} ${d.code}: ${d.message}`;

describe('every hint that proposes a fix is valid as written', () => {
  const all = { ...CASES, ...badFixtures() };
  const seen = new Set<string>();
  for (const [name, text] of Object.entries(all)) {
    it(name, () => {
      using dir = tempDir('factory-hints-');
      const before = compile(text, { root: dir.dir }).diagnostics;
      expect(before.length, 'the case plants a mistake').toBeGreaterThan(0);
      const unclassified: string[] = [];
      const broken: string[] = [];
      for (const d of before) {
        if (!d.hint) continue;
        seen.add(d.code);
        const applier = APPLIERS.map(([re, f]) => [re.exec(d.hint as string), f] as const).find(([m]) => m);
        if (!applier) {
          if (!EXPLAINING.some((re) => re.test(d.hint as string))) unclassified.push(`${d.code}: ${d.hint}`);
          continue;
        }
        const [m, apply] = applier;
        const fixed = apply(text, d, m as RegExpExecArray);
        const after = compile(fixed, { root: dir.dir }).diagnostics;
        const old = new Set(before.map(signature));
        const still = after.filter((a) => signature(a) === signature(d));
        const fresh = after.filter((a) => a.severity === 'error' && !old.has(signature(a)));
        if (still.length > 0 || fresh.length > 0 || fixed === text)
          broken.push(
            `${d.line}:${d.column} ${d.code} [${d.hint}] → ${fixed === text ? 'no change' : [...still, ...fresh].map(signature).join('; ')}\n${fixed}`,
          );
      }
      expect(unclassified).toEqual([]);
      expect(broken).toEqual([]);
    });
  }

  it('the cases cover every code that has a hint', () => {
    // Codes whose hints the corpus above exercises (the set grows with the corpus, never silently).
    expect([...seen].sort()).toEqual(
      [
        'compose-key-on-process',
        'compose-with-command',
        'condition-not-one-shot',
        'condition-without-healthcheck',
        'dependency-cycle',
        'env-cycle',
        'env-file-missing',
        'healthcheck-kind',
        'invalid-name',
        'invalid-value',
        'missing-command',
        'missing-key',
        'missing-start-url',
        'port-block-too-small',
        'reserved-variable',
        'scenario-step',
        'scenario-steps',
        'test-commands',
        'undefined-variable',
        'unknown-dependency',
        'unknown-key',
        'unknown-port',
        'unknown-service',
        'url-without-port',
        'wrong-type',
        'yaml-syntax',
        'empty-contract',
      ].sort(),
    );
  });
});

// ---- applying a fix -------------------------------------------------------------------------

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

function offsetOf(text: string, line: number, column: number): number {
  return (lineStarts(text)[line - 1] ?? 0) + column - 1;
}

/** Replace the diagnostic's marked text (line, column … endColumn) with `value`. */
function replaceSpan(text: string, d: Diagnostic, value: string): string {
  const start = offsetOf(text, d.line as number, d.column as number);
  const end = offsetOf(text, d.line as number, (d.endColumn ?? (d.column as number) + 1) as number);
  return text.slice(0, start) + value + text.slice(end);
}

function edit(text: string, change: (doc: Document) => void): string {
  const doc = parseDocument(text);
  change(doc);
  return doc.toString();
}

/** The data path of the key or value that starts at the diagnostic's position. */
function pathAt(doc: Document, text: string, d: Diagnostic): (string | number)[] {
  const offset = offsetOf(text, d.line as number, d.column as number);
  let best: (string | number)[] = [];
  const visit = (node: unknown, path: (string | number)[]) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const p = [...path, String(pair.key.value)];
        if (pair.key.range?.[0] === offset || (pair.value as Node | null)?.range?.[0] === offset) best = p;
        visit(pair.value, p);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if ((item as Node).range?.[0] === offset) best = [...path, i];
        visit(item, [...path, i]);
      });
    }
  };
  visit(doc.contents, []);
  return best;
}

/** The mapping the diagnostic points at, or the one holding what it points at. */
function objectPath(doc: Document, text: string, d: Diagnostic): (string | number)[] {
  // "the contract is missing …", "services.api.healthcheck is missing …": the message names it.
  const named = /^(\S+(?: \S+)?) is missing required key/.exec(d.message)?.[1];
  if (named === 'the contract') return [];
  if (named)
    return named
      .replace(/\[(\d+)\]/g, '.$1')
      .split('.')
      .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const path = pathAt(doc, text, d);
  return isMap(doc.getIn(path, true)) || path.length === 0 ? path : path.slice(0, -1);
}

function setKey(text: string, d: Diagnostic, key: string, value: string): string {
  return edit(text, (doc) => {
    const target = key === 'ports' ? [] : objectPath(doc, text, d);
    doc.setIn([...target, key], parse(value));
  });
}

function keepFirst(text: string, d: Diagnostic, keys: string[]): string {
  return edit(text, (doc) => {
    const target = objectPath(doc, text, d);
    for (const k of keys.slice(1)) doc.deleteIn([...target, k]);
  });
}

/** Quote each unquoted flow value holding `${` on the diagnostic's line, as the hint shows. */
function quoteTemplates(text: string, d: Diagnostic): string {
  const lines = text.split('\n');
  const i = (d.line as number) - 1;
  const line = lines[i] ?? '';
  let out = '';
  let j = 0;
  while (j < line.length) {
    const inFlow = /[{[]/.test(line.slice(0, j));
    if (!inFlow || line.slice(j, j + 2) !== ': ') {
      out += line[j++];
      continue;
    }
    out += ': ';
    j += 2;
    let value = '';
    while (j < line.length && !/[,}\]]/.test(line[j] as string)) {
      if (line.slice(j, j + 2) === '${') {
        const close = line.indexOf('}', j);
        value += line.slice(j, close + 1);
        j = close + 1;
      } else value += line[j++];
    }
    const v = value.trim();
    out += v.includes('${') && !/^["']/.test(v) ? `"${v}" ` : value;
  }
  lines[i] = out;
  return lines.join('\n');
}
