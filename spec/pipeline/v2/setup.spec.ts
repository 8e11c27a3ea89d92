import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../../lib/errors.js';
import { apiV2, selectProtocol } from '../../../lib/pipeline/v2/setup.js';

describe('selectProtocol', () => {
  it('sends v2/ templates to APIv2 without the prefix and leaves others on APIv3', () => {
    expect(selectProtocol('v2/pay/micropay')).toEqual({ protocol: 'v2', template: 'pay/micropay' });
    expect(selectProtocol('v2/secapi/mch/addInstitutionsub')).toEqual({ protocol: 'v2', template: 'secapi/mch/addInstitutionsub' });
    expect(selectProtocol('v3/certificates')).toEqual({ protocol: 'v3', template: 'v3/certificates' });
    expect(selectProtocol('v2x/a')).toEqual({ protocol: 'v3', template: 'v2x/a' });
    expect(() => selectProtocol('v2')).toThrow(ArgumentError);
  });
});

describe('apiV2 configuration', () => {
  it('refuses a malformed secret, certificate or CA, naming the option', () => {
    expect(() => apiV2({ secret: '' }, '1')).toThrow(expect.objectContaining({ field: 'secret' }));
    expect(() => apiV2({ secret: 'has space' }, '1')).toThrow(expect.objectContaining({ field: 'secret' }));
    expect(() => apiV2({ ca: 'not a certificate' }, '1')).toThrow(expect.objectContaining({ field: 'ca' }));
    expect(() => apiV2({ merchant: { cert: 'nope', key: 'nope' } }, '1')).toThrow(expect.objectContaining({ field: 'merchant.cert' }));
    expect(() => apiV2({ merchant: {} as never }, '1')).toThrow(expect.objectContaining({ field: 'merchant' }));
    expect(() => apiV2({ merchant: { pfx: Buffer.from('junk') } }, '1')).toThrow(expect.objectContaining({ field: 'merchant.pfx' }));
  });

  it('accepts no APIv2 settings at all (APIv3-only clients)', () => {
    expect(() => apiV2({}, '1')).not.toThrow();
  });
});
