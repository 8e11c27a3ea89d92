import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../lib/index.js';
import { AesEcb, Hash } from '../../lib/crypto/index.js';

const apiv2Key = '192006250b4c09247ec02edce69f6a2d';

describe('AesEcb (APIv2 refund req_info)', () => {
  it('decrypts what an independent AES-256-ECB/PKCS#7 encryption produced with md5(apiv2Key)', () => {
    const xml = '<root><out_refund_no><![CDATA[R1]]></out_refund_no><refund_status><![CDATA[SUCCESS]]></refund_status></root>';
    const cipher = createCipheriv('aes-256-ecb', Buffer.from(Hash.md5(apiv2Key)), null);
    const reqInfo = Buffer.concat([cipher.update(xml), cipher.final()]).toString('base64');
    expect(AesEcb.decrypt(reqInfo, Hash.md5(apiv2Key))).toBe(xml);
    expect(AesEcb.encrypt(xml, Hash.md5(apiv2Key))).toBe(reqInfo);
  });

  it('pads to whole blocks (PKCS#7), including a full block for aligned input', () => {
    const key = Hash.md5(apiv2Key);
    expect(Buffer.from(AesEcb.encrypt('x'.repeat(15), key), 'base64')).toHaveLength(16);
    expect(Buffer.from(AesEcb.encrypt('x'.repeat(16), key), 'base64')).toHaveLength(32);
    expect(AesEcb.decrypt(AesEcb.encrypt('', key), key)).toBe('');
  });

  it('fails with ArgumentError for a wrong key, bad length or a non-32-byte key', () => {
    const key = Hash.md5(apiv2Key);
    const reqInfo = AesEcb.encrypt('hello world', key);
    expect(() => AesEcb.decrypt(reqInfo, Hash.md5('another key'))).toThrow(ArgumentError);
    expect(() => AesEcb.decrypt(reqInfo.slice(0, 8), key)).toThrow(/multiple of 16/);
    expect(() => AesEcb.decrypt(reqInfo, apiv2Key.slice(0, 16))).toThrow(/32-byte key/);
  });
});
