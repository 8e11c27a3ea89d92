/**
 * A debug log of every attempt: `NODE_DEBUG=wechatpay node app.js`, or the client option
 * `debug: true` (stderr) / `debug: (line) => logger.debug(line)`. Lines carry method, URL,
 * attempt, status, timing and redacted headers — never an `Authorization` value or a body.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { redactHeaders } from '../redact.js';
import { printable } from '../printable.js';
import type { Middleware } from './context.js';
import { nodeUtil } from '../lazy.js';

const { debuglog, inspect } = nodeUtil;

/**
 * Where debug lines go: `true` for stderr, a function for your logger.
 * @example
 * ```ts
 * Builder.factory({ ...config, debug: (line) => logger.debug(line) });
 * ```
 */
export type DebugOption = boolean | ((line: string) => void);

/**
 * The sink for a `debug` option, or `undefined` when nothing should be logged (NODE_DEBUG
 * containing `wechatpay` turns it on without the option).
 * @example
 * ```ts
 * const log = debugSink(true); // writes to stderr
 * ```
 */
export function debugSink(option: unknown): ((line: string) => void) | undefined {
  if (typeof option === 'function') return option as (line: string) => void;
  if (option === true) return (line) => process.stderr.write(`wechatpay ${process.pid}: ${line}\n`);
  if (option !== undefined && option !== false) throw new ArgumentError('debug: expected true, false or a function (line: string) => void', 'debug');
  const log = debuglog('wechatpay');
  return log.enabled ? (line) => log('%s', line) : undefined;
}

/**
 * The debug step (innermost, next to the transport, so it sees each attempt as sent).
 * @example
 * ```ts
 * Builder.factory({ ...config, debug: (line) => console.error(line) }); // installs debugStep inside verify
 * ```
 */
export function debugStep(sink: (line: string) => void): Middleware {
  // a line holds server text (Request-ID, error messages): escaped, so it cannot forge a line or drive a terminal
  const log = (line: string) => sink(printable(line, Infinity));
  return async function debug(ctx, next) {
    const url = `${ctx.origin}${ctx.prefix}${ctx.path}`;
    const headers = redactHeaders(ctx.headers);
    log(`→ ${ctx.method} ${url} attempt=${ctx.attempt}${ctx.failover ? ' failover=backup' : ''} headers=${inspect(headers, { breakLength: Infinity })}`);
    const started = performance.now();
    try {
      const res = await next(ctx);
      log(`← ${res.status} ${ctx.method} ${url} in ${Math.round(performance.now() - started)} ms request-id=${String(res.headers['request-id'] ?? '-')}`);
      return res;
    } catch (error) {
      const e = error as Error;
      log(`✗ ${ctx.method} ${url} in ${Math.round(performance.now() - started)} ms: ${e.name}: ${e.message}`);
      throw error;
    }
  };
}
