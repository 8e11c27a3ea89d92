/**
 * The APIv2 `sign` as the pipeline uses it: MD5 or HMAC-SHA256 over `k=v&…&key=<secret>` (fields
 * in byte order, empty ones and `sign` left out), upper-case hex, checked in constant time. The
 * digests themselves are lib/crypto/hash.ts's `Hash`; the agency variant (企业微信 `workwx_sign`)
 * appends `&secret=` as wechatpay-php's `Hash::md5($thing, $key, true)` does.
 * @module
 */
import { Hash, type SignType } from '../crypto/hash.js';
import { ArgumentError } from '../errors.js';
import { ksort, nonce, queryStringLike } from '../formatter.js';
import { isPlainObject } from '../validate.js';

export type { SignType } from '../crypto/hash.js';

/**
 * `sign_type` values accepted, MD5 first (the default).
 * @example
 * ```ts
 * SIGN_TYPES.includes('MD5'); // true
 * ```
 */
export const SIGN_TYPES: readonly SignType[] = [Hash.ALGO_MD5, Hash.ALGO_HMAC_SHA256];

/**
 * Whether a value is a known `sign_type`.
 * @example
 * ```ts
 * isSignType('HMAC-SHA256'); // true
 * ```
 */
export function isSignType(value: unknown): value is SignType {
  return value === Hash.ALGO_MD5 || value === Hash.ALGO_HMAC_SHA256;
}

/**
 * Upper-case hex digest of `message + '&key=' + secret` (or `'&secret='` with `agency`, MD5 only).
 * @example
 * ```ts
 * digest('MD5', 'appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA', '192006250b4c09247ec02edce69f6a2d');
 * // '9A0A8659F005D6984697E2CA0A9CF3B7'
 * ```
 */
export function digest(type: SignType, message: string, secret: string, agency = false): string {
  if (!agency) return Hash.sign(type, message, secret);
  if (type !== Hash.ALGO_MD5) throw new ArgumentError('sign_type: the agency (workwx) sign is MD5 only', 'sign_type');
  return Hash.md5(message, secret, true).toUpperCase();
}

/**
 * The `sign` of a set of fields: ksort, drop empty values and `sign`, join, digest.
 * @throws {ArgumentError} for an unknown sign type
 * @example
 * ```ts
 * signFields({ mch_id: '1900000109', nonce_str: 'x', sign_type: 'HMAC-SHA256' }, secret, 'HMAC-SHA256'); // 64 hex chars
 * ```
 */
export function signFields(fields: Readonly<Record<string, unknown>>, secret: string, type: SignType = 'MD5', agency = false): string {
  if (!isSignType(type)) throw new ArgumentError(`sign_type: must be MD5 or HMAC-SHA256`, 'sign_type');
  if (!agency) return Hash.sign(type, fields, secret);
  return digest(type, queryStringLike(ksort({ ...fields })), secret, true);
}

/**
 * Constant-time comparison of two hex signatures (case-insensitive); false for any length mismatch.
 * @example
 * ```ts
 * sameSignature('9a0a8659f005d6984697e2ca0a9cf3b7', '9A0A8659F005D6984697E2CA0A9CF3B7'); // true
 * ```
 */
export function sameSignature(expected: string, actual: unknown): boolean {
  return typeof actual === 'string' && Hash.equals(expected.toUpperCase(), actual.toUpperCase());
}

/**
 * Checks the `sign` of received fields. The algorithm comes from `sign_type` when present, else
 * from the signature's length (64 hex → HMAC-SHA256, 32 → MD5), as wechatpay-php does.
 * @example
 * ```ts
 * verifyFields(parseXml(body), secret); // true | false
 * ```
 */
export function verifyFields(fields: Readonly<Record<string, unknown>>, secret: string): boolean {
  const sign = fields.sign;
  if (typeof sign !== 'string') return false;
  const byLength: SignType | undefined = sign.length === 64 ? 'HMAC-SHA256' : sign.length === 32 ? 'MD5' : undefined;
  const declared = fields.sign_type;
  if (byLength === undefined || (declared !== undefined && declared !== byLength)) return false;
  return sameSignature(signFields(fields, secret, byLength), sign);
}

/**
 * Fields naming the merchant; each, when present, must be the configured merchant id.
 * @example
 * ```ts
 * MERCHANT_ID_FIELDS.includes('mchid'); // true (企业付款 uses mchid)
 * ```
 */
export const MERCHANT_ID_FIELDS: readonly string[] = ['mch_id', 'mchid', 'combine_mch_id'];

/**
 * The fields of an APIv2 request as sent: the merchant ids checked, `nonce_str` added (unless
 * `nonceless` or given), `sign` computed with the `sign_type` they name (MD5 by default).
 * @throws {ArgumentError} for a foreign merchant id or a bad `sign_type`
 * @example
 * ```ts
 * signedFields({ mch_id: '1900000109', out_trade_no: 'T1' }, { mchid: '1900000109', secret });
 * // { mch_id: '1900000109', out_trade_no: 'T1', nonce_str: '…', sign: '…' }
 * ```
 */
export function signedFields(xml: Readonly<Record<string, unknown>>, options: { mchid: string; secret: string; nonceless?: boolean }): Record<string, unknown> {
  if (!isPlainObject(xml)) throw new ArgumentError('xml: expected a plain object of fields, e.g. { appid, mch_id, out_trade_no }', 'xml');
  for (const field of MERCHANT_ID_FIELDS) {
    const value = xml[field];
    if (value !== undefined && value !== null && String(value) !== options.mchid) {
      throw new ArgumentError(`xml.${field}: "${String(value).slice(0, 32)}" is not the configured merchant id ${options.mchid}`, `xml.${field}`);
    }
  }
  const type: unknown = xml.sign_type ?? 'MD5';
  if (!isSignType(type)) throw new ArgumentError('xml.sign_type: must be MD5 or HMAC-SHA256', 'xml.sign_type');
  const data: Record<string, unknown> = { ...xml };
  delete data.sign;
  if (options.nonceless !== true && (data.nonce_str === undefined || data.nonce_str === null || data.nonce_str === '')) data.nonce_str = nonce();
  data.sign = signFields(data, options.secret, type as SignType);
  return data;
}
