/**
 * The generated schema files and their exact text, shared by scripts/generate-schemas.ts (writes
 * them) and the drift test (compares them), so both agree byte for byte.
 */
import { jsonSchemas } from './schemas.js';

export function generatedSchemaFiles(): { path: string; text: string }[] {
  const render = (schema: unknown) => JSON.stringify(schema, null, 2) + '\n';
  const files = Object.entries(jsonSchemas)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, schema]) => ({ path: `schema/${name}.schema.json`, text: render({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }) }));
  const contract = jsonSchemas.factory;
  if (contract) files.push({ path: 'factory.schema.json', text: render({ $schema: 'http://json-schema.org/draft-07/schema#', ...contract }) });
  return files;
}
