/**
 * The pipeline vocabulary: the state object that flows through the middleware (one object per
 * attempt, so adding a field never changes a middleware signature), the response shape, and the
 * middleware signature. Types only; it imports nothing but the request vocabulary
 * (../endpoint/options.ts). spec/architecture.spec.ts holds it to that.
 * @module
 */
import type { Readable } from 'node:stream';
import type { HttpMethod, RawBody, RequestOptions } from '../endpoint/options.js';

/**
 * On the context of an attempt sent to the backup domain (the `failover` option): `error` is set
 * on the attempt that switched, absent while the client stays on the backup.
 * @example
 * ```ts
 * client.pipeline.use(async (ctx, next) => { if (ctx.failover) metrics.increment('wechatpay.backup'); return next(ctx); });
 * ```
 */
export interface FailoverInfo {
  from: string;
  to: string;
  error?: Error;
}

/**
 * Which protocol a request speaks: chosen by the template's first segment (`v2/` → APIv2 XML).
 * @example
 * ```ts
 * client.pipeline.use((ctx, next) => (ctx.protocol === 'v2' ? next(ctx) : next(ctx)));
 * ```
 */
export type Protocol = 'v3' | 'v2';

/**
 * One attempt of one request. Middleware may read and change `headers`, `body`, `path` and `state`.
 * Secrets are not on it: the signing step holds the key in a closure.
 * @example
 * ```ts
 * client.pipeline.use(async (ctx, next) => { console.log(ctx.method, ctx.path, ctx.attempt); return next(ctx); }, 'log');
 * ```
 */
export interface RequestContext {
  readonly protocol: Protocol;
  method: HttpMethod;
  /** The endpoint template the chain built, e.g. `v3/ecommerce/refunds/{refund_id}/return-advance`. */
  readonly template: string;
  /**
   * The WeChat Pay origin the endpoint is documented at, before `hosts` mapping, e.g.
   * `https://apihk.mch.weixin.qq.com` for `global/v3/customs/orders` (a request's own `baseURL`: its origin).
   */
  readonly documentedOrigin: string;
  /** Scheme, host and port the request is sent to, e.g. `https://api.mch.weixin.qq.com`. */
  origin: string;
  /** The client's `gatewayPrefix` ('' normally): sent before `path`, not signed. */
  prefix: string;
  /** The path of the base URL the request is sent to ('' or e.g. `/proxy`): the start of `path`, signed. */
  basePath: string;
  /** Path and query as sent and signed, e.g. `/v3/ecommerce/refunds/5000/return-advance` (after `basePath`). */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** What is sent. */
  body: RawBody | undefined;
  /** What the APIv3 signature covers. */
  signBody: string;
  /** The caller's options, as given. */
  readonly options: RequestOptions;
  /** Milliseconds for this attempt. */
  timeout: number;
  /** Largest buffered body accepted, in bytes. */
  maxBodySize: number;
  /** 1 for the first attempt; incremented by a retry step. */
  attempt: number;
  /** Set on an attempt sent to the backup domain (the `failover` option): from where to where, and why on the switch. */
  failover?: FailoverInfo;
  /** Scratch space for middleware. */
  readonly state: Record<string, unknown>;
}

/**
 * A response: `status`, lower-case `headers`, decoded `data` and the raw `body` (a Buffer, or a
 * stream when the request asked for `stream: true`).
 * @example
 * ```ts
 * const { status, data, body } = await client.v3.certificates.get();
 * ```
 */
export interface ChainResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: T;
  body: Buffer | Readable;
}

/**
 * The rest of the pipeline, as seen from one middleware.
 * @example
 * ```ts
 * const step: Middleware = (ctx, next) => next(ctx);
 * ```
 */
export type Next = (ctx: RequestContext) => Promise<ChainResponse>;

/**
 * A pipeline step: do something before, call `next(ctx)`, do something after.
 * @example
 * ```ts
 * const timing: Middleware = async (ctx, next) => {
 *   const started = performance.now();
 *   try { return await next(ctx); } finally { metrics.observe(ctx.template, performance.now() - started); }
 * };
 * ```
 */
export type Middleware = (ctx: RequestContext, next: Next) => Promise<ChainResponse>;
