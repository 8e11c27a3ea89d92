import { createCipheriv, createHash, getCiphers, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, VerificationError } from '../../lib/index.js';
import { billCipher, decryptBill } from '../../lib/download/index.js';
import '../support/property.js';

function encrypt(plain: Buffer, key: Buffer, nonce: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    parts.push(bytes.subarray(from, point));
    from = point;
  }
  return parts;
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* from(parts: Buffer[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield part;
}

describe('decryptBill', () => {
  const key = randomBytes(32);
  const nonce = Buffer.from('a8607ef79034c49c');

  it('deciphers whatever the chunking (the 16-byte tag held back across chunk boundaries)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat({ max: 400 }), { maxLength: 12 }), async (plain, cuts) => {
        const encrypted = encrypt(Buffer.from(plain), key, nonce);
        const out = await collect(decryptBill(from(split(encrypted, cuts)), { cipher: 'aes-256-gcm', key, nonce }));
        expect(out.equals(Buffer.from(plain))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('feeds the downloaded bytes to the raw hash', async () => {
    const encrypted = encrypt(Buffer.from('bill'), key, nonce);
    const raw = createHash('sha1');
    await collect(decryptBill(from([encrypted]), { cipher: 'aes-256-gcm', key, nonce }, raw));
    expect(raw.digest('hex')).toBe(createHash('sha1').update(encrypted).digest('hex'));
  });

  it('rejects a flipped byte anywhere, a wrong nonce and a download shorter than the tag with decrypt-failed', async () => {
    const encrypted = encrypt(Buffer.from('交易时间,商户订单号\n'), key, nonce);
    for (const at of [0, 5, encrypted.length - 17, encrypted.length - 16, encrypted.length - 1]) {
      const tampered = Buffer.from(encrypted);
      tampered[at]! ^= 1;
      const error = await collect(decryptBill(from([tampered]), { cipher: 'aes-256-gcm', key, nonce })).catch((e: unknown) => e);
      expect((error as VerificationError).reason).toBe('decrypt-failed');
    }
    await expect(collect(decryptBill(from([encrypted]), { cipher: 'aes-256-gcm', key, nonce: Buffer.from('other nonce') }))).rejects.toThrow(VerificationError);
    await expect(collect(decryptBill(from([encrypted.subarray(0, 10)]), { cipher: 'aes-256-gcm', key, nonce }))).rejects.toThrow(/shorter than its authentication tag/);
    await expect(collect(decryptBill(from([encrypted]), { cipher: 'aes-256-gcm', key: key.subarray(0, 16), nonce }))).rejects.toThrow(ArgumentError);
  });
});

describe('billCipher', () => {
  it('names the cipher of AEAD_AES_256_GCM and refuses unknown algorithms', () => {
    expect(billCipher('AEAD_AES_256_GCM')).toBe('aes-256-gcm');
    expect(() => billCipher('AES_CBC')).toThrow(ArgumentError);
  });

  it.skipIf(getCiphers().includes('sm4-gcm'))('refuses SM4_GCM where OpenSSL has no sm4-gcm, naming the way out', () => {
    const error = (() => {
      try {
        billCipher('SM4_GCM');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).field).toBe('algorithm');
    expect((error as Error).message).toMatch(/SM4_GCM.*AEAD_AES_256_GCM/);
  });
});
