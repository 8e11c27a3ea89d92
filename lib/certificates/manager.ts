/**
 * An in-process platform certificate manager: downloads the certificates now, then again on a
 * schedule and ahead of expiry, and keeps `client.verifier` in step (new certificates added,
 * withdrawn or expired ones removed). A failed refresh changes nothing: the certificates already
 * known stay until they expire, and the next attempt comes sooner.
 * @module
 */
import type { WeChatPayClient } from '../client/builder.js';
import { ArgumentError } from '../errors.js';
import { MAX_TIMER_DELAY, milliseconds } from '../validate.js';
import { downloadCertificates, writeCertificates, type PlatformCertificate } from './download.js';

/**
 * Options of {@link CertificateManager.start}.
 * @example
 * ```ts
 * const options: CertificateManagerOptions = { apiv3Key, interval: 12 * 3600_000, onError: (e) => log.warn(e.message) };
 * ```
 */
export interface CertificateManagerOptions {
  /** The APIv3 key (32 bytes). */
  apiv3Key: string | Uint8Array;
  /** Milliseconds between refreshes (default 12 h). */
  interval?: number;
  /** Refresh this many ms before the earliest expiry (default 24 h), whatever the interval. */
  refreshBeforeExpiry?: number;
  /** Milliseconds before retrying after a failed refresh (default 5 min, never more than `interval`). */
  retryDelay?: number;
  /** Also write `wechatpay_<serial>.pem` files into this directory on each refresh. */
  output?: string;
  /** Called with each refresh failure (the manager keeps going). */
  onError?: (error: unknown) => void;
  /** Called with the certificates after each successful refresh. */
  onUpdate?: (certificates: readonly PlatformCertificate[]) => void;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** `refreshBeforeExpiry` only shifts a date (the timer is capped below), so it may exceed a timer's limit: up to a year. */
const MAX_LEAD = 366 * 86_400_000;

/**
 * Keeps a client's platform certificates current. Timers are unref'd (they never keep the
 * process alive); call `stop()` to end them.
 * @example
 * ```ts
 * const client = Builder.factory({ mchid, serial, privateKey });   // certs optional
 * const manager = await CertificateManager.start(client, { apiv3Key, onError: (e) => log.warn('certificate refresh failed', e) });
 * // … client verifies with the current platform certificates …
 * manager.stop();
 * ```
 */
export class CertificateManager {
  readonly #client: WeChatPayClient;
  readonly #options: CertificateManagerOptions;
  readonly #interval: number;
  readonly #before: number;
  readonly #retry: number;
  readonly #now: () => number;
  /** Certificates this manager put into the verifier (config `certs` are never touched). */
  readonly #managed = new Map<string, PlatformCertificate>();
  /** Serials the client had before the manager started: never removed by it. */
  readonly #configured: ReadonlySet<string>;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #inflight: Promise<readonly PlatformCertificate[]> | undefined;
  #nextAt: number | undefined;

  private constructor(client: WeChatPayClient, options: CertificateManagerOptions) {
    this.#client = client;
    this.#options = options;
    this.#interval = milliseconds(options.interval, 'interval', 12 * 3600_000);
    this.#before = milliseconds(options.refreshBeforeExpiry, 'refreshBeforeExpiry', 24 * 3600_000, { max: MAX_LEAD });
    this.#retry = Math.min(milliseconds(options.retryDelay, 'retryDelay', 5 * 60_000), this.#interval);
    this.#now = options.now ?? Date.now;
    this.#configured = new Set(client.verifier.serials());
  }

  /**
   * Downloads the certificates once (rejecting if that fails, e.g. with `PublicKeyModeError`),
   * feeds them to `client.verifier` and schedules the refreshes. Returns a Promise.
   * @example
   * ```ts
   * const manager = await CertificateManager.start(client, { apiv3Key, output: '/var/lib/wechatpay' });
   * ```
   */
  static async start(client: WeChatPayClient, options: CertificateManagerOptions): Promise<CertificateManager> {
    if (options === null || typeof options !== 'object') throw new ArgumentError('options: expected { apiv3Key }', 'options');
    const manager = new CertificateManager(client, options);
    await manager.refresh();
    return manager;
  }

  /** The certificates the manager holds, oldest expiry first. */
  certificates(): PlatformCertificate[] {
    return [...this.#managed.values()].sort((a, b) => a.expire.getTime() - b.expire.getTime());
  }

  /** When the next refresh is due (ms since the epoch), or undefined once stopped. */
  get nextRefreshAt(): number | undefined {
    return this.#stopped ? undefined : this.#nextAt;
  }

  /**
   * Refreshes now (concurrent calls share one download). Rejects when the download fails; the
   * certificates already held stay in place. Returns a Promise.
   * @example
   * ```ts
   * await manager.refresh();
   * ```
   */
  refresh(): Promise<readonly PlatformCertificate[]> {
    this.#inflight ??= this.#refresh().finally(() => (this.#inflight = undefined));
    return this.#inflight;
  }

  /** Stops the timers. The verifier keeps the certificates it has. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #refresh(): Promise<readonly PlatformCertificate[]> {
    try {
      const downloaded = await downloadCertificates(this.#client, { apiv3Key: this.#options.apiv3Key });
      const now = this.#now();
      const current = downloaded.filter((certificate) => certificate.expire.getTime() > now);
      const verifier = this.#client.verifier;
      const listed = new Set(current.map((certificate) => certificate.serial));
      // withdrawn (no longer listed) certificates go; config certs are not ours to remove
      for (const serial of this.#managed.keys()) {
        if (!listed.has(serial)) {
          if (!this.#configured.has(serial)) verifier.delete(serial);
          this.#managed.delete(serial);
        }
      }
      for (const certificate of current) {
        verifier.set(certificate.serial, certificate.pem);
        this.#managed.set(certificate.serial, certificate);
      }
      if (this.#options.output !== undefined) await writeCertificates(current, this.#options.output);
      this.#schedule(false);
      this.#options.onUpdate?.(this.certificates());
      return this.certificates();
    } catch (error) {
      this.#prune();
      this.#schedule(true);
      throw error;
    }
  }

  /** Removes certificates that have expired (after a failed refresh, old ones stay until then). */
  #prune(): void {
    const now = this.#now();
    for (const [serial, certificate] of this.#managed) {
      if (certificate.expire.getTime() <= now) {
        if (!this.#configured.has(serial)) this.#client.verifier.delete(serial);
        this.#managed.delete(serial);
      }
    }
  }

  #schedule(failed: boolean): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    const now = this.#now();
    let delay = failed ? this.#retry : this.#interval;
    for (const certificate of this.#managed.values()) {
      const expire = certificate.expire.getTime();
      const early = expire - this.#before - now;
      // refresh ahead of expiry, but no more often than the retry delay while WeChat Pay has nothing newer
      if (early > 0) delay = Math.min(delay, early);
      else delay = Math.min(delay, Math.max(this.#retry, 0));
      if (expire > now) delay = Math.min(delay, expire - now); // and drop it when it expires
    }
    delay = Math.max(1, Math.min(delay, MAX_TIMER_DELAY));
    this.#nextAt = now + delay;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#prune();
      this.refresh().catch((error: unknown) => this.#options.onError?.(error));
    }, delay);
    this.#timer.unref();
  }
}
