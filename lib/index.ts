/**
 * `wechatpay-chain`: the WeChat Pay (微信支付) merchant API client — `Builder.factory(config)`, its
 * configuration, the options and answers of a request, the errors, and the everyday helpers
 * (JSAPI / mini-program / APP payment parameters, printing server text safely).
 *
 * The toolkits are subpath exports named after their concern:
 * `wechatpay-chain/crypto` (Rsa, AesGcm, AesEcb, Hash, Formatter, key loading, sensitive fields),
 * `/webhook` (notifications), `/apiv2` (the ApiV2 toolkit, XML), `/media` (uploads), `/download`
 * (bills and files), `/certificates` (platform certificates), `/doctor` (`diagnose`), and
 * `/testing` (the emulator).
 *
 * DESIGN (lib/): one concern per folder, and one way data flows — a chain call (chain/) becomes a
 * request context (endpoint/), runs through the pipeline's steps (pipeline/) to the transport
 * (transport/), and comes back verified (apiv3/, apiv2/) or as a typed error (errors.ts). The
 * client is wired in client/. See docs/architecture.md.
 * @example
 * ```ts
 * import { Builder, HttpError } from 'wechatpay-chain';
 * const client = Builder.factory({ mchid, serial, privateKey, certs });
 * const { data } = await client.v3.ecommerce.refunds.apply.post({ json });
 * ```
 * @module
 */
// the client and its configuration
export { Builder } from './client/builder.js';
export type { ClientMembers, WeChatPayClient } from './client/builder.js';
export { DEFAULT_MAX_BODY_SIZE, DEFAULT_TIMEOUT } from './client/config.js';
export type { ApiV2Config, ClientConfig } from './client/config.js';
export type { KeyLike } from './crypto/keys.js';
export type { MerchantCertificate, PemLike } from './transport/mutual-tls.js';
export { createAgent } from './transport/agent.js';
export { BACKUP_BASE_URL, DEFAULT_BASE_URL, DEFAULT_HOSTS, documentedOrigin, KNOWN_ORIGINS } from './routing/hosts.js';
export { DEFAULT_RETRY } from './pipeline/retry.js';
export { DEFAULT_RECOVER_AFTER } from './pipeline/failover.js';
export type { FailoverEvent, FailoverOption, FailoverOptions } from './pipeline/failover.js';
export type { DebugOption } from './pipeline/debug.js';
export { VERSION } from './version.js';

// a request: its options, the chain, the pipeline, the answer
export type { HttpMethod, MediaUpload, QueryValue, RawBody, RequestOptions, RetryInfo, RetryOption, RetryPolicy, SensitiveFields, TransportOptions } from './endpoint/options.js';
export type { ChainNode, NodeMembers, VerbCall } from './chain/types.js';
export type { Call, CallOptions, OperationShape, OptionalCall, TypedNode } from './chain/typed.js';
export type { Endpoints, Templates, TypedRoot } from './openapi/index.js';
export type { ChainResponse, FailoverInfo, Middleware, Next, Protocol, RequestContext } from './pipeline/context.js';
export { Pipeline } from './pipeline/pipeline.js';
export { MAX_CLOCK_SKEW, Verifier } from './apiv3/verifier.js';
export type { HeaderBag } from './apiv3/verifier.js';
export { UNSIGNED_ANSWERS } from './apiv3/unsigned.js';

// the errors
export { ArgumentError, BusinessError, DecodeError, HttpError, NetworkError, PublicKeyModeError, TimeoutError, VerificationError, WeChatPayError } from './errors.js';
export type { ErrorResponse, RedactedRequest, VerificationReason } from './errors.js';

// everyday helpers
export { MAX_PRINTED, printable, printableJson } from './printable.js';
export { redactRequest } from './redact.js';
export { buildAppPayParams, buildJsapiPayParams, buildMiniProgramPayParams } from './payment/pay-params.js';
export type { AppPayParams, JsapiPayParams } from './payment/pay-params.js';
// `wxpay doctor` as a function, loaded on its first call (the checks and formatDiagnosis: wechatpay-chain/doctor)
export { diagnose } from './doctor/on-demand.js';
export type { DiagnoseOptions, Diagnosis, DoctorCheck, DoctorConfig } from './doctor/check.js';
