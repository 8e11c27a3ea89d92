/**
 * The end of the pipeline: send one attempt over an undici Dispatcher, honour `timeout` and
 * `signal`, and read the body (bounded by `maxBodySize`, ./read-body.ts) unless the caller asked
 * for a stream. A failed connection, a timeout or an abort becomes a typed error here
 * (`NetworkError`, `TimeoutError`), undici's own code kept as `transportCode`.
 *
 * DESIGN (lib/transport/): getting bytes to and from WeChat Pay, and nothing else — this send
 * step, ./read-body.ts, ./abort.ts, the Agents and their one set of defaults (./agent.ts), mutual
 * TLS for APIv2 (./mutual-tls.ts). undici is loaded on the first Agent (lib/lazy.ts). No
 * signing, no verification: those are pipeline steps.
 * @module
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { ArgumentError, DecodeError, NetworkError, TimeoutError } from '../errors.js';
import { redactedOf } from '../redact.js';
import { printable } from '../printable.js';
import { Abort } from './abort.js';
import { oversize, readBody } from './read-body.js';
import type { ChainResponse, RequestContext } from '../pipeline/context.js';

function networkError(error: unknown, ctx: RequestContext, timedOut: boolean, userSignal: AbortSignal | undefined): NetworkError | DecodeError | ArgumentError {
  if (error instanceof NetworkError || error instanceof DecodeError || error instanceof ArgumentError) return error;
  const request = redactedOf(ctx);
  if (timedOut) return new TimeoutError(ctx.timeout, { cause: error, request });
  if (userSignal?.aborted) return new NetworkError('request aborted', { cause: userSignal.reason, request, transportCode: 'ABORT_ERR' });
  const code = (error as { code?: unknown })?.code;
  const message = printable(error instanceof Error ? error.message : error);
  // undici refused the request before sending it (a header a middleware set after signing, say):
  // the caller's input, which no retry would change
  if (code === 'UND_ERR_INVALID_ARG') {
    return new ArgumentError(`${ctx.method} ${ctx.origin}${ctx.prefix}${ctx.path}: undici refused to send it (${message})`, /header/.test(message) ? 'headers' : 'request', { cause: error });
  }
  return new NetworkError(`${ctx.method} ${ctx.origin}${ctx.prefix}${ctx.path} failed: ${message}`, {
    cause: error,
    request,
    transportCode: typeof code === 'string' ? code : undefined,
  });
}

const ignore = () => undefined;

/**
 * Errors of a streamed body (socket closed mid-body, abort, our timeout) reach the reader as the
 * typed errors of the rest of the client. undici fails a body through `destroy(error)`, so that is
 * where the error is translated; nothing is copied on the data path.
 *
 * The body may sit unread (or read once, then paused) when it fails: with no 'error' listener
 * Node would throw the error as an uncaught exception and end the process. A listener that
 * ignores it is added as it fails; the reader still gets the error when it reads (`for await`,
 * `pipeline`, `saveStream` all report `stream.errored`).
 */
function typedStreamErrors(body: Readable, ctx: RequestContext, timedOut: () => boolean, userSignal: AbortSignal | undefined): void {
  const destroy = body.destroy.bind(body);
  body.destroy = (error?: Error) => {
    if (error === undefined || error === null) return destroy(error);
    if (!body.listeners('error').includes(ignore)) body.on('error', ignore);
    return destroy(networkError(error, ctx, timedOut(), userSignal));
  };
}

/** The controller undici hands a dispatch handler (the parts used here). */
interface Controller {
  abort(reason: Error): void;
}

/**
 * One buffered attempt as an undici dispatch handler: the body is collected straight from the
 * connection, without the Readable, AsyncResource and promise that `dispatcher.request()` makes
 * per response (7% less client CPU per request in bench/ab.ts).
 * Settles once: with the response, or with the first error (timeout, abort, network, size).
 */
class BufferingHandler {
  #ctx: RequestContext;
  #resolve: (res: ChainResponse) => void;
  #reject: (error: unknown) => void;
  #release: () => void;
  #controller: Controller | undefined;
  /** Set when the attempt failed before undici handed over its controller. */
  #pending: Error | undefined;
  #settled = false;
  #status = 0;
  #headers: ChainResponse['headers'] = {};
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(ctx: RequestContext, resolve: (res: ChainResponse) => void, reject: (error: unknown) => void, release: () => void) {
    this.#ctx = ctx;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#release = release;
  }

  /** Fails the attempt now (timeout, caller's abort) and stops the transfer. */
  fail(error: Error): void {
    if (this.#settled) return;
    this.#settle();
    this.#reject(error);
    if (this.#controller) this.#controller.abort(error);
    else this.#pending = error;
  }

  #settle(): void {
    this.#settled = true;
    this.#release();
  }

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    if (this.#pending) controller.abort(this.#pending);
  }

  onResponseStart(controller: Controller, status: number, headers: ChainResponse['headers']): void {
    this.#status = status;
    this.#headers = headers;
    // a declared length over the limit fails at once instead of after the first maxBodySize bytes
    const declared = Number(headers['content-length']);
    if (declared > this.#ctx.maxBodySize) {
      this.fail(oversize(this.#ctx, status, this.#ctx.maxBodySize, declared));
    }
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    if (this.#settled) return;
    this.#size += chunk.length;
    if (this.#size > this.#ctx.maxBodySize) {
      this.fail(oversize(this.#ctx, this.#status, this.#ctx.maxBodySize));
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    this.#settle();
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#size);
    this.#resolve({ status: this.#status, headers: this.#headers, data: undefined, body });
  }

  onResponseError(_controller: Controller | undefined, error: Error): void {
    if (this.#settled) return;
    this.#settle();
    this.#reject(networkError(error, this.#ctx, false, this.#ctx.options.signal));
  }
}

/**
 * One attempt whose body the caller reads as a stream (`stream: true`): undici's Readable, with
 * the timeout guarding until the body ends and its errors typed.
 */
async function sendStreaming(dispatcher: Dispatcher, ctx: RequestContext): Promise<ChainResponse> {
  const userSignal = ctx.options.signal;
  const controller = new Abort();
  let timedOut = false;
  let streamed: (Readable & AsyncIterable<Buffer>) | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    // a stalled stream fails with a TimeoutError, not with undici's abort error
    if (streamed) streamed.destroy(new TimeoutError(ctx.timeout, { request: redactedOf(ctx) }));
    else controller.abort();
  }, ctx.timeout);
  const onAbort = () => controller.abort(userSignal?.reason);
  userSignal?.addEventListener('abort', onAbort, { once: true });
  const release = () => {
    clearTimeout(timer);
    userSignal?.removeEventListener('abort', onAbort);
  };
  let streaming = false;
  try {
    const res = await dispatcher.request({
      origin: ctx.origin,
      path: ctx.prefix + ctx.path,
      method: ctx.method,
      headers: ctx.headers,
      body: ctx.body as Dispatcher.DispatchOptions['body'],
      signal: controller,
    });
    const body = res.body as unknown as Readable & AsyncIterable<Buffer>;
    if (res.statusCode >= 200 && res.statusCode < 300) {
      // the caller consumes the stream; the timeout keeps guarding until the body ends
      streaming = true;
      streamed = body;
      body.once('close', release);
      typedStreamErrors(body, ctx, () => timedOut, userSignal);
      return { status: res.statusCode, headers: res.headers, data: undefined, body };
    }
    // an error answer is buffered like any other (the verify step decodes it)
    const declared = Number(res.headers['content-length']);
    if (declared > ctx.maxBodySize) {
      body.destroy();
      throw oversize(ctx, res.statusCode, ctx.maxBodySize, declared);
    }
    const bytes = await readBody(body, ctx.maxBodySize, ctx, res.statusCode);
    return { status: res.statusCode, headers: res.headers, data: undefined, body: bytes };
  } catch (error) {
    throw networkError(error, ctx, timedOut, userSignal);
  } finally {
    if (!streaming) release();
  }
}

/**
 * Builds the transport step for a dispatcher.
 * @example
 * ```ts
 * const send = createTransport(new Agent());
 * const res = await send(ctx);
 * ```
 */
export function createTransport(dispatcher: Dispatcher): (ctx: RequestContext) => Promise<ChainResponse> {
  return function send(ctx) {
    const userSignal = ctx.options.signal;
    if (userSignal?.aborted) return Promise.reject(networkError(userSignal.reason, ctx, false, userSignal));
    if (ctx.options.stream === true) return sendStreaming(dispatcher, ctx);
    return new Promise((resolve, reject) => {
      const onAbort = () => handler.fail(networkError(userSignal?.reason, ctx, false, userSignal));
      const timer = setTimeout(() => {
        const cause = new DOMException('This operation was aborted', 'AbortError');
        handler.fail(new TimeoutError(ctx.timeout, { cause, request: redactedOf(ctx) }));
      }, ctx.timeout);
      const handler = new BufferingHandler(ctx, resolve, reject, () => {
        clearTimeout(timer);
        userSignal?.removeEventListener('abort', onAbort);
      });
      userSignal?.addEventListener('abort', onAbort, { once: true });
      try {
        dispatcher.dispatch(
          {
            origin: ctx.origin,
            path: ctx.prefix + ctx.path,
            method: ctx.method,
            headers: ctx.headers,
            body: ctx.body as Dispatcher.DispatchOptions['body'],
          },
          handler as unknown as Dispatcher.DispatchHandler,
        );
      } catch (error) {
        // undici reports through onResponseError; a dispatcher of the caller's may throw instead
        handler.onResponseError(undefined, error as Error);
      }
    });
  };
}
