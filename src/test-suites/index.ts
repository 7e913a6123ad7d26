/**
 * The test-suites layer's public face (`factory test`, docs/setup-and-test.md): suites run with the
 * instance's environment, starting what they need through an `InstanceControl`.
 */
export { runTests, type RunTestsOptions, type TestRunResult, type TestEvent } from './run.js';
export type { SuiteResult, SuiteStatus } from './run-suite.js';
export type { InstanceControl } from './control.js';
export { runtimeControl } from './runtime-control.js';
export { countJunit, type JunitCounts } from './junit.js';
export { TestOutputSchema } from './schema.js';
