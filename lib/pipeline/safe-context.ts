/**
 * Keeps the `Authorization` value out of `util.inspect(ctx)`, `console.log(ctx)` and
 * `JSON.stringify(ctx)`: a middleware that logs its context must not print a signature.
 * @module
 */
import { inspect, type InspectOptionsStylized } from 'node:util';
import { redactRequest } from '../errors.js';
import type { RequestContext } from './context.js';

type Inspect = (value: unknown, options?: InspectOptionsStylized) => string;

function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return redactRequest('', '', headers).headers;
}

function hide(target: object, name: string, view: () => unknown): void {
  Object.defineProperty(target, inspect.custom, {
    configurable: true,
    enumerable: false,
    value: (_depth: number, options: InspectOptionsStylized, format: Inspect) => `${name} ${format(view(), options)}`,
  });
  Object.defineProperty(target, 'toJSON', { configurable: true, enumerable: false, value: view });
}

/**
 * Makes a request context (and its `headers` object) print with secret headers redacted. The
 * hooks are non-enumerable: undici, spreading and `Object.keys` see the real headers.
 * @example
 * ```ts
 * const ctx = guardContext({ ...fields });
 * util.inspect(ctx); // RequestContext { …, headers: { authorization: 'WECHATPAY2-SHA256-RSA2048 [REDACTED]' } }
 * ```
 */
export function guardContext<T extends RequestContext>(ctx: T): T {
  const headers = ctx.headers;
  hide(headers, 'Headers', () => redactHeaders(headers));
  hide(ctx, 'RequestContext', () => ({ ...ctx, headers: redactHeaders(ctx.headers) }));
  return ctx;
}
