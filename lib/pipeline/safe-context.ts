/**
 * Keeps the `Authorization` value out of `util.inspect(ctx)`, `console.log(ctx)` and
 * `JSON.stringify(ctx)`: a middleware that logs its context must not print a signature.
 * @module
 */
import type { InspectOptionsStylized } from 'node:util';
import { redactRequest } from '../errors.js';
import type { RequestContext } from './context.js';
import { nodeUtil } from '../lazy.js';

const { inspect } = nodeUtil;

type Inspect = (value: unknown, options?: InspectOptionsStylized) => string;

function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return redactRequest('', '', headers).headers;
}

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
 * Makes a request context (and its `headers` object) print with secret headers redacted. The
 * hooks are non-enumerable and inherited: undici, spreading and `Object.keys` see the real headers.
 * @example
 * ```ts
 * const ctx = guardContext({ ...fields });
 * util.inspect(ctx); // RequestContext { …, headers: { authorization: 'WECHATPAY2-SHA256-RSA2048 [REDACTED]' } }
 * ```
 */
export function guardContext<T extends RequestContext>(ctx: T): T {
  if (Object.getPrototypeOf(ctx.headers) !== HEADERS) Object.setPrototypeOf(ctx.headers, HEADERS);
  if (Object.getPrototypeOf(ctx) !== CONTEXT) Object.setPrototypeOf(ctx, CONTEXT);
  return ctx;
}
