/**
 * AES-256-ECB with PKCS#7 padding, base64 — only for APIv2's refund notification `req_info`,
 * which WeChat Pay encrypts with `md5(APIv2 key)` (lower-case hex, 32 characters) as the key.
 * ECB is weak; it is here because that notification demands it. wechatpay-php's `AesEcb`. Synchronous.
 * @module
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ArgumentError } from '../errors.js';
import type { BinaryLike } from './aes-gcm.js';

function aesKey(key: BinaryLike): Buffer {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key instanceof Uint8Array ? Buffer.from(key) : undefined;
  if (bytes === undefined) throw new ArgumentError('key: expected a string or a Uint8Array', 'key');
  if (bytes.length !== 32) throw new ArgumentError(`key: AES-256-ECB needs a 32-byte key (for req_info: Hash.md5(apiv2Key)), got ${bytes.length} bytes`, 'key');
  return bytes;
}

/**
 * Encrypts UTF-8 text; returns base64.
 * @example
 * ```ts
 * const reqInfo = AesEcb.encrypt('<root>…</root>', Hash.md5(apiv2Key));
 * ```
 */
function encrypt(plaintext: string, key: BinaryLike): string {
  const cipher = createCipheriv('aes-256-ecb', aesKey(key), null);
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/**
 * Decrypts base64 and removes the PKCS#7 padding; returns UTF-8 text.
 * @throws {ArgumentError} for a wrong key or corrupt data (bad padding)
 * @example
 * ```ts
 * const xml = AesEcb.decrypt(notification.req_info, Hash.md5(apiv2Key));
 * ```
 */
function decrypt(ciphertext: string, key: BinaryLike): string {
  const k = aesKey(key);
  const bytes = Buffer.from(String(ciphertext), 'base64');
  if (bytes.length === 0 || bytes.length % 16 !== 0) throw new ArgumentError('ciphertext: AES-ECB ciphertext must be a non-empty multiple of 16 bytes', 'ciphertext');
  const decipher = createDecipheriv('aes-256-ecb', k, null);
  try {
    return Buffer.concat([decipher.update(bytes), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new ArgumentError('ciphertext: AES-ECB decryption failed (wrong key or corrupt data)', 'ciphertext', { cause });
  }
}

/**
 * AES-256-ECB/PKCS#7 with wechatpay-php's names.
 * @example
 * ```ts
 * import { AesEcb, Hash } from 'wechatpay-chain';
 * const xml = AesEcb.decrypt(reqInfo, Hash.md5(apiv2Key));
 * ```
 */
export const AesEcb = { encrypt, decrypt } as const;
