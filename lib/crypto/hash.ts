/**
 * Digests and the APIv2 `sign`, with wechatpay-php's names (`Hash::md5`, `Hash::hmac`,
 * `Hash::sign`, `Hash::equals`). Synchronous.
 * @module
 */
import { createHash, createHmac, getHashes, timingSafeEqual } from 'node:crypto';
import { ArgumentError } from '../errors.js';
import { ksort, queryStringLike } from '../formatter.js';

/** The APIv2 `sign_type` of MD5 signatures (the default). */
const ALGO_MD5 = 'MD5';
/** The APIv2 `sign_type` of HMAC-SHA256 signatures. */
const ALGO_HMAC_SHA256 = 'HMAC-SHA256';

/**
 * APIv2 signature types (`Hash.ALGO_MD5`, `Hash.ALGO_HMAC_SHA256`).
 * @example
 * ```ts
 * const type: SignType = fields.sign_type === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5';
 * ```
 */
export type SignType = typeof ALGO_MD5 | typeof ALGO_HMAC_SHA256;

function secret(key: string, field = 'key'): string {
  if (typeof key !== 'string') throw new ArgumentError(`${field}: expected a string`, field);
  return key;
}

/**
 * Lower-case hex MD5 of `thing`, followed by `&key=KEY` (or `&secret=KEY` for an agency, as wechatpay-php's `Hash::md5`) when a key is given.
 * @example
 * ```ts
 * Hash.md5('abc'); // '900150983cd24fb0d6963f7d28e17f72'
 * Hash.md5('a=1&b=2', apiv2Key); // md5('a=1&b=2&key=' + apiv2Key)
 * ```
 */
function md5(thing: string, key = '', agency = false): string {
  const hash = createHash('md5').update(String(thing));
  if (secret(key) !== '') hash.update(agency ? '&secret=' : '&key=').update(key);
  return hash.digest('hex');
}

/**
 * Lower-case hex HMAC of `thing` + `&key=KEY`, keyed with `key` (the APIv2 HMAC-SHA256 scheme).
 * @param algo a node:crypto digest name, `sha256` by default
 * @throws {ArgumentError} for an empty key or an unknown digest
 * @example
 * ```ts
 * Hash.hmac('a=1&b=2', apiv2Key); // hmac_sha256(apiv2Key, 'a=1&b=2&key=' + apiv2Key)
 * ```
 */
function hmac(thing: string, key: string, algo = 'sha256'): string {
  if (secret(key) === '') throw new ArgumentError('key: HMAC needs a non-empty key', 'key');
  if (!getHashes().includes(algo.toLowerCase())) throw new ArgumentError(`algo: unknown digest "${algo}"`, 'algo');
  return createHmac(algo.toLowerCase(), key).update(String(thing)).update('&key=').update(key).digest('hex');
}

/**
 * The APIv2 `sign`: upper-case MD5 or HMAC-SHA256 of the signing string and `&key=KEY`.
 * `data` is the signing string, or an object whose non-empty fields (except `sign`) are sorted
 * by name and joined as `k=v&k=v` first.
 * @throws {ArgumentError} for a type other than `MD5` / `HMAC-SHA256`
 * @example
 * ```ts
 * Hash.sign('MD5', { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' }, '192006250b4c09247ec02edce69f6a2d');
 * // '9A0A8659F005D6984697E2CA0A9CF3B7'
 * ```
 */
function sign(type: SignType | string, data: string | Readonly<Record<string, unknown>>, key: string): string {
  const text = typeof data === 'string' ? data : queryStringLike(ksort({ ...data }));
  if (type === ALGO_MD5) return md5(text, key).toUpperCase();
  if (type === ALGO_HMAC_SHA256) return hmac(text, key).toUpperCase();
  throw new ArgumentError(`type: APIv2 sign type must be "${ALGO_MD5}" or "${ALGO_HMAC_SHA256}", got "${String(type).slice(0, 32)}"`, 'type');
}

/**
 * Compares two strings in constant time (for a given length); false when the lengths differ.
 * @example
 * ```ts
 * Hash.equals(Hash.sign('MD5', fields, apiv2Key), fields.sign); // true | false
 * ```
 */
function equals(known: string, user: string | undefined | null): boolean {
  if (typeof known !== 'string' || typeof user !== 'string') return false;
  const a = Buffer.from(known);
  const b = Buffer.from(user);
  // compare against itself on a length mismatch so the time does not tell where the strings differ
  return a.length === b.length ? timingSafeEqual(a, b) : (timingSafeEqual(a, a), false);
}

/**
 * The hash helpers as one namespace, named as in wechatpay-php.
 * @example
 * ```ts
 * import { Hash } from 'wechatpay-chain';
 * const ok = Hash.equals(Hash.sign(Hash.ALGO_HMAC_SHA256, notification, apiv2Key), notification.sign);
 * ```
 */
export const Hash = { ALGO_MD5, ALGO_HMAC_SHA256, md5, hmac, sign, equals } as const;
