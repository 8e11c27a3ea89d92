/**
 * An undici Dispatcher that records what the client hands it (origin, path and query exactly as
 * given, method, headers, body) and passes the request on to another dispatcher (the emulator's
 * in-process one), so nothing touches the network and the record is not normalized by a URL parser.
 */
import { Dispatcher } from 'undici';

export interface SentRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

function headersOf(headers: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === null || headers === undefined) return out;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
    return out;
  }
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) if (value !== undefined) out[name.toLowerCase()] = String(value);
  return out;
}

function bodyOf(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return '[stream]';
}

interface ModernHandler {
  onRequestStart?(controller: unknown, context: unknown): void;
  onResponseStart?(controller: unknown, status: number, headers: Record<string, string>, statusText: string): void;
  onResponseEnd?(controller: unknown, trailers: Record<string, string>): void;
}

/**
 * Records every dispatched request. With an `inner` dispatcher it passes the request on; without
 * one it answers 599 with no body at once (the client then fails the call, which a routing spec
 * ignores: what was sent is what it checks).
 */
export class RecordingDispatcher extends Dispatcher {
  readonly sent: SentRequest[];
  readonly #inner: Dispatcher | undefined;

  /** `sent` may be shared between recorders (the plain and the mutual-TLS dispatcher of one client). */
  constructor(inner?: Dispatcher, sent: SentRequest[] = []) {
    super();
    this.#inner = inner;
    this.sent = sent;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.sent.push({ origin: String(options.origin), path: options.path, method: options.method, headers: headersOf(options.headers), body: bodyOf(options.body) });
    if (this.#inner) return this.#inner.dispatch(options, handler);
    const modern = handler as unknown as ModernHandler;
    const controller = { abort() {}, pause() {}, resume() {}, aborted: false, paused: false, reason: null };
    queueMicrotask(() => {
      modern.onRequestStart?.(controller, {});
      modern.onResponseStart?.(controller, 599, {}, 'Recorded');
      modern.onResponseEnd?.(controller, {});
    });
    return true;
  }

  override async close(): Promise<void> {
    await this.#inner?.close();
  }

  override async destroy(): Promise<void> {
    await this.#inner?.destroy();
  }
}
