/**
 * Failures as the API answers them: the CLI's `--json` error shape with `schemaVersion`, and an
 * HTTP status for the exit code (2 bad input → 400, a job or file that is not there → 404, 3 a
 * precondition → 409, anything unexpected → 500 without its stack).
 */
import { ExitCode, FactoryFailure, isFactoryFailure } from '../lib/failure.js';
import { SCHEMA_VERSION } from '../lib/output.js';

export type Status = 400 | 401 | 403 | 404 | 409 | 413 | 500;

export interface ErrorBody {
  schemaVersion: number;
  ok: false;
  error: { code: string; message: string; hint: string | null };
}

const NOT_FOUND = new Set(['job-not-found', 'not-found', 'instance-not-found']);

export function statusOf(failure: FactoryFailure): Status {
  if (NOT_FOUND.has(failure.code)) return 404;
  if (failure.code === 'unauthorized') return 401;
  if (failure.code === 'forbidden') return 403;
  if (failure.code === 'too-large') return 413;
  if (failure.exitCode === ExitCode.invalid) return 400;
  if (failure.exitCode === ExitCode.unavailable) return 409;
  return 500;
}

export function errorBody(error: unknown): { status: Status; body: ErrorBody } {
  if (isFactoryFailure(error)) {
    return {
      status: statusOf(error),
      body: {
        schemaVersion: SCHEMA_VERSION,
        ok: false,
        error: { code: error.code, message: error.message, hint: error.hint ?? null },
      },
    };
  }
  return {
    status: 500,
    body: {
      schemaVersion: SCHEMA_VERSION,
      ok: false,
      error: { code: 'internal', message: 'internal error (a bug in factory)', hint: 'the server log has the details' },
    },
  };
}

export const notFound = (what = 'no such page') =>
  new FactoryFailure('not-found', what, { exitCode: ExitCode.invalid, hint: 'start from the jobs list: /' });
