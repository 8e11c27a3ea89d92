/**
 * APIv2 notifications (回调通知): payment results carry a `sign` to verify with the APIv2 key;
 * refund results carry `req_info`, AES-256-ECB encrypted with the lower-case hex MD5 of the APIv2
 * key (PKCS#7 padding), which decrypts to a `<root>` XML of the refund fields.
 *
 * The AES-256-ECB here is a small private helper; a general `AesEcb` lives in lib/crypto
 * (issue 3) and the two can be unified later.
 * @module
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { ArgumentError, VerificationError } from '../../errors.js';
import { verifyFields } from './digest.js';
import { parseXml, toXml, type XmlRecord } from './xml.js';

function reqInfoKey(secret: string): Buffer {
  if (typeof secret !== 'string' || secret.length === 0) throw new ArgumentError('secret: the APIv2 key is required', 'secret');
  // the key is the 32 ASCII characters of the hex digest, i.e. 256 bits
  return Buffer.from(createHash('md5').update(secret, 'utf8').digest('hex'), 'latin1');
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
    throw new VerificationError('bad-signature', 'notification rejected: req_info is not base64');
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-ecb', key, null);
    plain = Buffer.concat([decipher.update(Buffer.from(reqInfo, 'base64')), decipher.final()]);
  } catch {
    throw new VerificationError('bad-signature', 'notification rejected: req_info does not decrypt with the APIv2 key');
  }
  try {
    return parseXml(plain);
  } catch {
    throw new VerificationError('bad-signature', 'notification rejected: req_info decrypts to something that is not XML (wrong key?)');
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
  const cipher = createCipheriv('aes-256-ecb', reqInfoKey(secret), null);
  return Buffer.concat([cipher.update(toXml(fields, 'root'), 'utf8'), cipher.final()]).toString('base64');
}

/**
 * A verified notification: the outer fields and, for refunds, the decrypted `req_info`.
 * @example
 * ```ts
 * const { data, refund }: V2Notification = ApiV2.parseNotification(body, { secret });
 * ```
 */
export interface V2Notification {
  /** The notification's own fields. */
  data: XmlRecord;
  /** The decrypted `req_info` of a refund notification. */
  refund?: XmlRecord;
}

/**
 * Parses (safely) and authenticates an APIv2 notification body: refund notifications by
 * decrypting `req_info`, the others by their `sign`. Also refuses a notification for another
 * merchant when `mchid` is given.
 * @throws {VerificationError} for a bad sign, an undecryptable `req_info` or a foreign `mch_id`
 * @throws {DecodeError} for a body that is not safe, well-formed XML
 * @example
 * ```ts
 * const { data, refund } = parseNotification(rawBody, { secret: apiv2Key, mchid: '1900000109' });
 * res.end(notificationReply());
 * ```
 */
export function parseNotification(body: string | Uint8Array, options: { secret: string; mchid?: string }): V2Notification {
  const data = parseXml(body);
  const fail = (message: string) => new VerificationError('bad-signature', `notification rejected: ${message}`);
  const mchId = data.mch_id ?? data.mchid;
  if (options.mchid !== undefined && mchId !== undefined && mchId !== options.mchid) throw fail(`mch_id is not ${options.mchid}`);
  if (typeof data.req_info === 'string') return { data, refund: decryptReqInfo(data.req_info, options.secret) };
  if (data.return_code !== 'SUCCESS') throw fail(`return_code is ${String(data.return_code)}: ${String(data.return_msg ?? '')}`);
  if (!verifyFields(data, options.secret)) throw fail('sign does not verify with the APIv2 key');
  return { data };
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
