/**
 * The one validator of millisecond options (client and request `timeout`, retry delays, the
 * certificate manager's intervals, the CLI's `--timeout`).
 * @module
 */
import { ArgumentError, describeValue } from './errors.js';

/**
 * The longest delay `setTimeout` honours: 2^31 − 1 ms, about 24.8 days. Node replaces a longer
 * one by 1 ms (with only a warning), so a 30-day timeout would fail every request at once.
 * @example
 * ```ts
 * MAX_TIMER_DELAY; // 2147483647
 * ```
 */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * Bounds of a millisecond option.
 * @example
 * ```ts
 * const bounds: DurationBounds = { min: 0, max: 600_000 };
 * ```
 */
export interface DurationBounds {
  /** Smallest value accepted: 1 (the default: a zero timeout or interval makes no sense) or 0 (a delay may be none). */
  min?: 0 | 1;
  /** Largest value accepted; {@link MAX_TIMER_DELAY} by default. Only a duration that never becomes a timer's delay by itself may go higher. */
  max?: number;
}

/**
 * A millisecond option, checked: a finite number from `min` to `max` (by default no more than
 * `setTimeout` honours); `undefined` gives `fallback`.
 * @param field the option's name, used in the message and as `ArgumentError.field`
 * @param label how the option is named in the message when it differs from `field` (e.g. `--timeout`)
 * @throws {ArgumentError} `"<field>: must be a number of milliseconds from 1 to 2147483647 …"`
 * @example
 * ```ts
 * milliseconds(config.timeout, 'timeout', 30_000);                            // 30000 when undefined
 * milliseconds(policy.minDelay, 'retry.minDelay', 200, { min: 0, max: 600_000 });
 * ```
 */
export function milliseconds(value: unknown, field: string, fallback: number, bounds: DurationBounds = {}, label = field): number {
  if (value === undefined) return fallback;
  const min = bounds.min ?? 1;
  const max = bounds.max ?? MAX_TIMER_DELAY;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const ceiling = max === MAX_TIMER_DELAY ? `${max} (about 24.8 days, the longest setTimeout honours)` : String(max);
    throw new ArgumentError(`${label}: must be a number of milliseconds from ${min} to ${ceiling}, got ${describeValue(value)}`, field);
  }
  return value;
}
