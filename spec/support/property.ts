/**
 * fast-check settings for property specs: a fixed seed (reproducible in CI; set FC_SEED to
 * explore others) and bounded runs. fast-check prints the seed and path of any counterexample.
 */
import fc from 'fast-check';

export const SEED = Number(process.env.FC_SEED ?? 20261122);
export const NUM_RUNS = Number(process.env.FC_RUNS ?? 300);

fc.configureGlobal({ seed: SEED, numRuns: NUM_RUNS, endOnFailure: true });

/** Any string, including unpaired surrogates, controls and astral characters. */
export const anyString = (maxLength = 40) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'binary-ascii', maxLength }),
    fc.constantFrom('.', '..', '%2e%2e', '%2E.', '../..', '/', '//', '\r\n', 'a\r\nX-Evil: 1', '\0', ' ', '?', '#', '{x}', '{', '}', '<a>', '_a_', '$a$', '__proto__', 'constructor', '\u2028', '\uD800', 'ｖ３'),
    fc.string({ unit: fc.constantFrom('.', '/', '\\', '%', '2', 'e', '\r', '\n', ' ', '?', '#', '{', '}', '_', 'a'), maxLength }),
  );

export { fc };
