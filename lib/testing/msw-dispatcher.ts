/**
 * An undici Dispatcher that answers from msw request handlers, in process, with no socket.
 * msw's own interceptors do not see requests sent through an undici Dispatcher
 * (mswjs/msw#2165); this bridge hands each one to a Fetch-API handler (the emulator, or msw's
 * `getResponse(handlers, request)` directly) and streams the answer back to undici.
 * @module
 */
import { Readable } from 'node:stream';
import { Dispatcher } from 'undici';
import { addHeader, type OutgoingResponse, type RawRequest } from './exchange.js';

/**
 * Turns a Fetch `Request` into a Fetch `Response` (or `undefined` for "no handler").
 * @example
 * ```ts
 * const handler: FetchHandler = async (request) => (request.method === 'GET' ? Response.json({ ok: true }) : undefined);
 * const dispatcher = new MswDispatcher(handler);
 * ```
 */
export type FetchHandler = (request: Request) => Promise<Response | undefined>;

/**
 * Answers a plain {@link RawRequest} (no Fetch objects: the emulator's fast path).
 * @example
 * ```ts
 * const raw: RawHandler = async (request) => ({ status: 204, headers: new Headers(), body: Buffer.alloc(0) });
 * ```
 */
export type RawHandler = (request: RawRequest) => Promise<OutgoingResponse>;

type Headers1 = Dispatcher.DispatchOptions['headers'];

function headerPairs(headers: Headers1): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (headers == null) return out;
  if (Array.isArray(headers)) {
    const flat = headers as unknown[];
    if (flat.length > 0 && Array.isArray(flat[0])) {
      for (const pair of flat as Array<[string, string]>) out.push([String(pair[0]), String(pair[1])]);
    } else {
      for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), String(flat[i + 1])]);
    }
    return out;
  }
  const iterable = headers as Iterable<[string, string | string[] | undefined]>;
  const entries = typeof (iterable as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function' ? iterable : Object.entries(headers as Record<string, string | string[] | undefined>);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) out.push([name, String(item)]);
    else out.push([name, String(value)]);
  }
  return out;
}

async function bodyBytes(body: Dispatcher.DispatchOptions['body']): Promise<Buffer | undefined> {
  if (body == null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

interface LegacyHandler {
  onConnect?(abort: (err?: Error) => void, context?: unknown): void;
  onHeaders?(statusCode: number, headers: Buffer[], resume: () => void, statusText: string): boolean | void;
  onData?(chunk: Buffer): boolean | void;
  onComplete?(trailers: Buffer[] | null): void;
  onError?(err: Error): void;
}

interface ModernHandler {
  onRequestStart?(controller: unknown, context: unknown): void;
  onResponseStart?(controller: unknown, statusCode: number, headers: Record<string, string | string[]>, statusMessage?: string): void;
  onResponseData?(controller: unknown, chunk: Buffer): void;
  onResponseEnd?(controller: unknown, trailers: Record<string, string | string[]>): void;
  onResponseError?(controller: unknown, err: Error): void;
}

/**
 * The bridge. Each dispatched request becomes a Fetch `Request` for `handle`; the `Response`
 * is replayed to undici as if it came from a socket (status, raw headers, body chunks).
 * @example
 * ```ts
 * import { getResponse } from 'msw';
 * const dispatcher = new MswDispatcher((request) => getResponse(handlers, request));
 * const client = Builder.factory({ ...config, dispatcher });
 * ```
 */
export class MswDispatcher extends Dispatcher {
  readonly #handle: FetchHandler;
  readonly #raw: RawHandler | undefined;
  #closed = false;

  /**
   * @param handle answers a Fetch `Request`
   * @param raw when given, answers instead of `handle` without building Fetch objects (the emulator's fast path)
   */
  constructor(handle: FetchHandler, raw?: RawHandler) {
    super();
    this.#handle = handle;
    this.#raw = raw;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.#closed) throw new Error('MswDispatcher is closed');
    void this.#run(options, handler as unknown as LegacyHandler & ModernHandler);
    return true;
  }

  async #run(options: Dispatcher.DispatchOptions, handler: LegacyHandler & ModernHandler): Promise<void> {
    let aborted: Error | undefined;
    let paused = false;
    let resumeWaiter: (() => void) | undefined;
    const controller = {
      abort: (reason?: Error) => {
        aborted = reason ?? new Error('aborted');
      },
      pause: () => {
        paused = true;
      },
      resume: () => {
        paused = false;
        resumeWaiter?.();
      },
      get aborted() {
        return aborted !== undefined;
      },
      get paused() {
        return paused;
      },
      reason: null,
    };
    const modern = typeof handler.onRequestStart === 'function';
    const fail = (error: Error) => {
      if (modern) handler.onResponseError?.(controller, error);
      else handler.onError?.(error);
    };
    try {
      if (modern) handler.onRequestStart?.(controller, {});
      else handler.onConnect?.((reason) => controller.abort(reason), {});
      if (aborted) return fail(aborted);

      const origin = String(options.origin ?? 'http://localhost');
      const method = options.method;
      const body = method === 'GET' || method === 'HEAD' ? undefined : await bodyBytes(options.body);
      let status: number;
      let statusText: string;
      let headers: Headers;
      let chunks: AsyncIterable<Uint8Array> | Uint8Array[] | undefined;
      if (this.#raw) {
        const url = new URL(options.path, origin).href;
        const record: Record<string, string> = {};
        for (const [name, value] of headerPairs(options.headers)) addHeader(record, name, value);
        const outgoing = await this.#raw({ method, url, headers: record, body: body ?? Buffer.alloc(0) });
        ({ status, headers } = outgoing);
        statusText = '';
        chunks = outgoing.body.length > 0 ? [outgoing.body] : undefined;
      } else {
        const url = new URL(options.path, origin);
        const fetchHeaders = new Headers();
        for (const [name, value] of headerPairs(options.headers)) fetchHeaders.append(name, value);
        const request = new Request(url, { method, headers: fetchHeaders, body: body === undefined ? undefined : new Uint8Array(body) });
        const response = (await this.#handle(request)) ?? new Response(`no handler for ${method} ${url.pathname}`, { status: 501 });
        ({ status, statusText, headers } = response);
        chunks = response.body ? Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>) : undefined;
      }
      if (aborted) return fail(aborted);

      const raw: Buffer[] = [];
      const record: Record<string, string | string[]> = {};
      headers.forEach((value, name) => {
        raw.push(Buffer.from(name), Buffer.from(value));
        const prior = record[name];
        record[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
      });
      for (const cookie of headers.getSetCookie()) raw.push(Buffer.from('set-cookie'), Buffer.from(cookie));
      const waitIfPaused = () => (paused ? new Promise<void>((resolve) => (resumeWaiter = resolve)) : undefined);
      if (modern) {
        handler.onResponseStart?.(controller, status, record, statusText);
      } else if (handler.onHeaders?.(status, raw, () => controller.resume(), statusText) === false) {
        paused = true;
      }
      if (chunks) {
        for await (const chunk of chunks) {
          if (aborted) return fail(aborted);
          await waitIfPaused();
          const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          if (modern) handler.onResponseData?.(controller, buf);
          else if (handler.onData?.(buf) === false) paused = true;
        }
      }
      if (aborted) return fail(aborted);
      if (modern) handler.onResponseEnd?.(controller, {});
      else handler.onComplete?.([]);
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  override async close(): Promise<void> {
    this.#closed = true;
  }

  override async destroy(): Promise<void> {
    this.#closed = true;
  }
}
