/**
 * Opening the job store. Which one, first match wins:
 *   1. the caller's explicit target (`factory worker --store …`);
 *   2. `FACTORY_JOBS_DATABASE_URL` — a `postgres://` URL: the shared PostgreSQL store (./postgres.ts);
 *   3. `FACTORY_JOB_STORE` — a `postgres://` URL, or the path of a SQLite file;
 *   4. the config file `<config dir>/config.json`, key `jobs.databaseUrl` (config dir:
 *      `FACTORY_CONFIG_HOME`, else `$XDG_CONFIG_HOME/factory`, else `~/.config/factory`);
 *   5. the embedded SQLite store under the machine state dir (`FACTORY_STATE_HOME`, else
 *      `$XDG_STATE_HOME/factory`, else `~/.local/state/factory`), file `jobs.db`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { machineStateDir } from '../../services/index.js';
import { openPostgresJobStore } from './postgres.js';
import { openSqliteJobStore } from './sqlite.js';
import type { JobStore } from './types.js';

export type { JobStore } from './types.js';
export { openSqliteJobStore } from './sqlite.js';
export { openPostgresJobStore } from './postgres.js';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FACTORY_CONFIG_HOME) return resolve(env.FACTORY_CONFIG_HOME);
  if (env.XDG_CONFIG_HOME) return join(resolve(env.XDG_CONFIG_HOME), 'factory');
  return join(homedir(), '.config', 'factory');
}

/** `jobs.databaseUrl` of the config file, if the file exists and sets it. */
function configuredUrl(env: NodeJS.ProcessEnv): string | undefined {
  const file = join(configDir(env), 'config.json');
  if (!existsSync(file)) return undefined;
  let url: unknown;
  try {
    url = (JSON.parse(readFileSync(file, 'utf8')) as { jobs?: { databaseUrl?: unknown } }).jobs?.databaseUrl;
  } catch (error) {
    throw new FactoryFailure('config-invalid', `${file} is not valid JSON: ${(error as Error).message}`, {
      exitCode: ExitCode.invalid,
      hint: 'write it as {"jobs": {"databaseUrl": "postgres://user@host/db"}}, or remove it',
    });
  }
  if (url === undefined) return undefined;
  if (typeof url !== 'string' || !POSTGRES_URL.test(url)) {
    throw new FactoryFailure('config-invalid', `${file}: jobs.databaseUrl must be a postgres:// URL`, {
      exitCode: ExitCode.invalid,
      hint: 'write it as {"jobs": {"databaseUrl": "postgres://user@host/db"}}',
    });
  }
  return url;
}

/** A postgres:// URL, or the absolute path of a SQLite file. */
export function jobStorePath(env: NodeJS.ProcessEnv = process.env, explicit?: string): string {
  const given = explicit ?? env.FACTORY_JOBS_DATABASE_URL ?? env.FACTORY_JOB_STORE;
  if (given !== undefined && given !== '') {
    if (POSTGRES_URL.test(given)) return given;
    if (explicit === undefined && env.FACTORY_JOBS_DATABASE_URL === given) {
      throw new FactoryFailure('usage', 'FACTORY_JOBS_DATABASE_URL must be a postgres:// URL', {
        exitCode: ExitCode.invalid,
        hint: 'FACTORY_JOBS_DATABASE_URL=postgres://user@host/db (or FACTORY_JOB_STORE=<file> for SQLite)',
      });
    }
    return resolve(given);
  }
  return configuredUrl(env) ?? join(machineStateDir(env), 'jobs.db');
}

export function openJobStore(env: NodeJS.ProcessEnv = process.env, explicit?: string): JobStore {
  const target = jobStorePath(env, explicit);
  return POSTGRES_URL.test(target) ? openPostgresJobStore(target) : openSqliteJobStore(target);
}
