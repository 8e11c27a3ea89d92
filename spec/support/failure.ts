import { expect } from 'vitest';
import { ArgumentError } from '../../lib/index.js';

/** The rejection of a promise that must reject; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: Error) => error,
  );
}

/** The ArgumentError a call must throw; fails the test when it returns or throws anything else. */
export function argumentErrorOf(run: () => unknown): ArgumentError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentError);
    return error as ArgumentError;
  }
  throw new Error('expected an ArgumentError');
}
