/**
 * An ordered, named list of middleware (outermost first) ending in the transport — wechatpay-php's
 * Guzzle HandlerStack, in TypeScript. The default order is
 * `retry → sign → [your steps] → verify → transport`: your steps see signed requests and only verified
 * responses; `retry` sits before `sign`, so every attempt is signed afresh.
 *
 * There is no switch to turn verification off: the steps the pipeline was built with (`sign` and
 * `verify` in a client) cannot be removed, so neither can they be replaced or moved past each
 * other, and no step can be added inside `verify` (between it and the transport), where it would
 * see answers before they are verified. The library's own inner steps (the debug log, the
 * platform-certificate bootstrap) are installed through {@link installInnerStep}, which is not exported.
 *
 * DESIGN (lib/pipeline/): steps only — this runner, the vocabulary every step speaks
 * (./context.ts), the protocol switch (./by-protocol.ts), and the steps: `retry`, `failover`,
 * `debug`, and each protocol's `sign` and `verify` (./v3/, ./v2/). What the steps need lives in
 * its own folder: the transport at the end (lib/transport/), the protocols' knowledge
 * (lib/apiv3/, lib/apiv2/), media (lib/media/), redaction (lib/redact.ts).
 * @module
 */
import { ArgumentError } from '../errors.js';
import type { ChainResponse, Middleware, Next, RequestContext } from './context.js';

interface Entry {
  name: string;
  handler: Middleware;
}

let innerInsert: (pipeline: Pipeline, anchor: string, handler: Middleware, name: string) => Pipeline;

/**
 * Adds one of the library's own steps just inside `anchor`, even inside `verify`: the debug log
 * (which sees each attempt as sent) and the platform-certificate bootstrap (which must read an
 * answer before it can be verified). Not exported from the package: users add steps with
 * {@link Pipeline.use}, `before` and `after`, always outside `verify`.
 * @example
 * ```ts
 * installInnerStep(pipeline, 'verify', debugStep(log), 'debug');
 * ```
 */
export function installInnerStep(pipeline: Pipeline, anchor: string, handler: Middleware, name: string): void {
  innerInsert(pipeline, anchor, handler, name);
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
  /** The steps the pipeline was built with: never removed. */
  readonly #fixed: ReadonlySet<string>;

  static {
    innerInsert = (pipeline, anchor, handler, name) => pipeline.#insert(pipeline.#indexOf(anchor) + 1, handler, name, true);
  }

  /**
   * @param entries named steps, outermost first; they stay for the pipeline's life (no `remove`)
   * @param terminal the transport
   * @param userAnchor the step that `use()` inserts before (default `verify`); no step may be
   *   added inside it
   */
  constructor(entries: Array<[string, Middleware]>, terminal: Next, userAnchor = 'verify') {
    this.#entries = entries.map(([name, handler]) => ({ name, handler }));
    this.#terminal = terminal;
    this.#userAnchor = userAnchor;
    this.#fixed = new Set(this.#entries.map((entry) => entry.name));
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

  /**
   * Adds a step just outside (before) the step named `anchor`.
   * @throws {ArgumentError} when that would put it inside `verify`
   */
  before(anchor: string, handler: Middleware, name = `middleware${this.#entries.length}`): this {
    return this.#insert(this.#indexOf(anchor), handler, name);
  }

  /**
   * Adds a step just inside (after) the step named `anchor`.
   * @throws {ArgumentError} when that would put it inside `verify` (`after('verify')`)
   */
  after(anchor: string, handler: Middleware, name = `middleware${this.#entries.length}`): this {
    return this.#insert(this.#indexOf(anchor) + 1, handler, name);
  }

  /**
   * Removes the step named `name`; returns whether it was there.
   * @throws {ArgumentError} for a step the pipeline was built with (`sign`, `verify`): there is
   *   no switch to turn signing or verification off
   */
  remove(name: string): boolean {
    if (this.#fixed.has(name)) {
      const why = name === this.#userAnchor ? 'there is no switch to turn verification off: every answer is verified before a step or the caller sees it' : 'the pipeline is built around it';
      throw new ArgumentError(`pipeline: "${name}" cannot be removed (${why}); add steps around it instead`, 'name');
    }
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

  #insert(at: number, handler: Middleware, name: string, inner = false): this {
    if (typeof handler !== 'function') throw new ArgumentError('pipeline: a middleware must be a function (ctx, next) => Promise<response>', 'handler');
    if (this.#entries.some((entry) => entry.name === name)) throw new ArgumentError(`pipeline: a step named "${name}" exists already`, 'name');
    const boundary = this.#entries.findIndex((entry) => entry.name === this.#userAnchor);
    if (!inner && boundary !== -1 && at > boundary) {
      throw new ArgumentError(
        `pipeline: a step cannot go inside "${this.#userAnchor}" (between it and the transport), where it would see answers before they are verified; add it with use() or before('${this.#userAnchor}')`,
        'anchor',
      );
    }
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
