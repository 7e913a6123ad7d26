/** `factory config --json`: a snapshot of the full fixture, valid against schema/config.schema.json. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runFactory } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { schemaErrors } from './helpers.js';

const FULL = join(REPO_ROOT, 'test/fixtures/contract/full');

describe('factory config', () => {
  it('--json prints the normalized contract, start order and graph (snapshot)', async () => {
    const r = await runFactory(['config', '--json'], { cwd: FULL });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema/config.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
    await expect(r.stdout.split(FULL).join('<root>')).toMatchFileSnapshot('__snapshots__/config.json');
  });

  it('human output lists services in start order', async () => {
    const r = await runFactory(['config'], { cwd: FULL });
    expect(r.code).toBe(0);
    const order = [...r.stdout.matchAll(/^ {2}(\w+)(?: \(one-shot\))?$/gm)].map((m) => m[1]);
    expect(order).toEqual(['postgres', 'migrate', 'api', 'web', 'cache']);
  });

  it('an invalid contract exits 2 with the located diagnostics', async () => {
    const r = await runFactory(['config', '-f', 'test/fixtures/contract/bad/self-cycle.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('self-cycle.yaml:5:18 error dependency-cycle: service "api" depends on itself');
  });

  it('--json of an invalid contract is {ok: false, error, diagnostics}', async () => {
    const r = await runFactory(['config', '--json', '-f', 'test/fixtures/contract/bad/self-cycle.yaml']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string }; diagnostics: { code: string }[] };
    expect([out.ok, out.error.code, out.diagnostics.map((d) => d.code)]).toEqual([
      false,
      'invalid-contract',
      ['dependency-cycle'],
    ]);
  });

  for (const bad of ['wrong-types.yaml', 'typo-top-level.yaml', 'undefined-var.yaml', 'invalid-yaml.yaml']) {
    it(`--json of ${bad} matches config.schema.json and gives check's diagnostics, hints included`, async () => {
      const file = `test/fixtures/contract/bad/${bad}`;
      const config = await runFactory(['config', '--json', '-f', file]);
      const check = await runFactory(['check', '--json', '-f', file]);
      expect(config.code).toBe(2);
      const out = JSON.parse(config.stdout) as {
        error: { hint: string | null };
        diagnostics: { severity: string; hint: string | null }[];
      };
      expect(schemaErrors('config', out)).toEqual([]);
      const checked = JSON.parse(check.stdout) as { diagnostics: unknown[] };
      expect(out.diagnostics).toEqual(checked.diagnostics);
      expect(out.error.hint).toBe(out.diagnostics.find((d) => d.severity === 'error')?.hint ?? null);
    });
  }

  it('--json without a contract matches config.schema.json too', async () => {
    using t = tempDir();
    const r = await runFactory(['config', '--json'], { cwd: t.dir });
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { error: { code: string } };
    expect(out.error.code).toBe('no-contract');
    expect(schemaErrors('config', out)).toEqual([]);
  });
});
