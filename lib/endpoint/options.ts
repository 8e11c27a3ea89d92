/**
 * The request vocabulary: the options object of a request, in wechatpay-php's shape (path
 * variables at the top level, `query`, `json` (APIv3) or `xml` (APIv2) for the payload, transport
 * settings), the HTTP method, and the shapes of the `retry`, `encrypt` and `media` options.
 *
 * The generated endpoint types (lib/openapi) and every step speak this vocabulary, so it imports
 * no implementation: only types, from node and from the other vocabulary files (the context types,
 * ../pipeline/context.ts, import it). spec/architecture.spec.ts holds it to that.
 * @module
 */
import type { Readable } from 'node:stream';

/**
 * Upper-case HTTP methods the chain sends.
 * @example
 * ```ts
 * client.pipeline.use(async (ctx, next) => { const method: HttpMethod = ctx.method; return next(ctx); });
 * ```
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A query value: scalars, or an array sent as repeated keys (`null` and `undefined` are left out).
 * @example
 * ```ts
 * const query: Record<string, QueryValue> = { limit: 10, offset: 0, status: ['SUCCESS', 'REFUND'] };
 * ```
 */
export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>;

/**
 * A raw request body: text and bytes are signed as they are; a stream is sent as it comes.
 * @example
 * ```ts
 * const body: RawBody = JSON.stringify({ mchid: '1900000109' });
 * ```
 */
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
  /** A file upload (a `MediaUtil`): multipart with the `meta` part (signed) and the file part, laid out for the endpoint. */
  media?: MediaUpload;
  /** APIv2: do not add `nonce_str` (the few endpoints without one), as wechatpay-php's `nonceless`. */
  nonceless?: boolean;
  /** Path variables, e.g. `refund_id`. */
  [variable: string]: unknown;
}

/**
 * How to retry.
 * @example
 * ```ts
 * const policy: RetryPolicy = { retries: 3, minDelay: 200, maxDelay: 5_000, maxRetryAfter: 30_000 };
 * Builder.factory({ ...config, retry: policy });
 * ```
 */
export interface RetryPolicy {
  /** Extra attempts after the first (default 2, at most 10). */
  retries?: number;
  /** Backoff before the first retry in ms, doubled per retry, then jittered (default 200). */
  minDelay?: number;
  /** Cap of one backoff delay in ms (default 5 000). */
  maxDelay?: number;
  /** Longest `Retry-After` honoured, ms (default 30 000); a longer one ends the retries. */
  maxRetryAfter?: number;
  /** Statuses worth another attempt (default 408, 429, 500, 502, 503, 504). */
  statuses?: readonly number[];
  /** Called before each wait, e.g. to log; must not throw. */
  onRetry?: (info: RetryInfo) => void;
}

/**
 * What {@link RetryPolicy.onRetry} is told.
 * @example
 * ```ts
 * const onRetry = ({ attempt, delay, error }: RetryInfo) => console.warn(`attempt ${attempt} failed (${error.name}), next in ${delay} ms`);
 * ```
 */
export interface RetryInfo {
  /** The attempt that just failed (1 for the first). */
  attempt: number;
  /** Milliseconds until the next attempt. */
  delay: number;
  /** Why the attempt failed. */
  error: Error;
  method: string;
  path: string;
}

/**
 * The `retry` option: `true` for the default policy, a number of retries, a policy, or `false`
 * (per request: no retries for this call). On a request other than GET, any value but `false`
 * also says "this call is safe to repeat".
 * @example
 * ```ts
 * await client.v3.pay.transactions.native.post({ json, retry: true }); // idempotent by out_trade_no
 * await client.v3.certificates.get({ retry: false });
 * ```
 */
export type RetryOption = boolean | number | RetryPolicy;

/**
 * The `encrypt` request option (敏感信息加密): the field paths of `json` to encrypt with a platform
 * public key, or those with an explicit platform key serial (or `PUB_KEY_ID_…`) and padding
 * (`'oaep'`, the default, or `'pkcs1'` for the endpoints that demand it, as `Rsa.encrypt` takes).
 * Paths are dot-separated; `*` stands for every element of an array (or value of an object).
 * @example
 * ```ts
 * const encrypt: SensitiveFields = ['contact_info.contact_name', 'contact_info.mobile_phone'];
 * const pinned: SensitiveFields = { fields: ['contact_info.mobile_phone'], serial: 'PUB_KEY_ID_0114232134912410000000000000' };
 * ```
 */
export type SensitiveFields = readonly string[] | { fields: readonly string[]; serial?: string; padding?: 'oaep' | 'pkcs1' };

/**
 * What the `media` option takes: a `MediaUtil` (from `wechatpay-chain/media`), which implements it.
 * The client refuses anything else at run time; the interface is here so the vocabulary names the
 * shape of an upload without importing the class.
 * @example
 * ```ts
 * const media: MediaUpload = new MediaUtil('/path/to/logo.png');
 * await client.v3.merchant.media.upload.post({ media });
 * ```
 */
export interface MediaUpload {
  /** The file name sent in `meta` and in the file part. */
  readonly filename: string;
  /** The multipart boundary. */
  readonly boundary: string;
  /** `multipart/form-data; boundary=…` */
  getContentType(): string;
  /** The `meta` JSON, exactly as sent and signed. */
  getMeta(): Promise<string>;
  /** The whole multipart body length in bytes. */
  getLength(): Promise<number>;
  /** A fresh multipart body stream. */
  getStream(): Readable;
}
