/**
 * The message layouts WeChat Pay signs, with wechatpay-php's names (`Formatter::request()` …).
 * Pure functions; `nonce` draws from the CSPRNG.
 * @example
 * ```ts
 * import { Formatter } from 'wechatpay-chain';
 * const message = Formatter.request('POST', '/v3/pay/transactions/native', Formatter.timestamp(), Formatter.nonce(), body);
 * ```
 * @module
 */
import { randomFillSync } from 'node:crypto';
import { ArgumentError } from './errors.js';
import { describeValue } from './validate.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// 62 * 4 = 248: bytes >= 248 are rejected so every character is equally likely.
const LIMIT = 248;
const ALPHABET_CODES = Buffer.from(ALPHABET, 'latin1');
const NONCE_BUFFER = Buffer.allocUnsafe(64);
const POOL = Buffer.allocUnsafe(4096);
let poolOffset = POOL.length;

function randomByte(): number {
  if (poolOffset >= POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  return POOL[poolOffset++] as number;
}

/**
 * A random string of `[0-9A-Za-z]` drawn from the CSPRNG without modulo bias.
 * @param size length, 32 by default (WeChat Pay accepts up to 32)
 * @throws {ArgumentError} when `size` is not a positive integer (`0`, `-1`, `1.5`, `NaN`, `'32'`), as wechatpay-php's `Formatter::nonce` does
 * @example
 * ```ts
 * Formatter.nonce(); // 'kCHzLK3yaXZR2easwWRpTOxtmuHqIjVJ'
 * ```
 */
export function nonce(size = 32): string {
  // an empty or fractional nonce would sign a request WeChat Pay refuses only later; '32' would loop on a string
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new ArgumentError(`size: must be a positive integer (the nonce length), got ${describeValue(size)}`, 'size');
  }
  // one latin1 string from a byte buffer instead of `size` one-character concatenations
  const out = size <= NONCE_BUFFER.length ? NONCE_BUFFER : Buffer.allocUnsafe(size);
  for (let i = 0; i < size; ) {
    const byte = randomByte();
    if (byte < LIMIT) out[i++] = ALPHABET_CODES[byte % 62] as number;
  }
  return out.toString('latin1', 0, size);
}

/**
 * Unix time in seconds, as WeChat Pay expects it.
 * @example
 * ```ts
 * Formatter.timestamp(); // 1732252800
 * ```
 */
export function timestamp(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Each piece followed by a line feed: `a\nb\nc\n`.
 * @example
 * ```ts
 * Formatter.joinedByLineFeed('a', 1, ''); // 'a\n1\n\n'
 * ```
 */
export function joinedByLineFeed(...pieces: Array<string | number>): string {
  let out = '';
  for (const piece of pieces) out += `${piece}\n`;
  return out;
}

/**
 * The APIv3 request signature message: `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`.
 * @example
 * ```ts
 * Formatter.request('GET', '/v3/certificates', 1554208460, '593BEC0C930BF1AFEB40B4A08C8FB242'); // ends with '\n\n'
 * ```
 */
export function request(method: string, uri: string, ts: number | string, nonceStr: string, body = ''): string {
  return joinedByLineFeed(method, uri, ts, nonceStr, body);
}

/**
 * The APIv3 response / notification signature message: `TIMESTAMP\nNONCE\nBODY\n`.
 * @example
 * ```ts
 * Formatter.response(headers['wechatpay-timestamp'], headers['wechatpay-nonce'], rawBody);
 * ```
 */
export function response(ts: number | string, nonceStr: string, body = ''): string {
  return joinedByLineFeed(ts, nonceStr, body);
}

/**
 * The APIv3 `Authorization` header value.
 * @example
 * ```ts
 * Formatter.authorization('1900000109', nonce, signature, ts, serial);
 * // 'WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="…",signature="…",timestamp="…",serial_no="…"'
 * ```
 */
export function authorization(mchid: string, nonceStr: string, signature: string, ts: number | string, serial: string): string {
  return `WECHATPAY2-SHA256-RSA2048 mchid="${mchid}",nonce_str="${nonceStr}",signature="${signature}",timestamp="${ts}",serial_no="${serial}"`;
}

/**
 * A shallow copy with keys in byte order (PHP's `ksort`), as APIv2 signing needs.
 * @example
 * ```ts
 * Formatter.ksort({ b: 1, a: 2 }); // { a: 2, b: 1 }
 * ```
 */
export function ksort<T extends Record<string, unknown>>(thing: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(thing).sort(byteOrder)) out[key] = thing[key];
  return out as T;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `k=v&k=v` of the non-empty fields in their given order, skipping `sign` (APIv2 signing string).
 * Values are not URL-encoded.
 * @example
 * ```ts
 * Formatter.queryStringLike(Formatter.ksort({ b: '2', sign: 'x', a: '1', c: '' })); // 'a=1&b=2'
 * ```
 */
export function queryStringLike(thing: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(thing)) {
    if (key === 'sign' || value === null || value === undefined || value === '') continue;
    parts.push(`${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return parts.join('&');
}

/**
 * The formatter as a namespace object, wechatpay-php style: `Formatter.nonce()`.
 * @example
 * ```ts
 * import { Formatter } from 'wechatpay-chain';
 * Formatter.authorization(mchid, Formatter.nonce(), signature, Formatter.timestamp(), serial);
 * ```
 */
export const Formatter = {
  nonce,
  timestamp,
  joinedByLineFeed,
  request,
  response,
  authorization,
  ksort,
  queryStringLike,
} as const;
