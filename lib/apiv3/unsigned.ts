/**
 * APIv3 endpoints whose successful answers are files and carry no signature. Everything else
 * must verify. Kept in one list so a reviewer sees every exception at once.
 *
 * Overseas statements are files too, but signed (over `{"sha1":"…"}` with the body's SHA-1 in
 * `Wechatpay-Statement-Sha1`): they are in {@link SIGNED_FILES}, not here, so an unsigned one is
 * refused (wechatpay-php exempts only the bill file and complaint images).
 * @module
 */

/**
 * Path patterns (without query) exempt from response signature verification on success.
 * @example
 * ```ts
 * EXEMPT_FROM_VERIFICATION.some((re) => re.test('/v3/billdownload/file')); // true
 * ```
 */
export const EXEMPT_FROM_VERIFICATION: readonly RegExp[] = [
  /^\/v3\/billdownload\/file$/,
  /^\/v3\/new-tax-control-fapiao\/download$/,
  /^\/v3\/transferdownload\/signfile$/,
  /^\/v3\/transferdownload\/elecvoucherfile$/,
  /^\/v3\/merchant-service\/images\/(?!upload$)[^/]+$/,
];

/**
 * Whether a signed path (query allowed) is a file download exempt from verification. The client
 * asks with the path after its base URL's own path (see `endpointPath`), so a forward proxy's
 * prefix does not hide a download.
 * @example
 * ```ts
 * isExempt('/v3/billdownload/file?token=abc'); // true
 * isExempt('/v3/merchant-service/images/upload'); // false
 * ```
 */
export function isExempt(path: string): boolean {
  const q = path.indexOf('?');
  return ANY_EXEMPT.test(q === -1 ? path : path.slice(0, q));
}

/**
 * Path patterns of files whose answers ARE signed (the overseas statements, through their
 * `Wechatpay-Statement-Sha1` digest): verified like any answer, returned as bytes, not JSON.
 * @example
 * ```ts
 * SIGNED_FILES.some((re) => re.test('/v3/global/statements')); // true
 * ```
 */
export const SIGNED_FILES: readonly RegExp[] = [
  /^\/v3\/statements$/,
  /^\/v3\/global\/statements$/,
  // the Hong Kong statements on the default host (wechatpay-php src/ClientJsonTrait.php names '/hk/v3/statements' beside '/v3/global/statements')
  /^\/hk\/v3\/statements$/,
];

/**
 * Whether a signed path (query allowed) answers with a file (exempt or signed): its body is
 * returned as bytes, not decoded as JSON.
 * @example
 * ```ts
 * isFileAnswer('/v3/global/statements?date=20260101'); // true
 * ```
 */
export function isFileAnswer(path: string): boolean {
  const q = path.indexOf('?');
  const bare = q === -1 ? path : path.slice(0, q);
  return ANY_EXEMPT.test(bare) || SIGNED_FILES.some((re) => re.test(bare));
}

// every answer asks this once: one alternation instead of a loop over the list
const ANY_EXEMPT = new RegExp(EXEMPT_FROM_VERIFICATION.map((re) => `(?:${re.source})`).join('|'));
