/**
 * The test-suites layer's light entry for `factory test` (ADR 0161): running the suites through the
 * runtime's light entries, without the output schema's TypeBox that ./index.ts also exports (with a
 * warm contract cache the command loads no schema, parser or validator). Type-only imports go
 * through the index.
 */
export { runTests } from './run.js';
export { runtimeControl } from './runtime-control.js';
