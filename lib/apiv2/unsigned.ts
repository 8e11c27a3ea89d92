/**
 * The APIv2 answers WeChat Pay does not sign, on purpose: the endpoints whose successful answers
 * carry no `sign` (or are files), in ONE list so a reviewer sees every exception at once; APIv3's
 * counterpart is ../apiv3/unsigned.ts, with the same names. Everything else must carry a `sign` that verifies with
 * the APIv2 key. It is wechatpay-php's `ClientXmlTrait::$noneSignatureRespond`, plus the
 * `/mmpaysptrans/` paths where 付款到银行卡 actually lives (wechatpay-php lists them under
 * `/mmpaymkttransfers/`; both spellings are kept).
 *
 * A `FAIL` answer from any of them still becomes a {@link BusinessError}.
 * @module
 */

/**
 * Paths (as sent, without the `v2/` prefix) answered without a `sign`.
 * @example
 * ```ts
 * UNSIGNED_ANSWERS.includes('/pay/downloadbill'); // true
 * ```
 */
export const UNSIGNED_ANSWERS: readonly string[] = [
  '/mchrisk/querymchrisk',
  '/mchrisk/setmchriskcallback',
  '/mchrisk/syncmchriskresult',
  '/mmpaymkttransfers/gethbinfo',
  '/mmpaymkttransfers/gettransferinfo',
  '/mmpaymkttransfers/promotion/paywwsptrans2pocket',
  '/mmpaymkttransfers/promotion/querywwsptrans2pocket',
  '/mmpaymkttransfers/promotion/transfers',
  '/mmpaymkttransfers/sendgroupredpack',
  '/mmpaymkttransfers/sendminiprogramhb',
  '/mmpaymkttransfers/sendredpack',
  '/mmpaymkttransfers/pay_bank',
  '/mmpaymkttransfers/query_bank',
  '/mmpaysptrans/pay_bank',
  '/mmpaysptrans/query_bank',
  '/papay/entrustweb',
  '/papay/h5entrustweb',
  '/papay/partner/entrustweb',
  '/papay/partner/h5entrustweb',
  '/pay/downloadbill',
  '/pay/downloadfundflow',
  '/payitil/report',
  '/risk/getpublickey',
  '/risk/getviolation',
  '/sandboxnew/pay/downloadbill',
  '/sandboxnew/pay/getsignkey',
  '/secapi/mch/submchmanage',
  '/xdc/apiv2getsignkey/sign/getsignkey',
];

/**
 * Paths whose successful answer is a file (text, or gzip with `tar_type=GZIP`), not XML; only a
 * failure comes back as XML.
 * @example
 * ```ts
 * FILE_ANSWERS.includes('/pay/downloadfundflow'); // true
 * ```
 */
export const FILE_ANSWERS: readonly string[] = ['/pay/downloadbill', '/pay/downloadfundflow', '/sandboxnew/pay/downloadbill'];

const unsigned = new Set(UNSIGNED_ANSWERS);
const files = new Set(FILE_ANSWERS);

function pathname(path: string): string {
  const q = path.indexOf('?');
  return (q === -1 ? path : path.slice(0, q)).replace(/\/+$/, '');
}

/**
 * Whether an APIv2 path (query allowed) answers without a `sign`.
 * @example
 * ```ts
 * isUnsignedAnswer('/risk/getpublickey'); // true
 * isUnsignedAnswer('/pay/micropay'); // false
 * ```
 */
export function isUnsignedAnswer(path: string): boolean {
  return unsigned.has(pathname(path));
}

/**
 * Whether an APIv2 path answers with a file on success.
 * @example
 * ```ts
 * isFileAnswer('/pay/downloadbill'); // true
 * ```
 */
export function isFileAnswer(path: string): boolean {
  return files.has(pathname(path));
}
