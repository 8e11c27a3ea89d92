/**
 * `wechatpay-chain/webhook`: what a notification endpoint (回调通知) calls — `parseNotification`
 * proves an APIv3 notification comes from WeChat Pay (the client's `Verifier`: headers, ±300 s,
 * serial, RSA signature over the raw body) and decrypts its resource with the APIv3 key;
 * `notificationReply` builds the answer (200, or 401/500 so WeChat Pay sends it again). APIv2
 * notifications (payment `sign`, refund `req_info`) are `ApiV2.parseNotification` and
 * `ApiV2.notificationReply` in `wechatpay-chain/apiv2`; their code lives here too
 * (./v2-notification.ts).
 *
 * DESIGN (lib/webhook/): nothing is returned before it is verified and decrypted; a failed
 * check is a `VerificationError` whose `reason` says which; the body is read raw, never
 * re-serialized.
 * @example
 * ```ts
 * import { notificationReply, parseNotification } from 'wechatpay-chain/webhook';
 * const notification = parseNotification({ headers: req.headers, body: rawBody }, { verifier: client.verifier, apiv3Key });
 * const { status, headers, body } = notificationReply();
 * ```
 * @module
 */
export { NOTIFICATION_ALGORITHM, parseNotification } from './parse-notification.js';
export type { EncryptedResource, IncomingHeaders, IncomingNotification, Notification, NotificationOptions } from './parse-notification.js';
export { notificationReply } from './reply.js';
export type { NotificationReply } from './reply.js';
