import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../lib/index.js';
import { Formatter, Hash } from '../../lib/crypto/index.js';

// the official APIv2 signing sample (pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3)
const key = '192006250b4c09247ec02edce69f6a2d';
const sample = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' };
const stringA = 'appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA';

describe('Hash', () => {
  it('builds the official signing string from the sample fields', () => {
    expect(Formatter.queryStringLike(Formatter.ksort(sample))).toBe(stringA);
  });

  it('signs the official sample with MD5: 9A0A8659F005D6984697E2CA0A9CF3B7', () => {
    expect(Hash.sign('MD5', stringA, key)).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
    expect(Hash.sign(Hash.ALGO_MD5, sample, key)).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });

  it('signs the official sample with HMAC-SHA256 (the published value)', () => {
    expect(Hash.sign('HMAC-SHA256', sample, key)).toBe('6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6');
  });

  it('ignores sign, null, undefined and empty fields when signing an object', () => {
    const noisy = { ...sample, sign: 'WHATEVER', empty: '', none: null, missing: undefined };
    expect(Hash.sign('MD5', noisy, key)).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });

  it('md5 is lower-case hex; with a key it appends &key= (or &secret= for an agency, as wechatpay-php)', () => {
    expect(Hash.md5('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(Hash.md5(stringA, key)).toBe('9a0a8659f005d6984697e2ca0a9cf3b7');
    expect(Hash.md5('a=1', 'k', true)).toBe(Hash.md5('a=1&secret=k'));
  });

  it('hmac is lower-case hex over thing&key=KEY, any node digest', () => {
    expect(Hash.hmac('a=1', 'k')).toBe(createHmac('sha256', 'k').update('a=1&key=k').digest('hex'));
    expect(Hash.hmac('a=1', 'k', 'sha512')).toBe(createHmac('sha512', 'k').update('a=1&key=k').digest('hex'));
    expect(() => Hash.hmac('a=1', '')).toThrow(ArgumentError);
    expect(() => Hash.hmac('a=1', 'k', 'nope')).toThrow(/unknown digest/);
  });

  it('refuses unknown sign types', () => {
    expect(() => Hash.sign('SHA1', stringA, key)).toThrow(ArgumentError);
  });

  it('equals compares exactly', () => {
    expect(Hash.equals('9A0A8659', '9A0A8659')).toBe(true);
    expect(Hash.equals('9A0A8659', '9A0A8658')).toBe(false);
    expect(Hash.equals('9A0A8659', '9A0A865')).toBe(false);
    expect(Hash.equals('9A0A8659', undefined)).toBe(false);
  });
});
