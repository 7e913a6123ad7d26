/**
 * `npm run schema`: write every JSON Schema in the registry (src/schemas.ts) to
 * schema/<name>.schema.json, and the contract's schema to factory.schema.json (the file editors load
 * through `# yaml-language-server: $schema=…`). `--check` writes nothing and exits 1 when a committed
 * file differs; test/contract/schema-drift.test.ts does the same inside the test suite.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedSchemaFiles } from '../src/schema-files.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
let stale = 0;
mkdirSync(join(root, 'schema'), { recursive: true });
for (const { path, text } of generatedSchemaFiles()) {
  const abs = join(root, path);
  let current: string | undefined;
  try {
    current = readFileSync(abs, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  stale++;
  if (check) console.error(`stale: ${path} (run "npm run schema")`);
  else {
    writeFileSync(abs, text);
    console.log(`wrote ${path}`);
  }
}
if (check && stale > 0) process.exitCode = 1;
