import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../lib/index.js';
import { AesGcm } from '../../lib/crypto/index.js';

const key = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
const iv = 'uluk4a9R25RW';
const aad = 'associatedData';
const vector = 'ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=';

describe('AesGcm', () => {
  it('decrypts the published vector', () => {
    expect(AesGcm.decrypt(vector, key, iv, aad)).toBe('message');
  });

  it('encrypts to the published vector (deterministic for a given nonce)', () => {
    expect(AesGcm.encrypt('message', key, iv, aad)).toBe(vector);
  });

  it('round-trips text, bytes and an empty aad', () => {
    const k = randomBytes(32);
    const text = '{"mobile":"13800138000","名字":"张三"}';
    expect(AesGcm.decrypt(AesGcm.encrypt(text, k, 'abcdefghijkl'), k, 'abcdefghijkl')).toBe(text);
    const bytes = randomBytes(100);
    expect(AesGcm.decryptToBuffer(AesGcm.encrypt(bytes, k, iv, ''), k, iv).equals(bytes)).toBe(true);
  });

  it('always checks the tag: wrong key, nonce, aad or a flipped bit fail with ArgumentError', () => {
    const wrongKey = 'b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
    const flipped = Buffer.from(vector, 'base64');
    flipped[0] = (flipped[0] as number) ^ 1;
    for (const attempt of [
      () => AesGcm.decrypt(vector, wrongKey, iv, aad),
      () => AesGcm.decrypt(vector, key, 'uluk4a9R25RX', aad),
      () => AesGcm.decrypt(vector, key, iv, 'associatedDatA'),
      () => AesGcm.decrypt(flipped.toString('base64'), key, iv, aad),
      () => AesGcm.decrypt(vector.slice(0, 12), key, iv, aad),
    ]) {
      expect(attempt).toThrow(ArgumentError);
    }
  });

  it('refuses a key that is not 32 bytes, without printing it', () => {
    const short = 'secret-apiv3-key-too-short';
    try {
      AesGcm.decrypt(vector, short, iv, aad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).field).toBe('key');
      expect(String(error)).not.toContain(short);
      expect(JSON.stringify(error)).not.toContain(short);
    }
  });
});
