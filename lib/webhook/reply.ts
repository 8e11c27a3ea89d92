/**
 * The answer a notification endpoint sends back. WeChat Pay treats HTTP 200/204 as received and
 * anything else as a failure to retry (up to 15 times over 24 h), so a rejected or unprocessed
 * notification must get a 4xx/5xx.
 * @module
 */
import { VerificationError } from '../errors.js';

/**
 * A reply: status, headers and body, ready for any framework.
 * @example
 * ```ts
 * const reply: NotificationReply = notificationReply(); // { status: 200, headers, body: '{"code":"SUCCESS","message":"成功"}' }
 * ```
 */
export interface NotificationReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Builds the reply to a notification.
 * - `notificationReply()` → 200 `{"code":"SUCCESS","message":"成功"}`
 * - `notificationReply(error)` → 401 for a {@link VerificationError} (forged, stale, wrong key),
 *   500 otherwise (your processing failed: WeChat Pay will retry), body `{"code":"FAIL","message":…}`.
 *   The message is generic unless you pass one: error details stay in your logs.
 * @example
 * ```ts
 * const { status, headers, body } = notificationReply(error, '订单处理失败');
 * res.writeHead(status, headers).end(body);
 * ```
 */
export function notificationReply(error?: unknown, message?: string): NotificationReply {
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  if (error === undefined || error === null || error === false) {
    return { status: 200, headers, body: JSON.stringify({ code: 'SUCCESS', message: message ?? '成功' }) };
  }
  const status = error instanceof VerificationError ? 401 : 500;
  return { status, headers, body: JSON.stringify({ code: 'FAIL', message: message ?? (status === 401 ? '验签失败' : '失败') }) };
}
