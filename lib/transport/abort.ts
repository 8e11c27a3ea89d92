/**
 * A one-shot abort switch for one attempt. undici accepts an EventEmitter as a request's
 * `signal` and reads its `aborted` and `reason`, so this does what an AbortController does there
 * without the EventTarget machinery an AbortController costs on every request.
 * @module
 */
import { EventEmitter } from 'node:events';

/**
 * Aborts an undici request: `abort(reason?)` with the same default reason as `AbortController`.
 * @example
 * ```ts
 * const abort = new Abort();
 * const timer = setTimeout(() => abort.abort(), ctx.timeout);
 * await dispatcher.request({ origin, path, method: 'GET', signal: abort });
 * ```
 */
export class Abort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}
