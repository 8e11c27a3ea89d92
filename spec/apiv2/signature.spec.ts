import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digest, sameSignature, signFields, verifyFields } from '../../lib/apiv2/signature.js';

// The worked example of WeChat Pay's APIv2 signature documentation (签名算法).
const key = '192006250b4c09247ec02edce69f6a2d';
const fields = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' };

describe('APIv2 sign', () => {
  it('matches the documented MD5 and HMAC-SHA256 examples', () => {
    expect(signFields(fields, key)).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
    expect(signFields(fields, key, 'HMAC-SHA256')).toBe('6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6');
  });

  it('skips empty values and an existing sign, and sorts keys by byte order', () => {
    expect(signFields({ ...fields, sign: 'OLD', attach: '', detail: null }, key)).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
    expect(signFields({ B: '1', a: '2' }, 's')).toBe(createHash('md5').update('B=1&a=2&key=s').digest('hex').toUpperCase());
  });

  it('has an agency variant appending &secret=', () => {
    expect(digest('MD5', 'a=1', 'k', true)).toBe(createHash('md5').update('a=1&secret=k').digest('hex').toUpperCase());
  });

  it('verifies by the signature length and rejects a sign_type that disagrees', () => {
    const md5 = { ...fields, sign: '9A0A8659F005D6984697E2CA0A9CF3B7' };
    expect(verifyFields(md5, key)).toBe(true);
    expect(verifyFields({ ...md5, sign: md5.sign.toLowerCase() }, key)).toBe(true);
    expect(verifyFields({ ...md5, body: 'tampered' }, key)).toBe(false);
    expect(verifyFields(md5, 'another key')).toBe(false);
    const hmac = { ...fields, sign_type: 'HMAC-SHA256' };
    expect(verifyFields({ ...hmac, sign: signFields(hmac, key, 'HMAC-SHA256') }, key)).toBe(true);
    expect(verifyFields({ ...fields, sign_type: 'HMAC-SHA256', sign: md5.sign }, key)).toBe(false);
    expect(verifyFields({ ...fields, sign: 'ABC' }, key)).toBe(false);
    expect(verifyFields(fields, key)).toBe(false);
  });

  it('compares without throwing on length or type differences', () => {
    expect(sameSignature('AB', 'ab')).toBe(true);
    expect(sameSignature('AB', 'ABC')).toBe(false);
    expect(sameSignature('AB', undefined)).toBe(false);
  });
});
