/**
 * Opt-in retries. The step sits before `sign`, so every attempt is signed afresh (new nonce and
 * timestamp) and passes through every user step with `ctx.attempt` = 1, 2, 3…
 *
 * What is retried: GET, and any call whose own options say `retry` (WeChat Pay makes a POST
 * idempotent through `out_trade_no` / `out_refund_no`, which only the caller can vouch for);
 * for those, statuses in `statuses` (429 and 5xx by default), timeouts and broken connections.
 * Any method is retried when the connection failed before a byte was sent (refused, unresolved,
 * connect timeout). Never retried: a {@link VerificationError} (a forged answer does not get
 * better), a caller's abort, an {@link ArgumentError} or {@link DecodeError}, a body given as a
 * stream (it cannot be replayed; a media upload's stream can, and is).
 * @module
 */
import { ArgumentError, HttpError, NetworkError, TimeoutError, VerificationError } from '../errors.js';
import type { RetryPolicy } from '../endpoint/options.js';
import { MediaUtil } from '../media/media-util.js';
import type { Middleware, RequestContext } from './context.js';
import { timersPromises } from '../lazy.js';
import { isObject, milliseconds } from '../validate.js';

/**
 * A policy with every field set, as {@link resolveRetry} returns it.
 * @example
 * ```ts
 * const policy: ResolvedRetryPolicy = resolveRetry({ retries: 3 }) ?? DEFAULT_RETRY;
 * ```
 */
export type ResolvedRetryPolicy = Required<Omit<RetryPolicy, 'onRetry'>> & Pick<RetryPolicy, 'onRetry'>;

/**
 * The policy `retry: true` means.
 * @example
 * ```ts
 * Builder.factory({ ...config, retry: { ...DEFAULT_RETRY, retries: 4 } });
 * ```
 */
export const DEFAULT_RETRY: Readonly<ResolvedRetryPolicy> = Object.freeze({
  retries: 2,
  minDelay: 200,
  maxDelay: 5_000,
  maxRetryAfter: 30_000,
  statuses: Object.freeze([408, 429, 500, 502, 503, 504]),
});

/**
 * Connection failures that happen before any request byte leaves: refused, unresolved, unreachable,
 * connect timeout, and a TLS handshake that failed (certificate checks, protocol errors), since
 * the request is written only over an established TLS session. Safe to repeat for any method.
 */
const BEFORE_SENDING = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  // OpenSSL's certificate verification codes, as node reports them on a TLS socket
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);
const TLS_HANDSHAKE = /^ERR_(?:TLS|SSL)_/;

/**
 * How far a failed attempt got, the one classification retries and failover share:
 * - `unsent`: the connection failed before a byte of the request left (any method may repeat it);
 * - `maybe-sent`: a timeout or a connection broken after sending (only a repeatable call may);
 * - `answered`: the server answered with an error status ({@link HttpError});
 * - `final`: nothing to gain by repeating it (a forged answer, the caller's abort, a bad argument…).
 * @example
 * ```ts
 * failureKind(new NetworkError('connect ECONNREFUSED', { transportCode: 'ECONNREFUSED' })); // 'unsent'
 * failureKind(new TimeoutError(1000)); // 'maybe-sent'
 * ```
 */
export function failureKind(error: unknown): 'unsent' | 'maybe-sent' | 'answered' | 'final' {
  if (error instanceof VerificationError) return 'final';
  if (error instanceof HttpError) return 'answered';
  if (error instanceof TimeoutError) return 'maybe-sent';
  if (error instanceof NetworkError) {
    const code = error.transportCode;
    if (code === 'ABORT_ERR') return 'final';
    if (code !== undefined && (BEFORE_SENDING.has(code) || TLS_HANDSHAKE.test(code))) return 'unsent';
    return 'maybe-sent';
  }
  return 'final';
}

/** A retry delay: none at all is fine, ten minutes is the most a backoff waits. */
function ms(value: unknown, field: string, fallback: number, max = 600_000): number {
  return milliseconds(value, field, fallback, { zero: true, max });
}

/**
 * Validates a `retry` option; `undefined` means no retries.
 * @param base the client's policy, which a request's own object refines
 * @throws {ArgumentError} naming the field at fault
 * @example
 * ```ts
 * resolveRetry(3, 'retry'); // { ...DEFAULT_RETRY, retries: 3 }
 * ```
 */
export function resolveRetry(option: unknown, field = 'retry', base: ResolvedRetryPolicy = DEFAULT_RETRY): ResolvedRetryPolicy | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return base;
  if (typeof option === 'number') {
    if (!Number.isInteger(option) || option < 0 || option > 10) throw new ArgumentError(`${field}: a number of retries must be an integer from 0 to 10`, field);
    return { ...base, retries: option };
  }
  if (!isObject(option)) {
    throw new ArgumentError(`${field}: expected true, false, a number of retries or { retries, minDelay, maxDelay, maxRetryAfter, statuses }`, field);
  }
  const policy = option as RetryPolicy;
  const retries = policy.retries === undefined ? base.retries : policy.retries;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw new ArgumentError(`${field}.retries: must be an integer from 0 to 10`, `${field}.retries`);
  }
  const statuses = policy.statuses ?? base.statuses;
  if (!Array.isArray(statuses) || !statuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 599)) {
    throw new ArgumentError(`${field}.statuses: must be an array of HTTP statuses from 400 to 599`, `${field}.statuses`);
  }
  if (policy.onRetry !== undefined && typeof policy.onRetry !== 'function') throw new ArgumentError(`${field}.onRetry: must be a function`, `${field}.onRetry`);
  const minDelay = ms(policy.minDelay, `${field}.minDelay`, base.minDelay);
  const maxDelay = ms(policy.maxDelay, `${field}.maxDelay`, Math.max(base.maxDelay, minDelay));
  if (maxDelay < minDelay) throw new ArgumentError(`${field}.maxDelay: must not be below minDelay`, `${field}.maxDelay`);
  return {
    retries,
    minDelay,
    maxDelay,
    maxRetryAfter: ms(policy.maxRetryAfter, `${field}.maxRetryAfter`, base.maxRetryAfter, 3_600_000),
    statuses: [...statuses],
    onRetry: policy.onRetry ?? base.onRetry,
  };
}

/**
 * Milliseconds a `Retry-After` value asks for (delta-seconds or an HTTP date), or `undefined`
 * when absent or unreadable.
 * @example
 * ```ts
 * parseRetryAfter('3'); // 3000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT')); // 2000
 * ```
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  if (!/^[A-Za-z]{3}, /.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Exponential backoff with equal jitter: half of `min(maxDelay, minDelay · 2^(attempt-1))`
 * fixed, half random.
 * @example
 * ```ts
 * backoff(DEFAULT_RETRY, 1, () => 0.5); // 150
 * ```
 */
export function backoff(policy: Pick<ResolvedRetryPolicy, 'minDelay' | 'maxDelay'>, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelay, policy.minDelay * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Whether a body can be sent again: bytes, text, nothing, or a media upload (re-created per attempt).
 * @example
 * ```ts
 * replayable('{"a":1}'); // true
 * ```
 */
export function replayable(body: RequestContext['body']): boolean {
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) return true;
  // an upload's stream is re-created by the sign step on every attempt (media/prepare.ts)
  return MediaUtil.of(body) !== undefined;
}

/**
 * How long to wait before repeating a failed attempt, or `undefined` to give up.
 * @example
 * ```ts
 * retryDelay(error, { policy: DEFAULT_RETRY, attempt: 1, repeatable: true }); // e.g. 173
 * ```
 */
export function retryDelay(
  error: unknown,
  options: { policy: ResolvedRetryPolicy; attempt: number; repeatable: boolean; random?: () => number; now?: number },
): number | undefined {
  const { policy, attempt, repeatable } = options;
  if (attempt > policy.retries) return undefined;
  const kind = failureKind(error);
  if (kind === 'final') return undefined;
  const wait = backoff(policy, attempt, options.random);
  if (kind === 'answered') {
    const { status, response } = error as HttpError;
    if (!repeatable || !policy.statuses.includes(status)) return undefined;
    const asked = parseRetryAfter(response.headers['retry-after'], options.now);
    if (asked === undefined) return wait;
    return asked > policy.maxRetryAfter ? undefined : Math.max(asked, wait);
  }
  return kind === 'unsent' || repeatable ? wait : undefined;
}

/**
 * Whether the call's own options vouch that it is safe to repeat: any `retry` but `false`
 * (WeChat Pay makes a POST idempotent through `out_trade_no` / `out_refund_no`).
 * @example
 * ```ts
 * vouchedRepeatable(ctx); // true for client.….post({ json, retry: true })
 * ```
 */
export function vouchedRepeatable(ctx: Pick<RequestContext, 'options'>): boolean {
  const own = ctx.options.retry;
  return own !== undefined && own !== false;
}

/**
 * The retry step for a client policy (`undefined`: only requests with their own `retry` retry).
 * Each attempt gets a fresh context (headers as before signing, `attempt` incremented; `state`
 * is shared across attempts).
 * @example
 * ```ts
 * pipeline.before('sign', retryStep(resolveRetry(true)), 'retry');
 * ```
 */
export function retryStep(clientPolicy: ResolvedRetryPolicy | undefined, fork: (ctx: RequestContext) => RequestContext = (ctx) => ({ ...ctx })): Middleware {
  return async function retry(ctx, next) {
    const own = ctx.options.retry;
    const policy = own === undefined ? clientPolicy : resolveRetry(own, 'retry', clientPolicy ?? DEFAULT_RETRY);
    if (policy === undefined || policy.retries === 0) return next(ctx);
    const vouched = vouchedRepeatable(ctx);
    const canReplay = replayable(ctx.body);
    const headers = { ...ctx.headers };
    const signal = ctx.options.signal;
    let current = ctx;
    for (;;) {
      try {
        return await next(current);
      } catch (error) {
        const delay = canReplay
          ? retryDelay(error, { policy, attempt: current.attempt - ctx.attempt + 1, repeatable: ctx.method === 'GET' || vouched })
          : undefined;
        if (delay === undefined) throw error;
        policy.onRetry?.({ attempt: current.attempt, delay, error: error as Error, method: ctx.method, path: ctx.path });
        try {
          await timersPromises().setTimeout(delay, undefined, signal ? { signal } : undefined);
        } catch {
          throw new NetworkError('request aborted while waiting to retry', { cause: signal?.reason, request: (error as NetworkError).request, transportCode: 'ABORT_ERR' });
        }
        current = fork({ ...ctx, headers: { ...headers }, attempt: current.attempt + 1 });
      }
    }
  };
}
