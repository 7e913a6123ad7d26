/** The expected failures of a store write, the same from both backends (the suite asserts the codes). */
import { ExitCode, FactoryFailure } from '../../lib/failure.js';

export function notFound(id: string): FactoryFailure {
  return new FactoryFailure('job-not-found', `no job ${id}`, {
    exitCode: ExitCode.invalid,
    hint: 'list the jobs with: factory job list',
  });
}

export function leaseLost(id: string): FactoryFailure {
  return new FactoryFailure('lease-lost', `job ${id} is held by another worker now`, {
    exitCode: ExitCode.unavailable,
  });
}

export function stateChanged(id: string, expected: string, actual: string): FactoryFailure {
  return new FactoryFailure('state-changed', `job ${id} is ${actual} now, not ${expected}`, {
    exitCode: ExitCode.unavailable,
    details: { expected, actual },
  });
}

export function jobFinished(id: string, state: string): FactoryFailure {
  return new FactoryFailure('job-finished', `job ${id} is already ${state}`, { exitCode: ExitCode.unavailable });
}

/** Socket errors of a server that is down, restarting or out of reach. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

/**
 * A store that cannot answer for now, so asking again later may work: PostgreSQL down or
 * restarting (connection errors, SQLSTATE class 08, 57P01–57P03 shutdowns, 53300 too many
 * connections), the network, or SQLite locked by another writer for longer than its busy timeout.
 * Anything else (a bug, a constraint, a bad migration) is not.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = String((error as { code?: unknown }).code ?? '');
  if (UNREACHABLE.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300') return true;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'job-store-unreachable') return true;
  return /^Connection terminated|timeout exceeded when trying to connect/.test(error.message);
}
