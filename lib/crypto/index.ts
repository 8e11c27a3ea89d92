/**
 * `wechatpay-chain/crypto`: the cryptography toolkit, with wechatpay-php's names — `Rsa` (sign,
 * verify, encrypt, decrypt, key loading), `AesGcm` (APIv3 resources and certificates), `AesEcb`
 * (APIv2 refund `req_info`), `Hash` (MD5 / HMAC-SHA256 and the APIv2 `sign`), `Formatter` (nonce,
 * timestamp and the signed message layouts) — plus `loadKey` / `certificateSerial` and the
 * sensitive-field helpers (敏感信息 encrypt / decrypt of JSON fields). The client uses the same
 * functions; you need them for what happens outside a request (a JSAPI `paySign` by hand, a
 * decrypted answer field, a key check).
 *
 * DESIGN (lib/crypto/): pure functions over node:crypto (jose only for `Rsa.toCryptoKey` /
 * `toJwk`, loaded on first use); keys load synchronously so a bad key fails where it is given; a
 * message names the field and the format expected, never key material.
 * @example
 * ```ts
 * import { AesGcm, Formatter, Rsa } from 'wechatpay-chain/crypto';
 * const signature = await Rsa.sign(Formatter.request('GET', '/v3/certificates', Formatter.timestamp(), Formatter.nonce()), privateKey);
 * const plain = AesGcm.decrypt(ciphertext, apiv3Key, nonce, associatedData);
 * ```
 * @module
 */
export { Rsa } from './rsa.js';
export type { RsaPadding } from './rsa.js';
export { AesGcm } from './aes-gcm.js';
export type { BinaryLike } from './aes-gcm.js';
export { AesEcb } from './aes-ecb.js';
export { Hash } from './hash.js';
export type { SignType } from './hash.js';
export { Formatter } from '../formatter.js';
export { certificateSerial, loadKey } from './keys.js';
export type { KeyLike, KeyType } from './keys.js';
export { choosePlatformSerial, decryptFields, encryptFields } from '../sensitive/fields.js';
export type { SensitiveFields } from '../endpoint/options.js';
