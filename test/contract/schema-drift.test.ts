/** The committed schema files are exactly what the code generates (`npm run schema` rewrites them). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedSchemaFiles } from '../../src/schema-files.js';
import { REPO_ROOT } from '../helpers/cli.js';

describe('generated JSON Schemas', () => {
  for (const { path, text } of generatedSchemaFiles()) {
    it(`${path} is current`, () => {
      let committed: string;
      try {
        committed = readFileSync(join(REPO_ROOT, path), 'utf8');
      } catch {
        committed = '(missing)';
      }
      // On failure: run `npm run schema` and commit the result.
      expect(committed, `${path} differs from the code's schema; run "npm run schema"`).toBe(text);
    });
  }

  it('factory.schema.json is the contract schema', () => {
    const root = JSON.parse(readFileSync(join(REPO_ROOT, 'factory.schema.json'), 'utf8')) as { title: string };
    expect(root.title).toBe('factory.yaml');
  });
});
