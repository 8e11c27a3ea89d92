/**
 * The APIv2 toolkit as one namespace: signing, XML, notifications — the pieces of wechatpay-php's
 * `Hash::sign`, `Transformer::toXml` / `toArray` and the refund `req_info` decryption that a
 * merchant needs outside the chain (e.g. to answer a notification or sign a JSAPI payment).
 * @module
 */
import { digest, isSignType, signedFields, signFields, verifyFields, type SignType } from './signature.js';
import { decryptReqInfo, encryptReqInfo, notificationReply, parseNotification } from '../webhook/v2-notification.js';
import { FILE_ANSWERS, isUnsignedAnswer, UNSIGNED_ANSWERS } from './unsigned.js';
import { parseXml, toXml } from './xml.js';

/**
 * The `sign` of `fields` (ksort, empty values and `sign` skipped, `&key=<secret>`, upper-case hex).
 * `agency: true` appends `&secret=` instead (企业微信 `workwx_sign`, MD5 with the app secret).
 * @example
 * ```ts
 * ApiV2.sign({ appId, timeStamp, nonceStr, package: `prepay_id=${id}`, signType: 'MD5' }, apiv2Key); // JSAPI paySign
 * ApiV2.sign({ act_name, mch_billno, mch_id, nonce_str, re_openid, total_amount, wxappid }, agentSecret, { agency: true }); // workwx_sign
 * ```
 */
function sign(fields: Readonly<Record<string, unknown>>, secret: string, options: { signType?: SignType; agency?: boolean } = {}): string {
  return signFields(fields, secret, options.signType ?? 'MD5', options.agency === true);
}

/**
 * APIv2 helpers, wechatpay-php style.
 * @example
 * ```ts
 * import { ApiV2 } from 'wechatpay-chain';
 * const xml = ApiV2.toXml({ return_code: 'SUCCESS', return_msg: 'OK' });
 * const fields = ApiV2.parseXml(body);           // Transformer::toArray, safely
 * ApiV2.verify(fields, apiv2Key);                // true | false
 * ```
 */
export const ApiV2 = {
  sign,
  verify: verifyFields,
  digest,
  isSignType,
  signedFields,
  toXml,
  parseXml,
  decryptReqInfo,
  encryptReqInfo,
  parseNotification,
  notificationReply,
  isUnsignedAnswer,
  UNSIGNED_ANSWERS,
  FILE_ANSWERS,
} as const;

/**
 * wechatpay-php's `Transformer`: `toXml` and `toArray` (a safe parser: no DTD, no entities, size
 * and depth limits).
 * @example
 * ```ts
 * Transformer.toArray('<xml><return_code><![CDATA[SUCCESS]]></return_code></xml>'); // { return_code: 'SUCCESS' }
 * ```
 */
export const Transformer = { toXml, toArray: parseXml } as const;
