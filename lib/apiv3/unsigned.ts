/**
 * The APIv3 answers WeChat Pay does not sign, on purpose: the successful answers of a few file
 * downloads. Everything else must verify. One list, so a reviewer sees every exception at once;
 * APIv2's counterpart is ../apiv2/unsigned.ts, with the same names (`UNSIGNED_ANSWERS`,
 * `isUnsignedAnswer`, `isFileAnswer`).
 *
 * Overseas statements are files too, but signed (over `{"sha1":"…"}` with the body's SHA-1 in
 * `Wechatpay-Statement-Sha1`): they are in {@link SIGNED_FILE_ANSWERS}, not here, so an unsigned one is
 * refused (wechatpay-php exempts only the bill file and complaint images).
 * @module
 */

/**
 * Path patterns (without query) of the answers that carry no signature on success.
 * @example
 * ```ts
 * UNSIGNED_ANSWERS.some((re) => re.test('/v3/billdownload/file')); // true
 * ```
 */
export const UNSIGNED_ANSWERS: readonly RegExp[] = [
  /^\/v3\/billdownload\/file$/,
  /^\/v3\/new-tax-control-fapiao\/download$/,
  /^\/v3\/transferdownload\/signfile$/,
  /^\/v3\/transferdownload\/elecvoucherfile$/,
  /^\/v3\/merchant-service\/images\/(?!upload$)[^/]+$/,
];

/**
 * Whether a signed path (query allowed) is a file download whose answer carries no signature. The client
 * asks with the path after its base URL's own path (see `endpointPath`), so a forward proxy's
 * prefix does not hide a download.
 * @example
 * ```ts
 * isUnsignedAnswer('/v3/billdownload/file?token=abc'); // true
 * isUnsignedAnswer('/v3/merchant-service/images/upload'); // false
 * ```
 */
export function isUnsignedAnswer(path: string): boolean {
  const q = path.indexOf('?');
  return ANY_UNSIGNED.test(q === -1 ? path : path.slice(0, q));
}

/**
 * Path patterns of files whose answers ARE signed (the overseas statements, through their
 * `Wechatpay-Statement-Sha1` digest): verified like any answer, returned as bytes, not JSON.
 * @example
 * ```ts
 * SIGNED_FILE_ANSWERS.some((re) => re.test('/v3/global/statements')); // true
 * ```
 */
export const SIGNED_FILE_ANSWERS: readonly RegExp[] = [
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
  return ANY_UNSIGNED.test(bare) || SIGNED_FILE_ANSWERS.some((re) => re.test(bare));
}

// every answer asks this once: one alternation instead of a loop over the list
const ANY_UNSIGNED = new RegExp(UNSIGNED_ANSWERS.map((re) => `(?:${re.source})`).join('|'));
