/**
 * `wechatpay-chain/apiv2`: the APIv2 toolkit for what happens outside a `client.v2.…` call —
 * `ApiV2` (the `sign` of fields and its check, XML both ways, notifications, the lists of answers
 * WeChat Pay leaves unsigned) and `Transformer` (wechatpay-php's `toXml` / `toArray`), with the
 * limits of the safe XML parser.
 *
 * DESIGN (lib/apiv2/): APIv2's protocol knowledge, apart from the pipeline that uses it —
 * ./xml.ts parses hostile input (no DTD, no entities, bounded size and depth), ./signature.ts
 * computes and checks the `sign` in constant time, ./unsigned.ts is the one list of answers
 * WeChat Pay does not sign, ./cert-required.ts (generated from the catalog) the endpoints that
 * need mutual TLS, ./upload.ts the signed upload form. The steps that sign and verify a request
 * are lib/pipeline/v2/; mutual TLS is lib/transport/.
 * @example
 * ```ts
 * import { ApiV2 } from 'wechatpay-chain/apiv2';
 * const paySign = ApiV2.sign({ appId, timeStamp, nonceStr, package: `prepay_id=${prepayId}`, signType: 'MD5' }, apiv2Key);
 * const fields = ApiV2.parseXml(body); // safe: no DTD, no entities
 * ```
 * @module
 */
export { ApiV2, Transformer } from './api-v2.js';
export { MAX_XML_BYTES, MAX_XML_DEPTH } from './xml.js';
export type { ParseXmlOptions, XmlRecord, XmlScalar } from './xml.js';
export type { SignType } from '../crypto/hash.js';
export type {
  V2Notification,
  V2NotificationKind,
  V2NotificationOptions,
  V2PaymentNotification,
  V2PaymentNotificationOptions,
  V2RefundNotification,
  V2RefundNotificationOptions,
} from '../webhook/v2-notification.js';
