/**
 * The setup layer's public face (`factory setup`, docs/setup-and-test.md): setup steps with
 * fingerprinted inputs, skipped when unchanged; the instance environment they and test suites run
 * with; and the command runner both use.
 */
export * from './light.js';
export type {
  RunSetupOptions,
  SetupResult,
  SetupStepResult,
  SetupEvent,
} from './run.js';
export type { InstanceRef } from './instance.js';
export type { SetupInstance } from './env.js';
export type { CommandRun } from './run-command.js';
export { SetupOutputSchema } from './schema.js';
