/**
 * Builds a WeChat Pay APIv3 notification as the service would send it: the resource encrypted
 * with the merchant's APIv3 key, the raw body signed by the emulator's platform key.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { AesGcm } from '../crypto/aes-gcm.js';
import { nonce } from '../formatter.js';
import { beijingTime } from './platform-handlers.js';

/**
 * What to put in the notification.
 * @example
 * ```ts
 * const input: NotificationInput = { event_type: 'REFUND.SUCCESS', original_type: 'refund', resource: { out_refund_no: 'R1', refund_status: 'SUCCESS' } };
 * ```
 */
export interface NotificationInput {
  /** The plaintext resource, e.g. a transaction. */
  resource: unknown;
  event_type?: string;
  resource_type?: string;
  original_type?: string;
  summary?: string;
  /** Associated data of the encryption (default `transaction`). */
  associated_data?: string;
  /** Key to encrypt with; the emulator's APIv3 key by default. */
  apiv3Key?: string;
}

interface Signer {
  readonly apiv3Key: string;
  signResponse(body: string): Record<string, string>;
}

/**
 * The body of a notification as the service sends it (the envelope fields in the order of the
 * official SDKs' fixtures, e.g. wechatpay-go core/notify/notify_test.go): `id`, `create_time`,
 * `resource_type`, `event_type`, `summary`, `resource` { `original_type`, `algorithm`,
 * `ciphertext`, `associated_data`, `nonce` }; the resource AEAD_AES_256_GCM-encrypted with the
 * APIv3 key and a fresh 12-character nonce.
 * @example
 * ```ts
 * const body = notificationBody({ resource: { out_trade_no: 'T1' } }, emulator.apiv3Key);
 * ```
 */
export function notificationBody(input: NotificationInput, apiv3Key: string, options: { id?: string; now?: number } = {}): string {
  const iv = nonce(12);
  const associated = input.associated_data ?? 'transaction';
  return JSON.stringify({
    id: options.id ?? randomUUID(),
    create_time: beijingTime(new Date(options.now ?? Date.now())),
    resource_type: input.resource_type ?? 'encrypt-resource',
    event_type: input.event_type ?? 'TRANSACTION.SUCCESS',
    summary: input.summary ?? '支付成功',
    resource: {
      original_type: input.original_type ?? 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: AesGcm.encrypt(JSON.stringify(input.resource), input.apiv3Key ?? apiv3Key, iv, associated),
      associated_data: associated,
      nonce: iv,
    },
  });
}

/**
 * A signed, encrypted notification `{ headers, body }` ready for `parseNotification` or an HTTP POST.
 * @example
 * ```ts
 * const { headers, body } = createNotification(emulator, { resource: { out_trade_no: 'T1', trade_state: 'SUCCESS' } });
 * await fetch(`${myServer}/notify`, { method: 'POST', headers, body });
 * ```
 */
export function createNotification(emulator: Signer, input: NotificationInput): { headers: Record<string, string>; body: string } {
  const body = notificationBody(input, emulator.apiv3Key);
  return { headers: { 'content-type': 'application/json', ...emulator.signResponse(body) }, body };
}
