/**
 * The registry of published JSON Schemas: every `--json` output shape (and the contract itself),
 * each a TypeBox schema. `npm run schema` (scripts/generate-schemas.ts) writes each entry to
 * schema/<name>.schema.json and the contract to factory.schema.json; test/contract/schema-drift.test.ts
 * fails when a committed file differs from what the code generates. Areas append their shapes here.
 */
import type { TSchema } from '@sinclair/typebox';
import { AgentPrdOutputSchema } from './prd/index.js';
import { FactoryYamlSchema, CheckOutput, ConfigOutput, InitOutput } from './contract/index.js';
import { SetupOutputSchema } from './setup/index.js';
import { TestOutputSchema } from './test-suites/index.js';
import { ValidationReportSchema, ValidationSummarySchema } from './validation/index.js';
import { AgentRunOutputSchema } from './agent-loop/index.js';
import { DoctorOutput } from './doctor/index.js';
import { runtimeSchemas } from './services/index.js';
import { JobManifestSchema } from './publish/index.js';
import { jobSchemas } from './jobs/index.js';
import { TelegramConfigSchema, TelegramLogSchema } from './bots/telegram/schema.js';
import { serverSchemas } from './server/schema.js';

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
  'validation-summary': ValidationSummarySchema,
  'agent-run': AgentRunOutputSchema,
  job: JobManifestSchema,
  ...jobSchemas,
  doctor: DoctorOutput,
  ...runtimeSchemas,
  'telegram-config': TelegramConfigSchema,
  'telegram-log': TelegramLogSchema,
  ...serverSchemas,
};
