/**
 * The one redaction module: what a request looks like wherever it is shown — an error's `request`,
 * the debug log, `util.inspect(ctx)` or `JSON.stringify(ctx)` in a middleware that logs — with no
 * `Authorization` value and no value of a header you added; and the doctor's report with no secret
 * of the configuration in it. (The client refusing to SEND its own secrets is ./own-secrets.ts;
 * escaping server text for a terminal is ./printable.ts.)
 * @module
 */
import type { InspectOptionsStylized } from 'node:util';
import type { RedactedRequest } from './errors.js';
import type { RequestContext } from './pipeline/context.js';
import { nodeUtil } from './lazy.js';

const { inspect } = nodeUtil;

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
// the protocol's own headers, whose values say how the request was made and hold nothing private
const SHOWN_HEADERS = new Set(['accept', 'accept-encoding', 'accept-language', 'content-type', 'content-length', 'user-agent', 'wechatpay-serial']);

/**
 * Copy of a request safe to print: the `Authorization` scheme stays, its value does not; the
 * values of headers you added (a gateway token, a trace id: configuration values) are redacted
 * too, their names kept. Shown as they are: `Accept`, `Accept-Encoding`, `Accept-Language`,
 * `Content-Type`, `Content-Length`, `User-Agent`, `Wechatpay-Serial`.
 * @example
 * ```ts
 * redactRequest('POST', 'https://api.mch.weixin.qq.com/v3/x', { authorization: 'WECHATPAY2-SHA256-RSA2048 mchid="1",signature="…"', 'x-gateway-key': 'k' });
 * // → { method: 'POST', url: '…/v3/x', headers: { authorization: 'WECHATPAY2-SHA256-RSA2048 [REDACTED]', 'x-gateway-key': '[REDACTED]' } }
 * ```
 */
export function redactRequest(method: string, url: string, headers: Record<string, string | undefined>): RedactedRequest {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (SHOWN_HEADERS.has(lower)) {
      out[lower] = value;
    } else if (SECRET_HEADERS.has(lower)) {
      const scheme = /^[A-Za-z0-9-]+(?= )/.exec(value);
      out[lower] = scheme ? `${scheme[0]} [REDACTED]` : '[REDACTED]';
    } else {
      out[lower] = '[REDACTED]';
    }
  }
  return { method, url, headers: out };
}

type Inspect = (value: unknown, options?: InspectOptionsStylized) => string;

// The hooks live on two shared prototypes (non-enumerable), so guarding a request costs two
// prototype links instead of four property definitions and four closures per request.
function prototypeOf(name: string, view: (self: never) => unknown): object {
  return Object.create(Object.prototype, {
    [inspect.custom]: {
      value(this: never, _depth: number, options: InspectOptionsStylized, format: Inspect) {
        return `${name} ${format(view(this), options)}`;
      },
    },
    toJSON: {
      value(this: never) {
        return view(this);
      },
    },
  }) as object;
}

const HEADERS = prototypeOf('Headers', (headers: Record<string, string>) => redactHeaders(headers));
const CONTEXT = prototypeOf('RequestContext', (ctx: RequestContext) => ({ ...ctx, headers: redactHeaders(ctx.headers) }));

/**
 * Makes a request context (and its `headers` object) print with secret headers redacted, in
 * `util.inspect`, `console.log` and `JSON.stringify`: a middleware that logs its context must not
 * print a signature. The hooks are non-enumerable and inherited: undici, spreading and
 * `Object.keys` see the real headers.
 * @example
 * ```ts
 * const ctx = redactWhenPrinted({ ...fields });
 * util.inspect(ctx); // RequestContext { …, headers: { authorization: 'WECHATPAY2-SHA256-RSA2048 [REDACTED]' } }
 * ```
 */
export function redactWhenPrinted<T extends RequestContext>(ctx: T): T {
  if (Object.getPrototypeOf(ctx.headers) !== HEADERS) Object.setPrototypeOf(ctx.headers, HEADERS);
  if (Object.getPrototypeOf(ctx) !== CONTEXT) Object.setPrototypeOf(ctx, CONTEXT);
  return ctx;
}

/**
 * The request of a context as safe to print: `Authorization` and added headers redacted, the
 * URL as sent (origin, gateway prefix, signed path).
 * @example
 * ```ts
 * throw new NetworkError('socket closed', { request: redactedOf(ctx) });
 * ```
 */
export function redactedOf(ctx: RequestContext): RedactedRequest {
  return redactRequest(ctx.method, `${ctx.origin}${ctx.prefix}${ctx.path}`, ctx.headers);
}

/**
 * Headers as safe to print (see {@link redactRequest}).
 * @example
 * ```ts
 * redactHeaders({ authorization: 'WECHATPAY2-SHA256-RSA2048 mchid="1",…', accept: 'application/json' });
 * // { authorization: 'WECHATPAY2-SHA256-RSA2048 [REDACTED]', accept: 'application/json' }
 * ```
 */
export function redactHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  return redactRequest('', '', headers).headers;
}

/**
 * `text` with every occurrence of each secret replaced by `[REDACTED]` (the doctor's report: a
 * message may quote configuration text that holds a key).
 * @example
 * ```ts
 * redactSecrets('key is abc123abc123', ['abc123abc123']); // 'key is [REDACTED]'
 * ```
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('[REDACTED]');
  return out;
}
