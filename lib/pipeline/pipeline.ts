/**
 * An ordered, named list of middleware (outermost first) ending in the transport — wechatpay-php's
 * Guzzle HandlerStack, in TypeScript. The default order is
 * `retry → sign → [your steps] → verify → transport`: your steps see signed requests and only verified
 * responses; `retry` sits before `sign`, so every attempt is signed afresh.
 * @module
 */
import { ArgumentError } from '../errors.js';
import type { ChainResponse, Middleware, Next, RequestContext } from './context.js';

interface Entry {
  name: string;
  handler: Middleware;
}

/**
 * The client's middleware pipeline.
 * @example
 * ```ts
 * client.pipeline.use(async (ctx, next) => {
 *   const res = await next(ctx);
 *   console.log(ctx.method, ctx.path, res.status);
 *   return res;
 * }, 'log');
 * client.pipeline.before('sign', retryStep, 'retry'); // outside signing: each attempt is re-signed
 * client.pipeline.names(); // ['retry', 'sign', 'log', 'verify']
 * ```
 */
export class Pipeline {
  #entries: Entry[];
  #terminal: Next;
  #composed: Next | undefined;
  #userAnchor: string;

  /**
   * @param entries named steps, outermost first
   * @param terminal the transport
   * @param userAnchor the step that `use()` inserts before (default `verify`)
   */
  constructor(entries: Array<[string, Middleware]>, terminal: Next, userAnchor = 'verify') {
    this.#entries = entries.map(([name, handler]) => ({ name, handler }));
    this.#terminal = terminal;
    this.#userAnchor = userAnchor;
  }

  /** Step names, outermost first. */
  names(): string[] {
    return this.#entries.map((entry) => entry.name);
  }

  /** Adds a step after signing and before verification (where logging and metrics belong). */
  use(handler: Middleware, name = `middleware${this.#entries.length}`): this {
    const at = this.#entries.findIndex((entry) => entry.name === this.#userAnchor);
    return this.#insert(at === -1 ? this.#entries.length : at, handler, name);
  }

  /** Adds a step just outside (before) the step named `anchor`. */
  before(anchor: string, handler: Middleware, name = `middleware${this.#entries.length}`): this {
    return this.#insert(this.#indexOf(anchor), handler, name);
  }

  /** Adds a step just inside (after) the step named `anchor`. */
  after(anchor: string, handler: Middleware, name = `middleware${this.#entries.length}`): this {
    return this.#insert(this.#indexOf(anchor) + 1, handler, name);
  }

  /** Removes the step named `name`; returns whether it was there. */
  remove(name: string): boolean {
    const at = this.#entries.findIndex((entry) => entry.name === name);
    if (at === -1) return false;
    this.#entries.splice(at, 1);
    this.#composed = undefined;
    return true;
  }

  /** Runs a request context through every step and the transport. */
  run(ctx: RequestContext): Promise<ChainResponse> {
    this.#composed ??= this.#compose();
    return this.#composed(ctx);
  }

  #indexOf(name: string): number {
    const at = this.#entries.findIndex((entry) => entry.name === name);
    if (at === -1) throw new ArgumentError(`pipeline: no step named "${name}" (have ${this.names().join(', ')})`, 'name');
    return at;
  }

  #insert(at: number, handler: Middleware, name: string): this {
    if (typeof handler !== 'function') throw new ArgumentError('pipeline: a middleware must be a function (ctx, next) => Promise<response>', 'handler');
    if (this.#entries.some((entry) => entry.name === name)) throw new ArgumentError(`pipeline: a step named "${name}" exists already`, 'name');
    this.#entries.splice(at, 0, { name, handler });
    this.#composed = undefined;
    return this;
  }

  #compose(): Next {
    let next = this.#terminal;
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const handler = (this.#entries[i] as Entry).handler;
      const inner = next;
      next = (ctx) => handler(ctx, inner);
    }
    return next;
  }
}
