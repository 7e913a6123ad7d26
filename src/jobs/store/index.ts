/**
 * Opening the machine's job store. One backend today: SQLite under the machine state dir
 * (`FACTORY_STATE_HOME`, else `$XDG_STATE_HOME/factory`, else `~/.local/state/factory`), file
 * `jobs.db`; `FACTORY_JOB_STORE=<file>` points at another file. PostgreSQL follows behind the same
 * interface (a `postgres://` value will select it).
 */
import { join, resolve } from 'node:path';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { machineStateDir } from '../../services/index.js';
import { openSqliteJobStore } from './sqlite.js';
import type { JobStore } from './types.js';

export type { JobStore } from './types.js';
export { openSqliteJobStore } from './sqlite.js';

export function jobStorePath(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.FACTORY_JOB_STORE;
  if (given) return resolve(given);
  return join(machineStateDir(env), 'jobs.db');
}

export function openJobStore(env: NodeJS.ProcessEnv = process.env): JobStore {
  const where = jobStorePath(env);
  if (/^postgres(ql)?:\/\//.test(env.FACTORY_JOB_STORE ?? '')) {
    throw new FactoryFailure('job-store-unsupported', 'the PostgreSQL job store is not built yet', {
      exitCode: ExitCode.invalid,
      hint: 'unset FACTORY_JOB_STORE to use the embedded SQLite store',
    });
  }
  return openSqliteJobStore(where);
}
