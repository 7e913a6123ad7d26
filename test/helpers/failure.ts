import { type FactoryFailure, isFactoryFailure } from '../../src/lib/failure.js';

/** The FactoryFailure `p` rejects with; anything else (another error, or success) fails the test. */
export async function failure(p: Promise<unknown>): Promise<FactoryFailure> {
  try {
    await p;
  } catch (e) {
    if (isFactoryFailure(e)) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

/** What a user sees of the FactoryFailure `fn` throws; anything else fails the test. */
export function failureOf(fn: () => unknown): {
  code: string;
  message: string;
  hint: string | undefined;
  exitCode: number;
} {
  try {
    fn();
  } catch (e) {
    if (isFactoryFailure(e)) return { code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode };
    throw e;
  }
  throw new Error('expected a failure');
}
