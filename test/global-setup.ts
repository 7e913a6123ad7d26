import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reapLeftoverEngines } from './helpers/engine.js';
import { releasePortWindow } from './helpers/port-window.js';

/**
 * End-to-end tests run the built binary, so build dist/ once before any test file runs.
 * Type errors do not stop the emit here; `npm test` typechecks separately and fails on them.
 */
export default function setup(): () => Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // scripts/test.sh (npm test) has just built and typechecked; don't build twice.
  if (process.env.FACTORY_TEST_BUILT !== '1')
    try {
      execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
        cwd: root,
        stdio: 'pipe',
      });
    } catch {
      // emitted anyway; see above
    }
  return async () => {
    // A test file whose worker died never stopped its container engine: do it here.
    await reapLeftoverEngines();
    const stateHome = process.env.FACTORY_STATE_HOME;
    if (stateHome?.includes('factory-test-state-')) rmSync(stateHome, { recursive: true, force: true });
    await releasePortWindow(process.env.FACTORY_TEST_PORT_CLAIM ?? '');
  };
}
