import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../../lib/errors.js';
import { signedFields, signFields } from '../../../lib/apiv2/signature.js';

const options = { mchid: '1900000109', secret: 'k' };

describe('signedFields', () => {
  it('adds a fresh nonce_str when absent and a sign over every field', () => {
    const a = signedFields({ mch_id: '1900000109', out_trade_no: 'T1' }, options);
    const b = signedFields({ mch_id: '1900000109', out_trade_no: 'T1' }, options);
    expect(a.nonce_str).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(a.nonce_str).not.toBe(b.nonce_str);
    const { sign, ...rest } = a;
    expect(sign).toBe(signFields(rest, 'k'));
  });

  it('leaves nonce_str out when nonceless', () => {
    expect(signedFields({ mch_id: '1900000109' }, { ...options, nonceless: true })).not.toHaveProperty('nonce_str');
  });

  it('replaces a caller-given sign and keeps a caller-given nonce_str', () => {
    const out = signedFields({ nonce_str: 'mine', sign: 'FORGED' }, options);
    expect(out.nonce_str).toBe('mine');
    expect(out.sign).toBe(signFields({ nonce_str: 'mine' }, 'k'));
  });

  it('refuses another merchant id in mch_id, mchid or combine_mch_id, and an unknown sign_type', () => {
    for (const field of ['mch_id', 'mchid', 'combine_mch_id']) {
      expect(() => signedFields({ [field]: '1900000110' }, options)).toThrow(expect.objectContaining({ field: `xml.${field}` }));
    }
    expect(() => signedFields({ mch_id: 1900000109 }, options)).not.toThrow();
    expect(() => signedFields({ sign_type: 'HMAC-SHA1' }, options)).toThrow(ArgumentError);
    expect(() => signedFields([] as unknown as Record<string, unknown>, options)).toThrow(ArgumentError);
  });
});
