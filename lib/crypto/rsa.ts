/**
 * RSA with wechatpay-php's names: `Rsa.from`, `Rsa.sign`, `Rsa.verify`, `Rsa.encrypt`, `Rsa.decrypt`.
 *
 * `sign` returns a Promise: it runs on libuv's thread pool (node's callback `crypto.sign`), so a
 * busy server's event loop is not blocked by RSA-2048 private-key work. `verify`, `encrypt` and
 * `decrypt` are synchronous (public-key work is cheap; decrypt is rare).
 * @module
 */
import { constants, privateDecrypt, publicEncrypt, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { ArgumentError } from '../errors.js';
import { loadKey, type KeyLike, type KeyType } from './keys.js';

const KEY_TYPE_PUBLIC = 'public' as const;
const KEY_TYPE_PRIVATE = 'private' as const;

/**
 * Loads a key, see {@link loadKey} for the accepted forms.
 * @example
 * ```ts
 * const merchantKey = Rsa.from('file:///path/to/apiclient_key.pem', Rsa.KEY_TYPE_PRIVATE);
 * const platformKey = Rsa.from(platformCertificatePem); // public by default
 * ```
 */
function from(thing: KeyLike, type: KeyType = KEY_TYPE_PUBLIC): KeyObject {
  return loadKey(thing, type, type === KEY_TYPE_PRIVATE ? 'privateKey' : 'publicKey');
}

function bytes(message: string | Uint8Array): Uint8Array {
  return typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
}

/**
 * RSASSA-PKCS1-v1_5 with SHA-256, base64. Runs on the thread pool.
 * @example
 * ```ts
 * const signature = await Rsa.sign(Formatter.request('GET', '/v3/certificates', ts, nonce), merchantKey);
 * ```
 */
function sign(message: string | Uint8Array, privateKey: KeyLike): Promise<string> {
  const key = privateKey instanceof Object && 'asymmetricKeyType' in privateKey ? (privateKey as KeyObject) : from(privateKey, KEY_TYPE_PRIVATE);
  if (key.type !== 'private') return Promise.reject(new ArgumentError('privateKey: Rsa.sign needs a private key', 'privateKey'));
  return new Promise((resolve, reject) => {
    cryptoSign('sha256', bytes(message), key, (error, signature) => {
      if (error) reject(error);
      else resolve(signature.toString('base64'));
    });
  });
}

/**
 * Checks an RSASSA-PKCS1-v1_5/SHA-256 base64 signature. Returns false (never throws) for a bad,
 * malformed or empty signature; throws only when the key itself cannot be loaded.
 * @example
 * ```ts
 * Rsa.verify(Formatter.response(ts, nonce, body), headers['wechatpay-signature'], platformKey); // true | false
 * ```
 */
function verify(message: string | Uint8Array, signature: string, publicKey: KeyLike): boolean {
  const key = from(publicKey, KEY_TYPE_PUBLIC);
  if (typeof signature !== 'string' || signature.length === 0) return false;
  try {
    return cryptoVerify('sha256', bytes(message), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** Padding schemes `Rsa.encrypt` / `Rsa.decrypt` support. OAEP is the default and the safe choice. */
type Padding = 'oaep' | 'pkcs1';

/**
 * RSAES-OAEP (SHA-1, MGF1-SHA-1) with the platform public key, base64 — the sensitive-field
 * encryption WeChat Pay expects. Pass `'pkcs1'` only for the endpoints that demand RSAES-PKCS1-v1_5.
 * @example
 * ```ts
 * const encrypted = Rsa.encrypt('13800138000', platformCertificatePem);
 * ```
 */
function encrypt(plaintext: string, publicKey: KeyLike, padding: Padding = 'oaep'): string {
  const key = from(publicKey, KEY_TYPE_PUBLIC);
  return publicEncrypt(
    { key, padding: padding === 'pkcs1' ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(plaintext, 'utf8'),
  ).toString('base64');
}

/**
 * Decrypts an RSAES-OAEP (SHA-1) base64 ciphertext with the merchant private key.
 * @throws {ArgumentError} when the ciphertext does not decrypt with this key
 * @example
 * ```ts
 * const phone = Rsa.decrypt(res.data.contact_info.mobile_phone, merchantPrivateKey);
 * ```
 */
function decrypt(ciphertext: string, privateKey: KeyLike, padding: Padding = 'oaep'): string {
  const key = from(privateKey, KEY_TYPE_PRIVATE);
  try {
    return privateDecrypt(
      { key, padding: padding === 'pkcs1' ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(ciphertext, 'base64'),
    ).toString('utf8');
  } catch (cause) {
    throw new ArgumentError('ciphertext: RSA decryption failed (wrong key, wrong padding or corrupted data)', 'ciphertext', { cause });
  }
}

/**
 * The RSA helpers as one namespace, named as in wechatpay-php.
 * @example
 * ```ts
 * import { Rsa } from 'wechatpay-chain';
 * const ok = Rsa.verify(message, signature, Rsa.from(platformPem, Rsa.KEY_TYPE_PUBLIC));
 * ```
 */
export const Rsa = { KEY_TYPE_PUBLIC, KEY_TYPE_PRIVATE, from, sign, verify, encrypt, decrypt } as const;
