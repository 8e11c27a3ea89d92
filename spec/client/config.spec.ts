import { describe, expect, it } from 'vitest';
import { resolveApiV2 } from '../../lib/client/config.js';

describe('resolveApiV2: the APIv2 part of the configuration', () => {
  it('refuses a malformed secret, certificate or CA, naming the option', () => {
    expect(() => resolveApiV2({ secret: '' })).toThrow(expect.objectContaining({ field: 'secret' }));
    expect(() => resolveApiV2({ secret: 'has space' })).toThrow(expect.objectContaining({ field: 'secret' }));
    expect(() => resolveApiV2({ ca: 'not a certificate' })).toThrow(expect.objectContaining({ field: 'ca' }));
    expect(() => resolveApiV2({ merchant: { cert: 'nope', key: 'nope' } })).toThrow(expect.objectContaining({ field: 'merchant.cert' }));
    expect(() => resolveApiV2({ merchant: {} as never })).toThrow(expect.objectContaining({ field: 'merchant' }));
    expect(() => resolveApiV2({ merchant: { pfx: Buffer.from('junk') } })).toThrow(expect.objectContaining({ field: 'merchant.pfx' }));
  });

  it('accepts no APIv2 settings at all (APIv3-only clients)', () => {
    expect(() => resolveApiV2({})).not.toThrow();
  });
});
