/**
 * Issue 13, as a merchant sees it through the public API: each scenario runs against lib/ (tsx)
 * and against the built package (dist/), so the bundle is held to the same rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_KINDS, loadEntries, releaseEntries, type Entries } from '../support/entries.js';

afterAll(releaseEntries);

describe.each(ENTRY_KINDS)('hostile hardening (%s)', (kind) => {
  let main: Entries['main'];

  beforeAll(async () => {
    ({ main } = await loadEntries(kind));
  }, 90_000);

  // wechatpay-php src/Formatter.php: nonce(int $size) throws 'Size must be a positive integer.' for $size < 1
  it('12: Formatter.nonce refuses a size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5, Number.NaN, '32'] as unknown[]) expect(() => main.Formatter.nonce(size as number)).toThrow(main.ArgumentError);
    expect(main.Formatter.nonce(1)).toMatch(/^[0-9A-Za-z]$/);
  });
});
