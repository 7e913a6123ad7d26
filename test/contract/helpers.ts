import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { compileText } from '../../src/contract/compile.js';
import { REPO_ROOT } from '../helpers/cli.js';
import type { Contract } from '../../src/contract/types.js';

/** Compile contract text in-process; `root` is where relative paths (env files) resolve. */
export function compile(text: string, opts: { env?: NodeJS.ProcessEnv; root?: string } = {}) {
  return compileText(
    text,
    join(opts.root ?? '/nonexistent-factory-root', 'factory.yaml'),
    'factory.yaml',
    opts.env ?? {},
  );
}

/** Diagnostics as one compact line each: `line:col severity code: message [hint]`. */
export function problems(text: string, opts: { env?: NodeJS.ProcessEnv; root?: string } = {}): string[] {
  return compile(text, opts).diagnostics.map(
    (d) => `${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}${d.hint ? ` [${d.hint}]` : ''}`,
  );
}

/** The compiled contract, failing the test with the diagnostics when it does not compile. */
export function contractOf(text: string, opts: { env?: NodeJS.ProcessEnv; root?: string } = {}): Contract {
  const r = compile(text, opts);
  if (!r.contract)
    throw new Error(`did not compile:\n${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n')}`);
  return r.contract;
}

/** Errors of `value` against the published schema/<name>.schema.json (empty = valid). */
export function schemaErrors(name: string, value: unknown): string[] {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema', `${name}.schema.json`), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
