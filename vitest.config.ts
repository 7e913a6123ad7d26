import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Machine-wide factory state (the port-lease registry) goes to a temp dir for the whole test run,
// shared by every worker so leases taken by parallel test files see each other, and removed by
// test/global-setup.ts at teardown. Workers inherit it from this process.
process.env.FACTORY_STATE_HOME ??= mkdtempSync(join(tmpdir(), 'factory-test-state-'));
// Default leases of that registry come from the run's own ports (test/services/helpers.ts
// basePort() hands out the fixed slots below them), not from the pool real instances use.
const testBase = Number(process.env.FACTORY_TEST_PORT_BASE ?? 27_000);
process.env.FACTORY_PORT_POOL ??= `${testBase + 700}-${testBase + 999}`;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // End-to-end tests run real processes, PostgreSQL and Chromium on 2 cores: keep parallelism modest.
    pool: 'forks',
    // Memory-bound tests measure the live heap after a forced collection.
    execArgv: ['--expose-gc'],
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
