/**
 * Backup-domain failover (双域名容灾), opt-in: requests for the default host go to the primary
 * (`baseURL`); when an attempt fails in a way that is safe to repeat elsewhere they go to the
 * backup, and stay there for `recoverAfter` ms before the primary is tried again.
 *
 * What fails over (the classification is retry's, {@link failureKind}): any method when nothing
 * was sent (refused, unresolved, connect timeout, TLS handshake); a GET, or a call whose own
 * `retry` vouches that it is safe to repeat, also on a timeout, a connection broken after sending
 * and a 5xx answer — once. A POST that may have reached the primary is not re-sent otherwise
 * (wechatpay-java re-sends on "unexpected end of stream": a double charge waiting to happen).
 * The step sits before `sign`, so the backup attempt is signed afresh and passes every user step.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { describeValue, isObject, milliseconds, nameForMessage } from '../validate.js';
import { DEFAULT_ORIGIN, parseBaseURL, type Target } from '../routing/hosts.js';
import type { Middleware, RequestContext } from './context.js';
import { failureKind, replayable, vouchedRepeatable } from './retry.js';

/**
 * What {@link FailoverOptions.onFailover} is told when the client switches to the backup.
 * @example
 * ```ts
 * const onFailover = ({ from, to, error }: FailoverEvent) => log.warn(`WeChat Pay: ${from} → ${to} (${error.name})`);
 * ```
 */
export interface FailoverEvent {
  /** The primary base URL actually used, e.g. `https://api.mch.weixin.qq.com/`. */
  from: string;
  /** The backup base URL actually used, e.g. `https://api2.mch.weixin.qq.com/`. */
  to: string;
  /** The failure that caused the switch. */
  error: Error;
}

/**
 * The `failover` object option.
 * @example
 * ```ts
 * Builder.factory({ ...config, failover: { backupURL: 'https://api2.mch.weixin.qq.com/', recoverAfter: 60_000, onFailover: console.warn } });
 * ```
 */
export interface FailoverOptions {
  /** The backup base URL (default `https://api2.mch.weixin.qq.com/`, mapped by `hosts` like any origin). */
  backupURL?: string;
  /** Milliseconds on the backup before the primary is tried again: any positive number up to 2^31−1, default 60 000. */
  recoverAfter?: number;
  /** Called on each switch to the backup; must not throw (a throw is logged and ignored). */
  onFailover?: (event: FailoverEvent) => void;
}

/**
 * The `failover` option: `true` for the defaults, an object, or `false` / absent for none.
 * @example
 * ```ts
 * Builder.factory({ ...config, failover: true });
 * ```
 */
export type FailoverOption = boolean | FailoverOptions;

/**
 * Default milliseconds on the backup before trying the primary again.
 * @example
 * ```ts
 * Builder.factory({ ...config, failover: { recoverAfter: DEFAULT_RECOVER_AFTER * 5 } });
 * ```
 */
export const DEFAULT_RECOVER_AFTER = 60_000;
const KEYS = new Set(['backupURL', 'recoverAfter', 'onFailover']);

/**
 * A validated failover policy.
 * @example
 * ```ts
 * const policy: ResolvedFailover = resolveFailover(true, targets)!;
 * ```
 */
export interface ResolvedFailover {
  primary: Target;
  backup: Target;
  recoverAfter: number;
  onFailover: ((event: FailoverEvent) => void) | undefined;
}

/**
 * Validates the `failover` option against the client's targets.
 * @param targets where each WeChat Pay origin goes (the default origin is the primary; with
 *   `failover: true`, the backup is where `https://api2.mch.weixin.qq.com` goes)
 * @throws {ArgumentError} field `failover`, `failover.backupURL`, `failover.recoverAfter` or `failover.onFailover`
 * @example
 * ```ts
 * resolveFailover(true, resolveHosts(undefined, undefined))?.backup; // { origin: 'https://api2.mch.weixin.qq.com', basePath: '' }
 * ```
 */
export function resolveFailover(option: unknown, targets: ReadonlyMap<string, Target>): ResolvedFailover | undefined {
  if (option === undefined || option === false) return undefined;
  const primary = targets.get(DEFAULT_ORIGIN) as Target;
  const backupOrigin = 'https://api2.mch.weixin.qq.com';
  if (option === true) return { primary, backup: targets.get(backupOrigin) ?? { origin: backupOrigin, basePath: '' }, recoverAfter: DEFAULT_RECOVER_AFTER, onFailover: undefined };
  if (!isObject(option)) {
    throw new ArgumentError(`failover: expected true, false or { backupURL, recoverAfter, onFailover }, got ${describeValue(option)}`, 'failover');
  }
  const unknown = Object.keys(option).filter((key) => !KEYS.has(key));
  if (unknown.length > 0) {
    throw new ArgumentError(`failover: unknown option ${unknown.map((k) => nameForMessage(k)).join(', ')}; expected backupURL, recoverAfter, onFailover`, 'failover');
  }
  const { backupURL, recoverAfter, onFailover } = option as Record<string, unknown>;
  const backup = backupURL === undefined ? (targets.get(backupOrigin) ?? { origin: backupOrigin, basePath: '' }) : parseBaseURL(backupURL, 'failover.backupURL');
  if (backup.origin === primary.origin && backup.basePath === primary.basePath) {
    throw new ArgumentError('failover.backupURL: is the primary (baseURL) itself; give the backup domain, e.g. https://api2.mch.weixin.qq.com/', 'failover.backupURL');
  }
  const recover = milliseconds(recoverAfter, 'failover.recoverAfter', DEFAULT_RECOVER_AFTER); // the one millisecond validator
  if (onFailover !== undefined && typeof onFailover !== 'function') throw new ArgumentError(`failover.onFailover: expected a function, got ${describeValue(onFailover)}`, 'failover.onFailover');
  return { primary, backup, recoverAfter: recover, onFailover: onFailover as ResolvedFailover['onFailover'] };
}

/**
 * Whether an attempt that failed with `error` is sent to the backup.
 * @example
 * ```ts
 * shouldFailOver(new NetworkError('refused', { transportCode: 'ECONNREFUSED' }), ctx); // true, any method
 * ```
 */
export function shouldFailOver(error: unknown, ctx: Pick<RequestContext, 'method' | 'options'>): boolean {
  const kind = failureKind(error);
  if (kind === 'unsent') return true;
  if (ctx.method !== 'GET' && !vouchedRepeatable(ctx)) return false;
  if (kind === 'maybe-sent') return true;
  return kind === 'answered' && (error as { status: number }).status >= 500;
}

function urlOf(target: Target): string {
  return `${target.origin}${target.basePath}/`;
}

/**
 * The failover step. `now` is the clock of the sticky period (ms).
 * @example
 * ```ts
 * pipeline.before('sign', failoverStep(policy, redactWhenPrinted, log), 'failover');
 * ```
 */
export function failoverStep(
  policy: ResolvedFailover,
  fork: (ctx: RequestContext) => RequestContext = (ctx) => ctx,
  log?: (line: string) => void,
  now: () => number = Date.now,
): Middleware {
  const { primary, backup, recoverAfter, onFailover } = policy;
  const from = urlOf(primary);
  const to = urlOf(backup);
  let backupUntil = -Infinity;

  return function failover(ctx, next) {
    // only requests for the default host, on their way to the primary, with a body that can be sent again
    if (ctx.documentedOrigin !== DEFAULT_ORIGIN || ctx.origin !== primary.origin || ctx.basePath !== primary.basePath || !replayable(ctx.body)) return next(ctx);
    // the attempt as it enters (later steps change headers, path and body in place)
    const entry: RequestContext = { ...ctx, headers: { ...ctx.headers } };
    const onBackup = (error: Error | undefined) =>
      next(
        fork({
          ...entry,
          origin: backup.origin,
          basePath: backup.basePath,
          path: backup.basePath + entry.path.slice(entry.basePath.length),
          headers: { ...entry.headers },
          failover: error === undefined ? { from, to } : { from, to, error },
        }),
      );
    if (now() < backupUntil) return onBackup(undefined);
    return next(ctx).catch((error: unknown) => {
      if (!shouldFailOver(error, entry)) throw error;
      backupUntil = now() + recoverAfter;
      const cause = error as Error;
      log?.(`failover: ${from} → ${to} for ${recoverAfter} ms after ${cause.name}: ${cause.message}`);
      try {
        onFailover?.({ from, to, error: cause });
      } catch (thrown) {
        log?.(`failover: onFailover threw ${(thrown as Error)?.name ?? 'a value'}; ignored`);
      }
      return onBackup(cause);
    });
  };
}
