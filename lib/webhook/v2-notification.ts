/**
 * APIv2 notifications (回调通知): payment results carry a `sign` to verify with the APIv2 key;
 * refund results carry `req_info`, AES-256-ECB encrypted with the lower-case hex MD5 of the APIv2
 * key (PKCS#7 padding), which decrypts to a `<root>` XML of the refund fields, inside an envelope
 * nobody signs. The caller says which one it expects: were the body to choose, an unsigned
 * envelope around an old genuine `req_info` would pass for a payment.
 *
 * The cipher is lib/crypto's `AesEcb`, keyed with `Hash.md5(secret)` as in wechatpay-php.
 * @module
 */
import { AesEcb } from '../crypto/aes-ecb.js';
import { Hash } from '../crypto/hash.js';
import { ArgumentError, VerificationError, type VerificationReason } from '../errors.js';
import { printable } from '../printable.js';
import { isSignType, sameSignature, signFields, type SignType } from '../apiv2/signature.js';
import { parseXml, toXml, type XmlRecord } from '../apiv2/xml.js';

function reqInfoKey(secret: string): string {
  if (typeof secret !== 'string' || secret.length === 0) throw new ArgumentError('secret: the APIv2 key is required', 'secret');
  // the key is the 32 ASCII characters of the lower-case hex digest, i.e. 256 bits
  return Hash.md5(secret);
}

/**
 * Decrypts a refund notification's `req_info` into its fields.
 * @throws {VerificationError} when it does not decrypt with this APIv2 key
 * @example
 * ```ts
 * const refund = decryptReqInfo(notification.req_info, apiv2Key);
 * refund.out_refund_no; refund.refund_status; // 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE'
 * ```
 */
export function decryptReqInfo(reqInfo: string, secret: string): XmlRecord {
  const key = reqInfoKey(secret);
  if (typeof reqInfo !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(reqInfo)) {
    throw new VerificationError('malformed-notification', 'notification rejected: req_info is not base64');
  }
  let plain: string;
  try {
    plain = AesEcb.decrypt(reqInfo, key);
  } catch {
    throw new VerificationError('decrypt-failed', 'notification rejected: req_info does not decrypt with the APIv2 key');
  }
  try {
    return parseXml(plain);
  } catch {
    throw new VerificationError('decrypt-failed', 'notification rejected: req_info decrypts to something that is not XML (wrong key?)');
  }
}

/**
 * Encrypts refund fields the way WeChat Pay fills `req_info` (for emulators and tests).
 * @example
 * ```ts
 * const req_info = encryptReqInfo({ out_refund_no: 'R1', refund_status: 'SUCCESS' }, apiv2Key);
 * ```
 */
export function encryptReqInfo(fields: Readonly<Record<string, unknown>>, secret: string): string {
  return AesEcb.encrypt(toXml(fields, 'root'), reqInfoKey(secret));
}

/**
 * What a notification must be; the caller says it, the body never does.
 * @example
 * ```ts
 * const kind: V2NotificationKind = req.url === '/notify/refund' ? 'refund' : 'payment';
 * ```
 */
export type V2NotificationKind = 'payment' | 'refund';

const KINDS: readonly V2NotificationKind[] = ['payment', 'refund'];

interface V2NotificationOptionsBase {
  /** The APIv2 key (APIv2密钥). */
  secret: string;
  /** The merchant the notification must name in `mch_id` (refused otherwise). */
  mchid?: string;
  /** The app the notification must name in `appid` (refused otherwise). */
  appid?: string;
}

/**
 * Options for a notification authenticated by its `sign`: payment results (支付结果通知) and every
 * other APIv2 notification that carries a `sign` (e.g. 委托代扣 签约/解约 results).
 * @example
 * ```ts
 * const options: V2PaymentNotificationOptions = { kind: 'payment', secret: apiv2Key, mchid: '1900000109' };
 * ```
 */
export interface V2PaymentNotificationOptions extends V2NotificationOptionsBase {
  kind: 'payment';
  /**
   * The only algorithm the `sign` may use. Left out: the notification's `sign_type`, else the
   * sign's length (32 hex: MD5, 64: HMAC-SHA256); either way the sign must verify.
   */
  signType?: SignType;
}

/**
 * Options for a refund result (退款结果通知), authenticated by decrypting its `req_info`.
 * @example
 * ```ts
 * const options: V2RefundNotificationOptions = { kind: 'refund', secret: apiv2Key, mchid: '1900000109' };
 * ```
 */
export interface V2RefundNotificationOptions extends V2NotificationOptionsBase {
  kind: 'refund';
}

/**
 * Options of {@link parseNotification}: `kind` is required.
 * @example
 * ```ts
 * const options: V2NotificationOptions = { kind: 'refund', secret: apiv2Key };
 * ```
 */
export type V2NotificationOptions = V2PaymentNotificationOptions | V2RefundNotificationOptions;

/**
 * A payment notification whose `sign` verified: every field of `data` is WeChat Pay's.
 * @example
 * ```ts
 * const { data } = ApiV2.parseNotification(body, { kind: 'payment', secret: apiv2Key, mchid });
 * if (data.result_code === 'SUCCESS') await markPaid(data.out_trade_no, data.total_fee);
 * ```
 */
export interface V2PaymentNotification {
  kind: 'payment';
  /** Every field of the notification (all covered by the verified `sign`). */
  data: XmlRecord;
}

/**
 * A refund notification whose `req_info` decrypted with the APIv2 key. WeChat Pay does not sign
 * the envelope around it, so `data` holds only what the encryption proves.
 * @example
 * ```ts
 * const { data } = ApiV2.parseNotification(body, { kind: 'refund', secret: apiv2Key, mchid });
 * if (data.refund_status === 'SUCCESS') await markRefunded(data.out_refund_no, data.settlement_refund_fee);
 * ```
 */
export interface V2RefundNotification {
  kind: 'refund';
  /**
   * The decrypted `req_info` fields, plus `return_code` (always `SUCCESS`) and the envelope's
   * `appid` / `mch_id` when they were checked: against the decrypted ones when `req_info` holds
   * them, else against the `appid` / `mchid` options.
   */
  data: XmlRecord;
  /**
   * The envelope's other fields as received (`nonce_str`, `sub_mch_id`, an `appid` / `mch_id`
   * nothing could check, anything a forger added). Nothing proves them: never act on them.
   */
  unverified: XmlRecord;
}

/**
 * What {@link parseNotification} returns, by `kind`.
 * @example
 * ```ts
 * const notification: V2Notification = ApiV2.parseNotification(body, { kind, secret: apiv2Key });
 * if (notification.kind === 'refund') notification.data.out_refund_no;
 * ```
 */
export type V2Notification = V2PaymentNotification | V2RefundNotification;

function optionsOf(options: unknown): V2NotificationOptions {
  if (options === null || typeof options !== 'object') {
    throw new ArgumentError("options: expected { kind: 'payment' | 'refund', secret, mchid? }", 'options');
  }
  const { kind, secret, signType } = options as Partial<V2PaymentNotificationOptions>;
  if (!KINDS.includes(kind as V2NotificationKind)) {
    throw new ArgumentError(
      "kind: say what the notification must be, 'payment' (authenticated by its sign) or 'refund' (authenticated by decrypting req_info); the body does not choose",
      'kind',
    );
  }
  if (typeof secret !== 'string' || secret.length === 0) throw new ArgumentError('secret: the APIv2 key is required', 'secret');
  if (signType !== undefined && (kind !== 'payment' || !isSignType(signType))) {
    throw new ArgumentError(kind === 'payment' ? 'signType: must be MD5 or HMAC-SHA256' : 'signType: a refund notification has no sign (req_info is encrypted instead)', 'signType');
  }
  for (const field of ['mchid', 'appid'] as const) {
    const value = (options as V2NotificationOptionsBase)[field];
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new ArgumentError(`${field}: expected a non-empty string`, field);
  }
  return options as V2NotificationOptions;
}

function bodyOf(body: unknown): string | Uint8Array {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new ArgumentError('body: expected the raw notification body as a string or Buffer', 'body');
  }
  return body;
}

const fail = (reason: VerificationReason, message: string) => new VerificationError(reason, `notification rejected: ${message}`);

/** A declared id (`mchid` → `mch_id`, `appid` → `appid`) must be named, and equal. */
function checkDeclared(data: XmlRecord, field: 'mch_id' | 'appid', expected: string | undefined): void {
  if (expected === undefined) return;
  const actual = field === 'mch_id' ? (data.mch_id ?? data.mchid) : data.appid;
  if (actual !== expected) throw fail('bad-signature', `${field} is not ${expected}`);
}

function checkEnvelope(data: XmlRecord): void {
  if (data.return_code !== 'SUCCESS') throw fail('malformed-notification', `return_code is not SUCCESS (${printable(data.return_code, 64)})`);
}

function parsePayment(data: XmlRecord, options: V2PaymentNotificationOptions): V2PaymentNotification {
  checkEnvelope(data);
  const sign = data.sign;
  if (typeof sign !== 'string' || sign === '') throw fail('bad-signature', "a payment notification must carry a sign, this one has no sign (a refund notification is parsed with kind: 'refund')");
  const declared = data.sign_type;
  const type: SignType | undefined = options.signType ?? (isSignType(declared) ? declared : sign.length === 64 ? 'HMAC-SHA256' : sign.length === 32 ? 'MD5' : undefined);
  if (type === undefined || (declared !== undefined && declared !== type)) {
    throw fail('bad-signature', `sign_type ${declared === undefined ? 'cannot be told from the sign' : 'is not the expected one'}`);
  }
  if (!sameSignature(signFields(data, options.secret, type), sign)) throw fail('bad-signature', `sign does not verify with the APIv2 key (${type})`);
  checkDeclared(data, 'mch_id', options.mchid);
  checkDeclared(data, 'appid', options.appid);
  return { kind: 'payment', data };
}

function parseRefund(envelope: XmlRecord, options: V2RefundNotificationOptions): V2RefundNotification {
  checkEnvelope(envelope);
  if (typeof envelope.req_info !== 'string') throw fail('malformed-notification', 'a refund notification must carry req_info, this one has none');
  const decrypted = decryptReqInfo(envelope.req_info, options.secret);
  const data: XmlRecord = { ...decrypted, return_code: 'SUCCESS' };
  const unverified: XmlRecord = {};
  const declared: Record<string, string | undefined> = { appid: options.appid, mch_id: options.mchid };
  for (const [field, value] of Object.entries(envelope)) {
    if (field === 'req_info' || field === 'return_code') continue;
    if (field !== 'appid' && field !== 'mch_id') {
      unverified[field] = value;
      continue;
    }
    const inside = decrypted[field];
    const expected = declared[field];
    if (inside !== undefined && inside !== value) throw fail('bad-signature', `${field} of the envelope differs from the one inside req_info`);
    if (expected !== undefined && value !== expected) throw fail('bad-signature', `${field} is not ${expected}`);
    if (inside !== undefined || expected !== undefined) data[field] = value;
    else unverified[field] = value;
  }
  for (const field of ['appid', 'mch_id'] as const) {
    const expected = declared[field];
    if (expected === undefined) continue;
    if (data[field] === undefined && decrypted[field] === undefined) throw fail('bad-signature', `${field} is not ${expected}`);
    if (decrypted[field] !== undefined && decrypted[field] !== expected) throw fail('bad-signature', `${field} is not ${expected}`);
  }
  return { kind: 'refund', data, unverified };
}

/**
 * Parses (safely) and authenticates an APIv2 notification body as the `kind` the caller expects:
 * - `'payment'`: the `sign` must be there and verify with the APIv2 key (MD5 or HMAC-SHA256, see
 *   `signType`); `data` is every field. A body with a `req_info` gets no exemption.
 * - `'refund'`: `req_info` must decrypt with the APIv2 key; `data` is what it decrypts to, plus
 *   `return_code` and the checked `appid` / `mch_id`; the unsigned envelope's other fields are
 *   only in `unverified`.
 *
 * `mchid` / `appid`, when given, must be what the notification names. APIv2 notifications have no
 * timestamp: a copy can be replayed forever, so act on them idempotently (by `out_trade_no` /
 * `out_refund_no` and the order's state).
 * @throws {ArgumentError} without `kind` (or with another value), `secret`, or a raw body
 * @throws {VerificationError} for a missing or wrong sign, an undecryptable or missing `req_info`,
 *   `return_code` not SUCCESS, or a foreign / mismatched `mch_id` or `appid`
 * @throws {DecodeError} for a body that is not safe, well-formed XML
 * @example
 * ```ts
 * const paid = ApiV2.parseNotification(rawBody, { kind: 'payment', secret: apiv2Key, mchid: '1900000109' });
 * const refunded = ApiV2.parseNotification(rawBody, { kind: 'refund', secret: apiv2Key, mchid: '1900000109' });
 * res.end(ApiV2.notificationReply());
 * ```
 */
export function parseNotification(body: string | Uint8Array, options: V2PaymentNotificationOptions): V2PaymentNotification;
export function parseNotification(body: string | Uint8Array, options: V2RefundNotificationOptions): V2RefundNotification;
export function parseNotification(body: string | Uint8Array, options: V2NotificationOptions): V2Notification;
export function parseNotification(body: string | Uint8Array, options: V2NotificationOptions): V2Notification {
  const checked = optionsOf(options);
  const data = parseXml(bodyOf(body));
  return checked.kind === 'payment' ? parsePayment(data, checked) : parseRefund(data, checked);
}

/**
 * The XML to answer a notification with.
 * @example
 * ```ts
 * notificationReply();                      // '<xml><return_code>SUCCESS</return_code><return_msg>OK</return_msg></xml>'
 * notificationReply(false, 'busy, retry');  // return_code FAIL
 * ```
 */
export function notificationReply(ok = true, message = ok ? 'OK' : 'FAIL'): string {
  return toXml({ return_code: ok ? 'SUCCESS' : 'FAIL', return_msg: message });
}
