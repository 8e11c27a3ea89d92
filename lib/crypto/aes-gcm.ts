/**
 * AES-256-GCM as WeChat Pay uses it (`AEAD_AES_256_GCM`): notification resources, platform
 * certificates and a few encrypted response fields are `base64(ciphertext ‖ 16-byte tag)`,
 * keyed with the merchant's 32-byte APIv3 key, a 12-byte nonce and optional associated data.
 * wechatpay-php's `AesGcm::encrypt` / `AesGcm::decrypt`. Synchronous.
 * @module
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ArgumentError } from '../errors.js';

/** Length of the APIv3 key and of an AES-256 key, in bytes. */
const KEY_LENGTH_BYTE = 32;
/** Length of the GCM authentication tag appended to the ciphertext, in bytes. */
const BLOCK_SIZE = 16;

/**
 * A secret or a nonce given as UTF-8 text or as bytes.
 * @example
 * ```ts
 * const key: BinaryLike = process.env.WECHATPAY_APIV3_KEY ?? Buffer.alloc(32);
 * ```
 */
export type BinaryLike = string | Uint8Array;

function toBytes(thing: BinaryLike, field: string): Buffer {
  if (typeof thing === 'string') return Buffer.from(thing, 'utf8');
  if (thing instanceof Uint8Array) return Buffer.from(thing.buffer, thing.byteOffset, thing.byteLength);
  throw new ArgumentError(`${field}: expected a string or a Uint8Array`, field);
}

function aesKey(key: BinaryLike): Buffer {
  const bytes = toBytes(key, 'key');
  // the length is safe to report; the key itself never is
  if (bytes.length !== KEY_LENGTH_BYTE) throw new ArgumentError(`key: the APIv3 key must be ${KEY_LENGTH_BYTE} bytes, got ${bytes.length}`, 'key');
  return bytes;
}

function gcmIv(iv: BinaryLike): Buffer {
  const bytes = toBytes(iv, 'iv');
  if (bytes.length === 0) throw new ArgumentError('iv: the nonce must not be empty', 'iv');
  return bytes;
}

/**
 * Encrypts with AES-256-GCM; returns `base64(ciphertext ‖ tag)`.
 * @param plaintext UTF-8 text or bytes
 * @param key the 32-byte APIv3 key
 * @param iv the nonce (WeChat Pay uses 12 characters)
 * @param aad associated data, authenticated but not encrypted
 * @throws {ArgumentError} for a key that is not 32 bytes or an empty nonce
 * @example
 * ```ts
 * AesGcm.encrypt('message', apiv3Key, 'uluk4a9R25RW', 'associatedData'); // 'ulwSiIaj…'
 * ```
 */
function encrypt(plaintext: BinaryLike, key: BinaryLike, iv: BinaryLike, aad: BinaryLike = ''): string {
  const cipher = createCipheriv('aes-256-gcm', aesKey(key), gcmIv(iv), { authTagLength: BLOCK_SIZE });
  cipher.setAAD(toBytes(aad, 'aad'));
  return Buffer.concat([cipher.update(toBytes(plaintext, 'plaintext')), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

/**
 * Decrypts `base64(ciphertext ‖ tag)` and checks the tag; returns UTF-8 text.
 * @throws {ArgumentError} when the tag does not match (wrong key, nonce, associated data or altered ciphertext)
 * @example
 * ```ts
 * const resource = JSON.parse(AesGcm.decrypt(ciphertext, apiv3Key, nonce, associated_data));
 * ```
 */
function decrypt(ciphertext: string, key: BinaryLike, iv: BinaryLike, aad: BinaryLike = ''): string {
  return decryptToBuffer(ciphertext, key, iv, aad).toString('utf8');
}

/**
 * Like {@link decrypt} but returns the bytes.
 * @example
 * ```ts
 * const der = AesGcm.decryptToBuffer(ciphertext, apiv3Key, nonce, aad);
 * ```
 */
function decryptToBuffer(ciphertext: string, key: BinaryLike, iv: BinaryLike, aad: BinaryLike = ''): Buffer {
  const k = aesKey(key);
  const nonce = gcmIv(iv);
  if (typeof ciphertext !== 'string') throw new ArgumentError('ciphertext: expected base64 text', 'ciphertext');
  const bytes = Buffer.from(ciphertext, 'base64');
  if (bytes.length < BLOCK_SIZE) throw new ArgumentError(`ciphertext: too short to hold the ${BLOCK_SIZE}-byte authentication tag`, 'ciphertext');
  const decipher = createDecipheriv('aes-256-gcm', k, nonce, { authTagLength: BLOCK_SIZE });
  decipher.setAAD(toBytes(aad, 'aad'));
  decipher.setAuthTag(bytes.subarray(bytes.length - BLOCK_SIZE));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - BLOCK_SIZE)), decipher.final()]);
  } catch (cause) {
    throw new ArgumentError('ciphertext: AES-GCM authentication failed (wrong APIv3 key, nonce or associated data, or altered ciphertext)', 'ciphertext', { cause });
  }
}

/**
 * AES-256-GCM with wechatpay-php's names.
 * @example
 * ```ts
 * import { AesGcm } from 'wechatpay-chain';
 * AesGcm.decrypt('ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=', 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb', 'uluk4a9R25RW', 'associatedData'); // 'message'
 * ```
 */
export const AesGcm = { KEY_LENGTH_BYTE, BLOCK_SIZE, encrypt, decrypt, decryptToBuffer } as const;
