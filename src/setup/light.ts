/**
 * The setup layer's light entry for `factory setup` and `factory test` (ADR 0161): running the
 * steps without the output schema's TypeBox that ./index.ts also exports. Type-only imports go
 * through the index.
 */
export { runSetup } from './run.js';
export { resolveInstanceRef } from './instance.js';
export { setupEnv } from './env.js';
export { runCommand } from './run-command.js';
