/**
 * One pipeline for both protocols: the `sign` and `verify` steps keep their names and dispatch on
 * `ctx.protocol`, so a step a user adds (logging, retry, metrics) sees APIv3 and APIv2 alike.
 * @module
 */
import type { Middleware } from './context.js';
import type { Protocol } from './context.js';

/**
 * A middleware that runs the handler of the request's protocol.
 * @example
 * ```ts
 * pipeline = new Pipeline([['sign', byProtocol({ v3: v3SignStep(merchant), v2: v2SignStep({ mchid, secret }) })]], send);
 * ```
 */
export function byProtocol(handlers: Readonly<Record<Protocol, Middleware>>): Middleware {
  const { v3, v2 } = handlers;
  return (ctx, next) => (ctx.protocol === 'v2' ? v2(ctx, next) : v3(ctx, next));
}
