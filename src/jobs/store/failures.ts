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
