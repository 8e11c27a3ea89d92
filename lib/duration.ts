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
 * const bounds: DurationBounds = { zero: true, max: 600_000 };
 * ```
 */
export interface DurationBounds {
  /** Whether 0 is accepted (a delay may be none); by default the value must be positive (a zero timeout or interval makes no sense). */
  zero?: boolean;
  /** Largest value accepted; {@link MAX_TIMER_DELAY} by default. Only a duration that never becomes a timer's delay by itself may go higher. */
  max?: number;
}

/**
 * A millisecond option, checked: a finite positive number (or zero, when allowed) up to `max`
 * (by default no more than `setTimeout` honours); `undefined` gives `fallback`.
 * @param field the option's name, used in the message and as `ArgumentError.field`
 * @param label how the option is named in the message when it differs from `field` (e.g. `--timeout`)
 * @throws {ArgumentError} `"<field>: must be a positive number of milliseconds up to 2147483647 …"`
 * @example
 * ```ts
 * milliseconds(config.timeout, 'timeout', 30_000);                            // 30000 when undefined
 * milliseconds(policy.minDelay, 'retry.minDelay', 200, { zero: true, max: 600_000 });
 * ```
 */
export function milliseconds(value: unknown, field: string, fallback: number, bounds: DurationBounds = {}, label = field): number {
  if (value === undefined) return fallback;
  const zero = bounds.zero === true;
  const max = bounds.max ?? MAX_TIMER_DELAY;
  if (typeof value !== 'number' || !Number.isFinite(value) || (zero ? value < 0 : value <= 0) || value > max) {
    const ceiling = max === MAX_TIMER_DELAY ? `${max} (about 24.8 days, the longest setTimeout honours)` : String(max);
    const range = zero ? `from 0 to ${ceiling}` : `up to ${ceiling}`;
    throw new ArgumentError(`${label}: must be a ${zero ? '' : 'positive '}number of milliseconds ${range}, got ${describeValue(value)}`, field);
  }
  return value;
}
