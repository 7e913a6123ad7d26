import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { portWindowForRun } from './test/helpers/port-window.js';

// Machine-wide factory state (the port-lease registry) goes to a temp dir for the whole test run,
// shared by every worker so leases taken by parallel test files see each other, and removed by
// test/global-setup.ts at teardown. Workers inherit it from this process.
// Only when vitest runs: other tools load this file too (knip reads it for its entry files) and
// must not leave a state dir behind or claim a window.
const testRun = process.env.VITEST === 'true';
if (testRun) process.env.FACTORY_STATE_HOME ??= mkdtempSync(join(tmpdir(), 'factory-test-state-'));
// The run's ports: a window claimed machine-wide (or FACTORY_TEST_PORT_BASE, given by hand), so two
// runs from two checkouts never share ports and neither uses the pool real instances lease from.
// Its top is the private registry's FACTORY_PORT_POOL; test/services/helpers.ts basePort() hands
// out fixed slots below it. test/global-setup.ts gives the window back at teardown.
if (testRun) await portWindowForRun(process.env);

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
