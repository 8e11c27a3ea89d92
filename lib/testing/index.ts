/**
 * `wechatpay-chain/testing`: the embedded WeChat Pay emulator for your tests. Needs the optional
 * peer `msw` 2.x (and `@peculiar/x509` 1.x for certificates), loaded on first use: without it the
 * feature throws a {@link MissingPeerError} naming the command to install it. Guide: docs/guides/testing.md.
 * @example
 * ```ts
 * import { Builder } from 'wechatpay-chain';
 * import { Emulator } from 'wechatpay-chain/testing';
 * const emulator = Emulator.create();
 * const client = Builder.factory(emulator.clientConfig());
 * const { data } = await client.v3.ecommerce.refunds.apply.post({ json: { sub_mchid: '1900000109', out_refund_no: 'R1', amount: { refund: 1, total: 1, currency: 'CNY' } } });
 * ```
 * @module
 */
export { Emulator, generateKeyPair, UNSIGNED } from './emulator.js';
export type { EmulatorOptions, GeneratedKeyPair, OutgoingResponse, RecordedRequest } from './emulator.js';
// an optional peer (msw, @peculiar/x509) that is not installed
export { MissingPeerError } from '../errors.js';
export { FIRST_REFUND_ID, seedHandlers } from './handlers.js';
export { MswDispatcher } from './msw-dispatcher.js';
export type { FetchHandler } from './msw-dispatcher.js';
export { createCertificate, randomSerial } from './certificates.js';
export type { CertificateOptions, IssuedCertificate } from './certificates.js';
export { APPLYMENT_SENSITIVE_FIELDS, beijingTime, platformHandlers } from './platform-handlers.js';
export type { PlatformState } from './platform-handlers.js';
export { createNotification, notificationBody } from './notification.js';
export type { NotificationInput } from './notification.js';
// APIv2 emulation
export { CERT_REQUIRED, handleApiV2, isApiV2Path, needsCertificate, v2Fail, v2Fields, v2Refuse, v2Reply } from './v2.js';
export type { V2Outcome } from './v2.js';
export { apiV2Handlers, FIRST_TRANSACTION_ID } from './v2-handlers.js';
// the sandbox: orders, payments, refunds and notifications
export { Sandbox, REFUND_DELAY } from './sandbox/sandbox.js';
export type { SandboxHost, SandboxOptions } from './sandbox/sandbox.js';
export { SandboxError } from './sandbox/errors.js';
export { ANSWER_TIMEOUT, RETRY_SCHEDULE } from './sandbox/notifier.js';
export type { Delivery } from './sandbox/notifier.js';
export type { Order, Refund, RefundStatus, TradeState } from './sandbox/store.js';
// media upload and bill download handlers
export { mediaHandlers } from './media-handlers.js';
export type { MediaHandlerOptions } from './media-handlers.js';
