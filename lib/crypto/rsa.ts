/**
 * RSA with wechatpay-php's names: `Rsa.from`, `Rsa.sign`, `Rsa.verify`, `Rsa.encrypt`, `Rsa.decrypt`.
 *
 * Promises: `sign` (it runs on libuv's thread pool through node's callback `crypto.sign`, so a
 * busy server's event loop is not blocked by RSA-2048 private-key work), `toCryptoKey` and `toJwk`.
 * `from`, `verify`, `encrypt` and `decrypt` are synchronous (public-key work is cheap; decrypt is rare).
 * @module
 */
import { constants, KeyObject, privateDecrypt, publicEncrypt, sign as cryptoSign, verify as cryptoVerify, type webcrypto } from 'node:crypto';
// jose is loaded by the two async helpers that use it, not by every import of the package
import type { JWK } from 'jose';
import { ArgumentError } from '../errors.js';
import { jose } from '../lazy.js';
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
  let key: KeyObject;
  try {
    key = from(privateKey, KEY_TYPE_PRIVATE);
  } catch (error) {
    return Promise.reject(error);
  }
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

/**
 * Padding schemes `Rsa.encrypt` / `Rsa.decrypt` support. OAEP is the default and the safe choice.
 * @example
 * ```ts
 * const padding: RsaPadding = 'pkcs1'; // only where an endpoint demands RSAES-PKCS1-v1_5
 * ```
 */
export type RsaPadding = 'oaep' | 'pkcs1';

/**
 * RSAES-OAEP (SHA-1, MGF1-SHA-1) with the platform public key, base64 — the sensitive-field
 * encryption WeChat Pay expects. Pass `'pkcs1'` only for the endpoints that demand RSAES-PKCS1-v1_5.
 * @example
 * ```ts
 * const encrypted = Rsa.encrypt('13800138000', platformCertificatePem);
 * ```
 */
function encrypt(plaintext: string, publicKey: KeyLike, padding: RsaPadding = 'oaep'): string {
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
function decrypt(ciphertext: string, privateKey: KeyLike, padding: RsaPadding = 'oaep'): string {
  const key = from(privateKey, KEY_TYPE_PRIVATE);
  try {
    return rsaDecrypt(key, Buffer.from(ciphertext, 'base64'), padding).toString('utf8');
  } catch (cause) {
    if (padding === 'pkcs1' && /no longer supported/i.test(String((cause as Error).message))) {
      throw new ArgumentError('padding: this Node.js refuses RSAES-PKCS1-v1_5 decryption (CVE-2023-46809, Marvin attack); use OAEP', 'padding', { cause });
    }
    throw new ArgumentError('ciphertext: RSA decryption failed (wrong key, wrong padding or corrupted data)', 'ciphertext', { cause });
  }
}

/**
 * RSAES decryption to bytes with a loaded private key: OAEP (SHA-1, MGF1-SHA-1) by default, as
 * WeChat Pay encrypts sensitive fields and wraps a bill's file key (`encrypt_key`). Throws node's
 * error on a wrong key or bad data.
 * @example
 * ```ts
 * const fileKey = rsaDecrypt(merchantPrivateKey, Buffer.from(entry.encrypt_key, 'base64'));
 * ```
 */
export function rsaDecrypt(key: KeyObject, ciphertext: Buffer, padding: RsaPadding = 'oaep'): Buffer {
  return privateDecrypt({ key, padding: padding === 'pkcs1' ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, ciphertext);
}

function fromBase64(base64: string, label: string, type: KeyType): KeyObject {
  if (typeof base64 !== 'string') throw new ArgumentError(`${type}Key: expected base64 text`, `${type}Key`);
  const body = base64.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n');
  return from(`-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`, type);
}

/**
 * Loads a PKCS#1 `RSA PRIVATE KEY` given as bare base64 (no PEM lines), as `Rsa::fromPkcs1` does.
 * @example
 * ```ts
 * const key = Rsa.fromPkcs1('MIIEpAIBAAKCAQEA…');
 * ```
 */
function fromPkcs1(base64: string, type: KeyType = KEY_TYPE_PRIVATE): KeyObject {
  return fromBase64(base64, type === KEY_TYPE_PRIVATE ? 'RSA PRIVATE KEY' : 'RSA PUBLIC KEY', type);
}

/**
 * Loads a PKCS#8 `PRIVATE KEY` given as bare base64, as `Rsa::fromPkcs8` does.
 * @example
 * ```ts
 * const key = Rsa.fromPkcs8('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC…');
 * ```
 */
function fromPkcs8(base64: string): KeyObject {
  return fromBase64(base64, 'PRIVATE KEY', KEY_TYPE_PRIVATE);
}

/**
 * Loads an SPKI `PUBLIC KEY` given as bare base64, as `Rsa::fromSpki` does.
 * @example
 * ```ts
 * const key = Rsa.fromSpki('MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…');
 * ```
 */
function fromSpki(base64: string): KeyObject {
  return fromBase64(base64, 'PUBLIC KEY', KEY_TYPE_PUBLIC);
}

/** What a WebCrypto key made by {@link toCryptoKey} is for. */
type CryptoKeyUse = 'sign' | 'verify' | 'encrypt' | 'decrypt';

/**
 * A WebCrypto `CryptoKey` (non-extractable) for code that wants one, e.g. edge runtimes or `jose`:
 * RSASSA-PKCS1-v1_5/SHA-256 for `sign`/`verify`, RSA-OAEP/SHA-1 for `encrypt`/`decrypt`. Returns a Promise.
 * @example
 * ```ts
 * const cryptoKey = await Rsa.toCryptoKey(merchantPem, 'sign');
 * const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', cryptoKey, message);
 * ```
 */
async function toCryptoKey(thing: KeyLike, use: CryptoKeyUse): Promise<webcrypto.CryptoKey> {
  const isPrivate = use === 'sign' || use === 'decrypt';
  const key = from(thing, isPrivate ? KEY_TYPE_PRIVATE : KEY_TYPE_PUBLIC);
  // RS256 is RSASSA-PKCS1-v1_5/SHA-256; RSA-OAEP (in JOSE) is OAEP with SHA-1, as WeChat Pay uses
  const alg = use === 'sign' || use === 'verify' ? 'RS256' : 'RSA-OAEP';
  const pem = key.export(isPrivate ? { type: 'pkcs8', format: 'pem' } : { type: 'spki', format: 'pem' }).toString();
  const { importPKCS8, importSPKI } = await jose();
  const imported = isPrivate ? await importPKCS8(pem, alg) : await importSPKI(pem, alg);
  return imported as unknown as webcrypto.CryptoKey;
}

/**
 * The key as a JSON Web Key (public members only unless `type` is private). Returns a Promise.
 * @example
 * ```ts
 * const jwk = await Rsa.toJwk(platformCertificatePem); // { kty: 'RSA', n: '…', e: 'AQAB' }
 * ```
 */
async function toJwk(thing: KeyLike, type: KeyType = KEY_TYPE_PUBLIC): Promise<JWK> {
  const key = thing instanceof KeyObject && thing.type === type ? thing : from(thing, type);
  const { exportJWK } = await jose();
  return exportJWK(key);
}

/**
 * The RSA helpers as one namespace, named as in wechatpay-php.
 * @example
 * ```ts
 * import { Rsa } from 'wechatpay-chain';
 * const ok = Rsa.verify(message, signature, Rsa.from(platformPem, Rsa.KEY_TYPE_PUBLIC));
 * ```
 */
export const Rsa = { KEY_TYPE_PUBLIC, KEY_TYPE_PRIVATE, from, fromPkcs1, fromPkcs8, fromSpki, sign, verify, encrypt, decrypt, toCryptoKey, toJwk } as const;
