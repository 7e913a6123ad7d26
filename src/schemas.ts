/**
 * The registry of published JSON Schemas: every `--json` output shape (and the contract itself),
 * each a TypeBox schema. `npm run schema` (scripts/generate-schemas.ts) writes each entry to
 * schema/<name>.schema.json and the contract to factory.schema.json; test/contract/schema-drift.test.ts
 * fails when a committed file differs from what the code generates. Areas append their shapes here.
 */
import type { TSchema } from '@sinclair/typebox';
import { AgentPrdOutputSchema } from './prd/schema.js';
import { FactoryYamlSchema } from './contract/schema.js';
import { CheckOutput, ConfigOutput, InitOutput } from './contract/output-schemas.js';
import { SetupOutputSchema } from './setup/schema.js';
import { TestOutputSchema } from './test-suites/schema.js';
import { ValidationReportSchema } from './validation/schema.js';
import { AgentRunOutputSchema } from './agent-loop/schema.js';
import { runtimeSchemas } from './services/schema.js';
import { JobManifestSchema } from './publish/evidence/manifest.js';

export const jsonSchemas: Record<string, TSchema> = {
  'agent-prd': AgentPrdOutputSchema,
  factory: FactoryYamlSchema,
  check: CheckOutput,
  config: ConfigOutput,
  init: InitOutput,
  setup: SetupOutputSchema,
  test: TestOutputSchema,
  validate: ValidationReportSchema,
  'validation-manifest': ValidationReportSchema,
  'agent-run': AgentRunOutputSchema,
  job: JobManifestSchema,
  ...runtimeSchemas,
};
