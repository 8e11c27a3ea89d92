/**
 * wechatpay-chain: the WeChat Pay merchant API client.
 * @example
 * ```ts
 * import { Builder } from 'wechatpay-chain';
 * const client = Builder.factory({ mchid, serial, privateKey, certs });
 * const { data } = await client.v3.ecommerce.refunds.apply.post({ json });
 * ```
 * @module
 */
export { Builder } from './client/builder.js';
export type { ClientMembers, WeChatPayClient } from './client/builder.js';
export { DEFAULT_MAX_BODY_SIZE, DEFAULT_TIMEOUT, resolveConfig } from './client/config.js';
export type { ClientConfig } from './client/config.js';
// hosts and routing — issue 14
export { BACKUP_BASE_URL, DEFAULT_BASE_URL, DEFAULT_HOSTS, documentedOrigin, KNOWN_ORIGINS } from './routing/hosts.js';
export type { Target } from './routing/hosts.js';
export type { ChainNode, NodeMembers, VerbCall } from './chain/types.js';
export { normalizeLiteral, normalizeProperty } from './chain/segments.js';
export type { HttpMethod, MediaUpload, QueryValue, RawBody, RequestOptions, RetryInfo, RetryOption, RetryPolicy, SensitiveFields, TransportOptions } from './endpoint/options.js';
export { buildRequest, encodeQuery } from './endpoint/request.js';
export type { PreparedRequest } from './endpoint/request.js';
export { expandTemplate, variablesOf } from './endpoint/template.js';
export {
  ArgumentError,
  DecodeError,
  HttpError,
  NetworkError,
  TimeoutError,
  VerificationError,
  WeChatPayError,
} from './errors.js';
// APIv2 (XML, mutual TLS) — issue 4
export { BusinessError } from './errors.js';
export type { ApiV2Config } from './client/config.js';
export type { MerchantCertificate, PemLike } from './transport/mutual-tls.js';
export { ApiV2, Transformer } from './apiv2/api-v2.js';
export type {
  V2Notification,
  V2NotificationKind,
  V2NotificationOptions,
  V2PaymentNotification,
  V2PaymentNotificationOptions,
  V2RefundNotification,
  V2RefundNotificationOptions,
} from './webhook/v2-notification.js';
export type { ParseXmlOptions, XmlRecord, XmlScalar } from './apiv2/xml.js';
export { MAX_XML_BYTES, MAX_XML_DEPTH } from './apiv2/xml.js';
export type { ErrorResponse, RedactedRequest, VerificationReason } from './errors.js';
export { MAX_PRINTED, printable, printableJson } from './printable.js';
export { redactRequest } from './redact.js';
export { Formatter } from './formatter.js';
export { Rsa } from './crypto/rsa.js';
export { certificateSerial, loadKey } from './crypto/keys.js';
export type { KeyLike, KeyType } from './crypto/keys.js';
export type { ChainResponse, FailoverInfo, Middleware, Next, Protocol, RequestContext } from './pipeline/context.js';
export { Pipeline } from './pipeline/pipeline.js';
export { createAgent } from './transport/agent.js';
export { UNSIGNED_ANSWERS, isUnsignedAnswer } from './apiv3/unsigned.js';
export { MAX_CLOCK_SKEW, Verifier } from './apiv3/verifier.js';
export type { HeaderBag } from './apiv3/verifier.js';
export { VERSION } from './version.js';

// crypto toolkit, webhooks, sensitive fields, platform certificates, payment sign (issue 3)
export { AesGcm } from './crypto/aes-gcm.js';
export type { BinaryLike } from './crypto/aes-gcm.js';
export { AesEcb } from './crypto/aes-ecb.js';
export { Hash } from './crypto/hash.js';
export type { SignType } from './crypto/hash.js';
export type { RsaPadding } from './crypto/rsa.js';
export { NOTIFICATION_ALGORITHM, parseNotification } from './webhook/parse-notification.js';
export type { EncryptedResource, IncomingHeaders, IncomingNotification, Notification, NotificationOptions } from './webhook/parse-notification.js';
export { notificationReply } from './webhook/reply.js';
export type { NotificationReply } from './webhook/reply.js';
export { PublicKeyModeError } from './errors.js';
export {
  CERTIFICATES_STEP,
  certificatesStep,
  decryptCertificates,
  downloadCertificates,
  installCertificatesStep,
  writeCertificates,
} from './certificates/download.js';
export type { CertificateDownloadOptions, PlatformCertificate } from './certificates/download.js';
export { CertificateManager } from './certificates/manager.js';
export type { CertificateManagerOptions } from './certificates/manager.js';
export { applySensitiveFields, choosePlatformSerial, decryptFields, encryptFields } from './sensitive/fields.js';
export { buildAppPayParams, buildJsapiPayParams, buildMiniProgramPayParams } from './payment/pay-params.js';
export type { AppPayParams, JsapiPayParams } from './payment/pay-params.js';
// reliability (issue 8): retries
export { backoff, DEFAULT_RETRY, parseRetryAfter, resolveRetry, retryDelay } from './pipeline/retry.js';
export type { ResolvedRetryPolicy } from './pipeline/retry.js';
export { failureKind } from './pipeline/retry.js';
// backup-domain failover (双域名容灾) — issue 14
export { DEFAULT_RECOVER_AFTER, shouldFailOver } from './pipeline/failover.js';
export type { FailoverEvent, FailoverOption, FailoverOptions } from './pipeline/failover.js';
export type { DebugOption } from './pipeline/debug.js';
// media upload and streaming downloads (issue 5)
export { MediaUtil } from './media/media-util.js';
export type { MediaBody, MediaOptions, MediaSource } from './media/media-util.js';
export { DEFAULT_MEDIA_LAYOUT, UPLOAD_ENDPOINTS, uploadLayoutOf, V2_UPLOAD_LAYOUT } from './media/upload-endpoints.js';
export type { MediaLayout } from './media/upload-endpoints.js';
export { prepareMedia } from './media/prepare.js';
export { BILL_ENDPOINTS, downloadBill, downloadFile } from './download/bill.js';
export type { ChainClient, DownloadableFile, DownloadTarget, FileDownloadOptions } from './download/bill.js';
export { billCipher, decryptBill } from './download/decrypt-stream.js';
export type { BillAlgorithm, BillDecryption } from './download/decrypt-stream.js';
export { hashAlgorithm, saveStream } from './download/save-stream.js';
export type { ExpectedDigest, HashType, SaveOptions, SaveResult } from './download/save-stream.js';
export { parseBill } from './download/bill-csv.js';
export type { BillRow, ParseBillOptions } from './download/bill-csv.js';
// generated endpoint types (lib/openapi, `npm run generate`) and their building blocks
export type { Endpoints, Templates, TypedRoot } from './openapi/index.js';
export type { Call, CallOptions, OperationShape, OptionalCall, TypedNode } from './chain/typed.js';
// wxpay doctor: what breaks a merchant's setup, before WeChat Pay answers SIGN_ERROR (issue 18)
export { diagnose } from './doctor/diagnose.js';
export { CHECK_IDS } from './doctor/check.js';
export type { CheckId, CheckStatus, DiagnoseOptions, Diagnosis, DoctorCheck, DoctorConfig } from './doctor/check.js';
export { formatDiagnosis } from './doctor/format.js';
export { SIGN_ERROR_CHECKLIST } from './doctor/online.js';
