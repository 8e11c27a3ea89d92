/**
 * The closed-loop load of the bench: `concurrency` callers, each calling again as soon as its
 * call returns, while `until()` holds. Used by bench/load.ts and bench/threads.ts.
 */
import { performance } from 'node:perf_hooks';

/**
 * Runs the loop; resolves to the number of calls done. `onDone` gets each call's milliseconds.
 * @example
 * ```ts
 * const end = performance.now() + 1000;
 * const done = await drive(() => client.call(), 32, () => performance.now() < end);
 * ```
 */
export async function drive(call: () => Promise<unknown>, concurrency: number, until: () => boolean, onDone?: (ms: number) => void): Promise<number> {
  let done = 0;
  const worker = async () => {
    while (until()) {
      const started = performance.now();
      await call();
      done += 1;
      onDone?.(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done;
}
