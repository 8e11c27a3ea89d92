import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Builder } from '../../lib/client/builder.js';
import { recordOf } from '../../lib/client/registry.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const APIV2_SECRET = 'apiv2secretapiv2secretapiv2secre';

describe('the client registry', () => {
  const client = Builder.factory({
    mchid: '1900000109',
    serial: '3775B6A45ACD588826D15E583A95F5DD00000000',
    privateKey,
    secret: APIV2_SECRET,
    baseURL: 'http://127.0.0.1:8080/',
    failover: { backupURL: 'http://127.0.0.1:8081/' },
  });
  const record = recordOf(client);

  it('keeps, for a client Builder.factory made, the origins a download may go to', () => {
    expect(record).toBeDefined();
    for (const origin of ['https://api.mch.weixin.qq.com', 'https://api2.mch.weixin.qq.com', 'http://127.0.0.1:8080', 'http://127.0.0.1:8081']) expect(record?.origins.has(origin)).toBe(true);
    expect(record?.origins.has('http://127.0.0.1:8082')).toBe(false);
  });

  it('unwraps an encrypt_key with the merchant private key (RSAES-OAEP, SHA-1), which stays in its closure', () => {
    const fileKey = Buffer.alloc(32, 7);
    const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, fileKey);
    expect(record?.unwrapKey(wrapped)).toEqual(fileKey);
    expect(JSON.stringify(record)).not.toContain('PRIVATE');
  });

  it('knows the secrets the client refuses to send', () => {
    expect(() => record?.secrets.check(`/v3/x?k=${APIV2_SECRET}`, {})).toThrow(/the APIv2 secret/);
  });

  it('has no record of anything else, and the record is not on the client', () => {
    for (const other of [undefined, null, 1, 'client', {}, () => undefined, client.pipeline]) expect(recordOf(other)).toBeUndefined();
    expect(Object.keys(client)).toEqual([]);
  });
});
