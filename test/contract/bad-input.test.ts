/**
 * Bad input `factory check` must survive: each case runs the real binary and asserts the exact
 * located message, exit code 2 and no stack trace. (Speed is measured in bench/contract-check.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runFactory } from '../helpers/cli.js';
import { schemaErrors } from './helpers.js';

const BAD = join(REPO_ROOT, 'test/fixtures/contract/bad');

async function check(file: string, cwd = BAD) {
  const r = await runFactory(['check', '-f', file], { cwd });
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack frames
  expect(r.stderr).not.toContain('internal error');
  return r.stderr;
}

const cases: Record<string, string> = {
  // One syntax error, one message: the parser's cascade of follow-on token errors is not shown.
  'unquoted-flow-template.yaml': `unquoted-flow-template.yaml:6:56 error yaml-syntax: invalid YAML: Unexpected flow-map-start at node end
  6 |     healthcheck: { command: curl -sf http://127.0.0.1:\${API_PORT}/health }
    |                                                        ^
  hint: inside { } or [ ], quote a value that contains \${…}: "http://127.0.0.1:\${API_PORT}"
✗ unquoted-flow-template.yaml: 1 problem
`,
  'invalid-yaml.yaml': `invalid-yaml.yaml:6:3 error yaml-syntax: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]
  6 |   db:
    |   ^
  hint: a "[" above this line is not closed
✗ invalid-yaml.yaml: 1 problem
`,
  'tab-indent.yaml': `tab-indent.yaml:3:1 error yaml-syntax: invalid YAML: Tabs are not allowed as indentation
  3 |  api:
    | ^
  hint: indent with spaces; YAML does not allow tabs for indentation
tab-indent.yaml:4:1 error yaml-syntax: invalid YAML: Tabs are not allowed as indentation
  4 |   command: node server.js
    | ^^
  hint: indent with spaces; YAML does not allow tabs for indentation
✗ tab-indent.yaml: 2 problems
`,
  'duplicate-keys.yaml': `duplicate-keys.yaml:5:3 error yaml-syntax: invalid YAML: Map keys must be unique
  5 |   api:
    |   ^
  hint: remove or rename one of the two keys
✗ duplicate-keys.yaml: 1 problem
`,
  'empty.yaml': `empty.yaml:1:1 error empty-contract: empty.yaml is empty
  1 | 
    | ^
  hint: run "factory init" to write a starter contract
✗ empty.yaml: 1 problem
`,
  'alias-bomb.yaml': `alias-bomb.yaml:4:8 error yaml-alias-limit: YAML aliases expand too much (a "billion laughs" document?); refusing to expand them
  4 | b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    |        ^^
  hint: write the values out; a contract may expand at most 100 aliases
✗ alias-bomb.yaml: 1 problem
`,
  'wrong-types.yaml': `wrong-types.yaml:2:8 error wrong-type: ports must be a list or a mapping, not an integer
  2 | ports: 8080
    |        ^^^^
wrong-types.yaml:5:14 error wrong-type: services.api.command must be a string or a list, not an integer
  5 |     command: 42
    |              ^^
  hint: write a shell line or a list of arguments, e.g. "node server.js" (or [node, server.js])
wrong-types.yaml:6:17 error wrong-type: services.api.depends_on must be a list or a mapping, not a string
  6 |     depends_on: db
    |                 ^^
  hint: write a list of service names ([db]), or a mapping name: condition
wrong-types.yaml:7:15 error wrong-type: services.api.one_shot must be true or false, not a string
  7 |     one_shot: "yes"
    |               ^^^^^
✗ wrong-types.yaml: 4 problems
`,
  'negative-block.yaml': `negative-block.yaml:3:20 error out-of-range: isolation.port_range_size must be >= 1, not -5
  3 |   port_range_size: -5
    |                    ^^
✗ negative-block.yaml: 1 problem
`,
  'huge-block.yaml': `huge-block.yaml:3:20 error out-of-range: isolation.port_range_size must be <= 1000, not 1000000
  3 |   port_range_size: 1000000
    |                    ^^^^^^^
✗ huge-block.yaml: 1 problem
`,
  'service-dotdot.yaml': `service-dotdot.yaml:3:3 error invalid-name: invalid service name "../x": use lowercase letters, digits, "_" and "-", starting with a letter or digit
  3 |   ../x:
    |   ^^^^
  hint: rename it, e.g. "x"
✗ service-dotdot.yaml: 1 problem
`,
  'typo-top-level.yaml': `typo-top-level.yaml:2:1 error unknown-key: unknown key "servises"
  2 | servises:
    | ^^^^^^^^
  hint: did you mean "services"?
✗ typo-top-level.yaml: 1 problem
`,
  'self-cycle.yaml': `self-cycle.yaml:5:18 error dependency-cycle: service "api" depends on itself
  5 |     depends_on: [api]
    |                  ^^^
  hint: remove one of these depends_on entries
✗ self-cycle.yaml: 1 problem
`,
  'multi-cycle.yaml': `multi-cycle.yaml:5:18 error dependency-cycle: dependency cycle: web → api → worker → web
  5 |     depends_on: [api]
    |                  ^^^
  hint: remove one of these depends_on entries
✗ multi-cycle.yaml: 1 problem
`,
  'undefined-var.yaml': `undefined-var.yaml:7:42 error undefined-variable: \${UNDEFINED} is not defined
  7 |       DATABASE_URL: postgres://localhost:\${UNDEFINED}/app
    |                                          ^^^^^^^^^^^^
  hint: define it in env or an env_file, or declare the port it names (ports give <NAME>_PORT)
✗ undefined-var.yaml: 1 problem
`,
};

describe('factory check rejects bad input with a located message', () => {
  for (const [file, expected] of Object.entries(cases)) {
    it(file, async () => {
      expect(await check(file)).toBe(expected);
    });
  }

  const big = mkdtempSync(join(tmpdir(), 'factory-big-'));
  afterAll(() => rmSync(big, { recursive: true, force: true }));

  it('a 5 MB file is refused before parsing', async () => {
    const line = `  KEY: "${'x'.repeat(100)}"\n`;
    writeFileSync(
      join(big, 'factory.yaml'),
      `name: demo\nenv:\n${line.repeat(Math.ceil((5 * 1024 * 1024) / line.length))}`,
    );
    expect(await check('factory.yaml', big)).toBe(
      `factory.yaml error file-too-large: factory.yaml is 5.0 MiB; a contract may be at most 1 MiB, so it was not parsed
  hint: is this the right file? factory.yaml describes services and commands, not data
✗ factory.yaml: 1 problem
`,
    );
  });

  it('--json gives {code, severity, message, hint, file, line, column} items', async () => {
    const r = await runFactory(['check', '-f', 'typo-top-level.yaml', '--json'], { cwd: BAD });
    expect(r.code).toBe(2);
    expect(schemaErrors('check', JSON.parse(r.stdout))).toEqual([]);
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      ok: false,
      file: join(BAD, 'typo-top-level.yaml'),
      diagnostics: [
        {
          code: 'unknown-key',
          severity: 'error',
          message: 'unknown key "servises"',
          hint: 'did you mean "services"?',
          file: 'typo-top-level.yaml',
          line: 2,
          column: 1,
          endColumn: 9,
        },
      ],
    });
  });

  it('a missing file is a usage error, not a crash', async () => {
    const r = await runFactory(['check', '-f', 'nope.yaml'], { cwd: BAD });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error nope.yaml does not exist\n');
  });

  it('-f without a path is a usage error', async () => {
    const r = await runFactory(['check', '-f'], { cwd: BAD });
    expect([r.code, r.stderr]).toEqual([
      2,
      'error -f needs a value\n  hint: for example -f factory.yaml, or leave -f out\n',
    ]);
  });
});
