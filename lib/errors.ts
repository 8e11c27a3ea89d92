/**
 * Error classes. Every failure the client can report is one of these, so callers can branch on
 * `instanceof` (and on `error.code` for WeChat Pay's own business codes, which are only ever set
 * from an answer that verified).
 *
 * None of them ever carries key material or an `Authorization` value: requests attached to an
 * error are redacted copies (see `redactRequest` in ./redact.ts).
 *
 * @example
 * ```ts
 * import { HttpError, VerificationError } from 'wechatpay-chain';
 * try {
 *   await client.v3.pay.transactions.id._transaction_id_.get({ transaction_id, query: { mchid } });
 * } catch (e) {
 *   if (e instanceof HttpError && e.code === 'ORDER_NOT_EXIST') { ... }
 *   else if (e instanceof VerificationError) { ... } // never trust such an answer
 *   else throw e;
 * }
 * ```
 * @module
 */
import { printable } from './printable.js';

/**
 * A request as it may appear inside an error or a log: headers redacted, no body bytes.
 * @example
 * ```ts
 * catch (e) { if (e instanceof WeChatPayError) log.warn({ request: e.request satisfies RedactedRequest | undefined }); }
 * ```
 */
export interface RedactedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/**
 * The part of a response an error keeps. `data` is the decoded body when it could be decoded.
 * @example
 * ```ts
 * const { status, headers, data }: ErrorResponse = httpError.response;
 * ```
 */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: unknown;
}

/**
 * Base class of every error thrown by wechatpay-chain.
 * @example
 * ```ts
 * import { WeChatPayError } from 'wechatpay-chain';
 * try { await client.v3.certificates.get(); } catch (e) { if (e instanceof WeChatPayError) console.error(e.name, e.message); }
 * ```
 */
export class WeChatPayError extends Error {
  override name = 'WeChatPayError';
  /** The request that failed, redacted; absent for errors raised before a request existed. */
  request?: RedactedRequest;

  constructor(message: string, options?: { cause?: unknown; request?: RedactedRequest }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.request) this.request = options.request;
  }

  /** A JSON view with no secrets: what a logger should print. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, request: this.request };
  }
}

/**
 * Bad input from the caller: a missing path variable, an unreadable key, a wrong option.
 * Raised before anything is sent.
 * @example
 * ```ts
 * // ArgumentError: path variable "refund_id" is missing, null or empty (template v3/ecommerce/refunds/{refund_id}/return-advance)
 * await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ json: { sub_mchid } }).catch((e) => e instanceof ArgumentError);
 * ```
 */
export class ArgumentError extends WeChatPayError {
  override name = 'ArgumentError';
  /** The option or field at fault, e.g. `privateKey` or `refund_id`. */
  readonly field: string | undefined;
  constructor(message: string, field?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.field = field;
  }
}

/**
 * The server answered with a non-2xx status. `verified` tells whether the answer carried a WeChat
 * Pay signature that verified; WeChat Pay's business fields are split by it:
 * `code` / `detail` are set **only** for a verified answer, the same text from an unverified one
 * (a proxy, a gateway, an attacker) is kept under `unverifiedCode` / `unverifiedMessage` /
 * `unverifiedDetail` and in `response`. So `e.code === 'ORDER_NOT_EXIST'` can only be true when
 * WeChat Pay said it.
 * @example
 * ```ts
 * try { await client.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no, query: { mchid } }); }
 * catch (e) {
 *   if (e instanceof HttpError && e.code === 'ORDER_NOT_EXIST') await createOrder(); // only ever from a verified answer
 *   else if (e instanceof HttpError && e.status === 429) await later();
 *   else throw e;
 * }
 * ```
 */
export class HttpError extends WeChatPayError {
  override name = 'HttpError';
  /** The HTTP status, as received (verified or not): it says why this is an error, not what happened to an order. */
  readonly status: number;
  /** WeChat Pay's business error code (`PARAM_ERROR`, `ORDER_NOT_EXIST`…), from a verified answer only. */
  readonly code: string | undefined;
  /** WeChat Pay's `detail` object (field, value, issue, location), from a verified answer only. */
  readonly detail: unknown;
  /** The `code` of an answer that did not verify: text anyone on the path could have written. */
  readonly unverifiedCode: string | undefined;
  /** The `message` of an answer that did not verify. */
  readonly unverifiedMessage: string | undefined;
  /** The `detail` of an answer that did not verify. */
  readonly unverifiedDetail: unknown;
  /** The response (status, headers, decoded data) as received, verified or not. */
  readonly response: ErrorResponse;
  /** True when the error body carried a WeChat Pay signature that verified. */
  readonly verified: boolean;

  /**
   * @param options.note a sentence appended to the message (e.g. what an unverified answer may mean)
   */
  constructor(response: ErrorResponse, request: RedactedRequest, verified: boolean, options?: { note?: string }) {
    const body = (response.data && typeof response.data === 'object' ? response.data : {}) as Record<string, unknown>;
    const code = typeof body.code === 'string' ? body.code : undefined;
    const text = typeof body.message === 'string' ? body.message : undefined;
    // server text, escaped: it may carry ESC sequences or newlines (a forged log line)
    const said = [code, text].filter((part) => part !== undefined && part !== '').map((part) => printable(part)).join(': ');
    const what = said === '' ? '' : verified ? ` ${said}` : `, unverified (no valid WeChat Pay signature): ${said}`;
    super(`${request.method} ${request.url} answered ${response.status}${what}${options?.note ? `; ${options.note}` : ''}`, { request });
    this.status = response.status;
    this.code = verified ? code : undefined;
    this.detail = verified ? body.detail : undefined;
    this.unverifiedCode = verified ? undefined : code;
    this.unverifiedMessage = verified ? undefined : text;
    this.unverifiedDetail = verified ? undefined : body.detail;
    this.response = response;
    this.verified = verified;
  }

  override toJSON(): Record<string, unknown> {
    const said = this.verified
      ? { code: this.code, detail: this.detail }
      : { unverifiedCode: this.unverifiedCode, unverifiedMessage: this.unverifiedMessage, unverifiedDetail: this.unverifiedDetail };
    return { ...super.toJSON(), status: this.status, verified: this.verified, ...said };
  }
}

/**
 * Why a response or notification failed verification.
 * @example
 * ```ts
 * catch (e) { if (e instanceof VerificationError && e.reason === ('stale-timestamp' satisfies VerificationReason)) console.warn('check the clock'); }
 * ```
 */
export type VerificationReason =
  | 'missing-header'
  | 'duplicated-header'
  | 'stale-timestamp'
  | 'bad-timestamp'
  | 'unknown-serial'
  | 'bad-signature'
  | 'digest-mismatch'
  // notifications (webhook/): the verified body is not a notification envelope
  | 'malformed-notification'
  // platform certificate downloads (certificates/): the answer is not a list of encrypted certificates
  | 'malformed-certificates'
  // a notification's resource or a certificate uses an algorithm other than AEAD_AES_256_GCM
  | 'unsupported-algorithm'
  // a notification's resource, a certificate or req_info does not decrypt with the key;
  // encrypted bill downloads (download/): encrypt_key does not unwrap or the file does not authenticate
  | 'decrypt-failed';

/**
 * A response (or notification) that could not be proven to come from WeChat Pay. Its data is never
 * returned. `reason` says which check failed.
 * @example
 * ```ts
 * catch (e) { if (e instanceof VerificationError) log.warn('forged or stale answer', e.reason); }
 * ```
 */
export class VerificationError extends WeChatPayError {
  override name = 'VerificationError';
  readonly reason: VerificationReason;
  /** HTTP status of the rejected response, when the failure concerns a response. */
  readonly status: number | undefined;
  constructor(reason: VerificationReason, message: string, options?: { request?: RedactedRequest; status?: number }) {
    super(message, options);
    this.reason = reason;
    this.status = options?.status;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason, status: this.status };
  }
}

/**
 * `GET /v3/certificates` answered 404 `RESOURCE_NOT_EXISTS`: the merchant uses WeChat Pay public
 * key mode (微信支付公钥) and has no platform certificates to download. Configure `certs` with the
 * public key (`PUB_KEY_ID_…` → `pub_key.pem` from the merchant platform, API安全) instead.
 * @example
 * ```ts
 * catch (e) { if (e instanceof PublicKeyModeError) console.error(e.message); }
 * ```
 */
export class PublicKeyModeError extends WeChatPayError {
  override name = 'PublicKeyModeError';
  constructor(message: string, options?: { cause?: unknown; request?: RedactedRequest }) {
    super(message, options);
  }
}

/**
 * The connection failed (refused, reset, closed mid-body, TLS failure) or the request was aborted.
 * `transportCode` says how: it is not a WeChat Pay code (`code` on {@link HttpError} and
 * {@link BusinessError} is, and only ever one that verified).
 * @example
 * ```ts
 * catch (e) { if (e instanceof NetworkError && e.transportCode === 'ECONNREFUSED') console.error('WeChat Pay unreachable', e.cause); }
 * ```
 */
export class NetworkError extends WeChatPayError {
  override name = 'NetworkError';
  /**
   * How the transport failed, when it said: undici's code (`UND_ERR_SOCKET`,
   * `UND_ERR_CONNECT_TIMEOUT`…), the system's (`ECONNREFUSED`, `ENOTFOUND`…), TLS's
   * (`CERT_HAS_EXPIRED`…), or the client's own: `ETIMEDOUT` for a {@link TimeoutError},
   * `ABORT_ERR` for your `signal`.
   */
  readonly transportCode: string | undefined;
  constructor(message: string, options?: { cause?: unknown; request?: RedactedRequest; transportCode?: string }) {
    super(message, options);
    this.transportCode = options?.transportCode;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), transportCode: this.transportCode };
  }
}

/**
 * The request took longer than its `timeout` (milliseconds).
 * @example
 * ```ts
 * await client.v3.certificates.get({ timeout: 2000 }).catch((e) => e instanceof TimeoutError);
 * ```
 */
export class TimeoutError extends NetworkError {
  override name = 'TimeoutError';
  readonly timeout: number;
  constructor(timeout: number, options?: { cause?: unknown; request?: RedactedRequest }) {
    super(`request timed out after ${timeout} ms`, { ...options, transportCode: 'ETIMEDOUT' });
    this.timeout = timeout;
  }
}

/**
 * A verified (or exempt) response whose body could not be decoded as the endpoint promises,
 * e.g. non-JSON on a JSON endpoint, or a body larger than `maxBodySize`.
 * @example
 * ```ts
 * catch (e) { if (e instanceof DecodeError) console.error(e.message); }
 * ```
 */
export class DecodeError extends WeChatPayError {
  override name = 'DecodeError';
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; request?: RedactedRequest; status?: number }) {
    super(message, options);
    this.status = options?.status;
  }
}

/**
 * An optional peer dependency a feature needs is not installed: `msw` (the emulator,
 * `wechatpay-chain/testing` and `wxpay sandbox`) or `@peculiar/x509` (test certificates). The
 * message names the command to run; `cause` is the loader's own error. Raised when the feature is
 * used (`Emulator.create()`, `createCertificate()`…), not when the entry is imported.
 * @example
 * ```ts
 * // MissingPeerError: msw is not installed: the emulator (Emulator.create(), its msw handlers, wxpay sandbox) needs it, an optional peer dependency of wechatpay-chain (msw ^2.8.0). Install it beside wechatpay-chain: npm install --save-dev msw@2
 * try { Emulator.create(); } catch (e) { if (e instanceof MissingPeerError) console.error(e.message); }
 * ```
 */
export class MissingPeerError extends WeChatPayError {
  override name = 'MissingPeerError';
  /** The package to install, e.g. `msw`. */
  readonly peer: string;
  /** The version range of it that wechatpay-chain declares (`peerDependencies`). */
  readonly range: string;
  constructor(peer: string, range: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.peer = peer;
    this.range = range;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), peer: this.peer, range: this.range };
  }
}

/**
 * An APIv2 answer saying no: `return_code=FAIL` (the request was refused: bad sign, bad
 * parameters, no certificate…) or `result_code=FAIL` (the business failed: `err_code` says why,
 * e.g. `USERPAYING`, `NOTENOUGH`, `ORDERPAID`). The HTTP status is usually 200. `verified` tells
 * whether it carried a `sign` that verified with the APIv2 key; the server's text is split by it:
 * `returnMsg` / `errCode` / `errCodeDes` / `code` are set **only** for a verified answer, the same
 * fields of an unsigned (or stripped) one are under `unverifiedReturnMsg` / `unverifiedErrCode` /
 * `unverifiedErrCodeDes` / `unverifiedCode`, and `reply` holds the answer as received. WeChat Pay
 * never signs `return_code=FAIL`, nor the answers of the endpoints in `UNSIGNED_ANSWERS`.
 * @example
 * ```ts
 * try { await client.v2.pay.micropay.post({ xml }); }
 * catch (e) {
 *   if (e instanceof BusinessError && e.errCode === 'USERPAYING') await pollOrder(); // only ever from a verified answer
 *   else throw e;
 * }
 * ```
 */
export class BusinessError extends WeChatPayError {
  override name = 'BusinessError';
  /** HTTP status, as received. */
  readonly status: number;
  /** `'FAIL'` when the request itself was refused, else `'SUCCESS'` — as received, verified or not: it only says which kind of no this is. */
  readonly returnCode: string;
  /** `result_code` when present (`'FAIL'` for business failures) — as received, like `returnCode`. */
  readonly resultCode: string | undefined;
  /** `return_msg` (e.g. `OK`), from a verified answer only. */
  readonly returnMsg: string | undefined;
  /** `err_code` (e.g. `ORDERPAID`), from a verified answer only. */
  readonly errCode: string | undefined;
  /** `err_code_des`, the human-readable reason, from a verified answer only. */
  readonly errCodeDes: string | undefined;
  /** Same as `errCode`, for symmetry with {@link HttpError.code}. */
  readonly code: string | undefined;
  /** `return_msg` of an answer that did not verify (every `return_code=FAIL`). */
  readonly unverifiedReturnMsg: string | undefined;
  /** `err_code` of an answer that did not verify: text anyone on the path could have written. */
  readonly unverifiedErrCode: string | undefined;
  /** `err_code_des` of an answer that did not verify. */
  readonly unverifiedErrCodeDes: string | undefined;
  /** Same as `unverifiedErrCode`, for symmetry with {@link HttpError.unverifiedCode}. */
  readonly unverifiedCode: string | undefined;
  /** The parsed answer, every field, as received (verified or not). */
  readonly reply: Readonly<Record<string, unknown>>;
  /** The response (status, headers, parsed reply as `data`), as received. */
  readonly response: ErrorResponse;
  /** True when the answer carried a `sign` that verified with the APIv2 key. */
  readonly verified: boolean;

  constructor(response: ErrorResponse, request: RedactedRequest, verified: boolean) {
    const reply = (response.data && typeof response.data === 'object' ? response.data : {}) as Record<string, unknown>;
    const text = (name: string) => (typeof reply[name] === 'string' ? (reply[name] as string) : undefined);
    const returnCode = text('return_code') ?? 'FAIL';
    const refused = returnCode !== 'SUCCESS';
    const errCode = text('err_code');
    const reason = refused ? text('return_msg') : (text('err_code_des') ?? text('return_msg'));
    // server text, escaped (see HttpError)
    const [shownCode, shownReason] = [errCode, reason].map((part) => (part === undefined || part === '' ? undefined : printable(part)));
    const said = [refused ? undefined : shownCode, shownReason].filter((part) => part !== undefined).join(': ');
    const verifiedText = `${!refused && shownCode ? ` ${shownCode}` : ''}${shownReason ? `: ${shownReason}` : ''}`;
    const what = said === '' ? '' : verified ? verifiedText : `, unverified (no sign that verified): ${said}`;
    super(`${request.method} ${request.url} answered ${refused ? 'return_code=FAIL' : 'result_code=FAIL'}${what}`, { request });
    this.status = response.status;
    this.returnCode = returnCode;
    this.resultCode = text('result_code');
    this.returnMsg = verified ? text('return_msg') : undefined;
    this.errCode = verified ? errCode : undefined;
    this.errCodeDes = verified ? text('err_code_des') : undefined;
    this.code = this.errCode;
    this.unverifiedReturnMsg = verified ? undefined : text('return_msg');
    this.unverifiedErrCode = verified ? undefined : errCode;
    this.unverifiedErrCodeDes = verified ? undefined : text('err_code_des');
    this.unverifiedCode = this.unverifiedErrCode;
    this.reply = reply;
    this.response = response;
    this.verified = verified;
  }

  override toJSON(): Record<string, unknown> {
    const said = this.verified
      ? { returnMsg: this.returnMsg, errCode: this.errCode, errCodeDes: this.errCodeDes }
      : { unverifiedReturnMsg: this.unverifiedReturnMsg, unverifiedErrCode: this.unverifiedErrCode, unverifiedErrCodeDes: this.unverifiedErrCodeDes };
    return { ...super.toJSON(), status: this.status, returnCode: this.returnCode, resultCode: this.resultCode, verified: this.verified, ...said };
  }
}
