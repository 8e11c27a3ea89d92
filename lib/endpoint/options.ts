/**
 * The options object of a request, in wechatpay-php's shape: path variables at the top level,
 * `query`, `json` (APIv3) or `xml` (APIv2) for the payload, plus transport settings.
 * @module
 */
import type { Readable } from 'node:stream';
import type { SensitiveFields } from '../sensitive/fields.js';
import type { RetryOption } from '../pipeline/retry.js';
import type { MediaUtil } from '../media/media-util.js';

/** A query value: scalars, or an array sent as repeated keys. */
export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>;

/** A raw request body. */
export type RawBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

/**
 * Settings every request accepts, whatever its endpoint.
 * @example
 * ```ts
 * await client.v3.certificates.get({ timeout: 5_000, signal: AbortSignal.timeout(10_000), headers: { 'x-trace': id } });
 * ```
 */
export interface TransportOptions {
  /** Extra request headers. `Authorization` is computed and cannot be overridden here. */
  headers?: Readonly<Record<string, string>>;
  /** Milliseconds for the whole attempt (connect, headers and body); overrides the client's `timeout`. */
  timeout?: number;
  /** Aborts the request; the promise rejects with a `NetworkError` whose `cause` is the abort reason. */
  signal?: AbortSignal;
  /** Return the body as a stream (`res.body`) instead of buffering and decoding it. */
  stream?: boolean;
  /**
   * APIv2: send over mutual TLS with the merchant certificate. Left out, it is `true` for the
   * endpoints that need the certificate (the catalog's `x-api-cert-required`, e.g.
   * secapi/pay/refund) and `false` for the rest; `false` opts out, e.g. behind a gateway that
   * presents the certificate itself.
   */
  security?: boolean;
  /** Retries for this call; on a POST any value but `false` says the call is safe to repeat. */
  retry?: RetryOption;
  /**
   * This call's base URL, as wechatpay-php's per-call `base_uri`: its path is sent and signed
   * before the endpoint path (`'https://api.mch.weixin.qq.com/hk/'` with `v3/statements` sends
   * `/hk/v3/statements`). A WeChat Pay origin still goes where the client's `hosts` map it.
   */
  baseURL?: string;
}

/**
 * Options of an arbitrary request: transport settings, payload, and any path variables.
 * @example
 * ```ts
 * const options: RequestOptions = { refund_id: '50000000382019052709732678859', json: { sub_mchid: '1900000109' } };
 * ```
 */
export interface RequestOptions extends TransportOptions {
  /** Query parameters; encoded once, and the encoded form is the one signed. */
  query?: Readonly<Record<string, QueryValue>>;
  /** APIv3 JSON payload; serialized once, and those exact bytes are signed and sent. */
  json?: unknown;
  /** APIv2 XML payload (a flat object). */
  xml?: Readonly<Record<string, unknown>>;
  /** A raw body, sent as is (set `content-type` yourself); a `MediaUtil.getStream()` body is signed by its meta. */
  body?: RawBody;
  /** Fields of `json` to encrypt with a platform key; `Wechatpay-Serial` is set to match (see README, Sensitive fields). */
  encrypt?: SensitiveFields;
  /** A file upload: multipart with the `meta` part (signed) and the file part, laid out for the endpoint. */
  media?: MediaUtil;
  /** APIv2: do not add `nonce_str` (the few endpoints without one), as wechatpay-php's `nonceless`. */
  nonceless?: boolean;
  /** Path variables, e.g. `refund_id`. */
  [variable: string]: unknown;
}
