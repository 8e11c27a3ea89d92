/**
 * Notifications to `notify_url`, over real HTTP, as WeChat Pay sends them: a POST of the JSON
 * envelope (lib/testing/notification.ts), signed with the platform key like an answer
 * (`Wechatpay-Timestamp/Nonce/Serial/Signature`, plus `Wechatpay-Signature-Type` and `Request-ID`,
 * the headers vendor/wechatpay-openapi/v3/webhooks.yaml lists), re-signed on every attempt.
 *
 * A webhook that answers no 2xx within the answer timeout (5 s) is tried again on the service's
 * schedule, {@link RETRY_SCHEDULE}, each wait multiplied by the sandbox's `timeScale`; the answer
 * timeout is not scaled. Every attempt is recorded ({@link Delivery}).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import type { Scheduler } from './scheduler.js';

/**
 * Milliseconds between attempts after a failed one: 15 s, 15 s, 30 s, 3 min, 10 min, 20 min,
 * 30 min, 30 min, 30 min, 60 min, 3 h, 3 h, 3 h, 6 h, 6 h (24 h 4 min in all), as the catalog's
 * webhooks page says (vendor/wechatpay-openapi/v3/webhooks.yaml: 通知频率为15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h - 总计 24h4m).
 * @example
 * ```ts
 * RETRY_SCHEDULE.length; // 15 retries after the first attempt
 * ```
 */
export const RETRY_SCHEDULE: readonly number[] = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10_800, 10_800, 10_800, 21_600, 21_600].map((s) => s * 1000);

/**
 * How long the service waits for a webhook's answer, in ms (not scaled by `timeScale`).
 * @example
 * ```ts
 * Emulator.create({ sandbox: { answerTimeout: ANSWER_TIMEOUT } }); // the default
 * ```
 */
export const ANSWER_TIMEOUT = 5_000;

/**
 * One delivery attempt, as `emulator.deliveries` and `GET {baseURL}_sandbox/deliveries` list it.
 * @example
 * ```ts
 * const failed = emulator.deliveries.filter((d: Delivery) => d.status !== 200);
 * ```
 */
export interface Delivery {
  /** The notification's `id` (the same on every attempt). */
  id: string;
  event_type: string;
  out_trade_no?: string;
  out_refund_no?: string;
  notify_url: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** When the attempt started (ISO 8601). */
  time: string;
  /** The HTTP status the webhook answered; `null` when it did not answer in time or could not be reached. */
  status: number | null;
  /** Why there was no answer. */
  error?: string;
  /** Milliseconds until the answer (or the failure). */
  duration_ms: number;
}

/**
 * A notification to deliver.
 * @example
 * ```ts
 * notifier.send({ event_type: 'TRANSACTION.SUCCESS', notify_url, body, keys: { out_trade_no: 'T1' }, id });
 * ```
 */
export interface Outgoing {
  id: string;
  event_type: string;
  notify_url: string;
  /** The envelope, JSON (the same bytes on every attempt). */
  body: string;
  keys: { out_trade_no?: string; out_refund_no?: string };
}

/**
 * What the notifier needs from the emulator.
 * @example
 * ```ts
 * const options: NotifierOptions = { signResponse: (body) => emulator.signResponse(body), scheduler: new Scheduler(), timeScale: 1, answerTimeout: ANSWER_TIMEOUT };
 * ```
 */
export interface NotifierOptions {
  signResponse(body: string): Record<string, string>;
  scheduler: Scheduler;
  timeScale: number;
  answerTimeout: number;
  /** Called with each attempt once it is recorded (the CLI logs them). */
  onDelivery?: (delivery: Delivery) => void;
}

const KEEP = 1000;

/**
 * Delivers notifications and keeps the record of attempts (the last 1 000).
 * @example
 * ```ts
 * const notifier = new Notifier({ signResponse: (body) => emulator.signResponse(body), scheduler, timeScale: 0.001, answerTimeout: 5000 });
 * ```
 */
export class Notifier {
  readonly #options: NotifierOptions;
  readonly #deliveries: Delivery[] = [];
  // no keep-alive (reset: true on each request): a webhook's socket never outlives its answer
  readonly #agent: Agent;

  constructor(options: NotifierOptions) {
    this.#options = options;
    this.#agent = new Agent({ connect: { timeout: options.answerTimeout }, headersTimeout: options.answerTimeout, bodyTimeout: options.answerTimeout });
  }

  /** Every attempt so far, oldest first (a copy). */
  get deliveries(): Delivery[] {
    return [...this.#deliveries];
  }

  /**
   * Delivers now, then on the retry schedule until a webhook answers 2xx.
   * @example
   * ```ts
   * notifier.send(outgoing);
   * ```
   */
  send(outgoing: Outgoing): void {
    this.#options.scheduler.run(() => this.#attempt(outgoing, 1));
  }

  /** Stops delivering: the attempts under way are aborted by the scheduler's signal. */
  async close(): Promise<void> {
    await this.#agent.destroy();
  }

  async #attempt(outgoing: Outgoing, attempt: number): Promise<void> {
    const { scheduler, answerTimeout } = this.#options;
    if (scheduler.closed) return;
    const started = Date.now();
    let status: number | null = null;
    let error: string | undefined;
    try {
      const res = await request(outgoing.notify_url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'request-id': randomUUID().replaceAll('-', ''),
          'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
          ...this.#options.signResponse(outgoing.body),
        },
        body: outgoing.body,
        dispatcher: this.#agent,
        reset: true,
        signal: AbortSignal.any([AbortSignal.timeout(answerTimeout), scheduler.signal]),
      });
      status = res.statusCode;
      await res.body.dump({ limit: 64 * 1024 });
    } catch (cause) {
      const problem = cause as { name?: string; code?: string; message?: string };
      error =
        problem.name === 'TimeoutError' || ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'].includes(problem.code ?? '')
          ? `no answer within ${answerTimeout} ms`
          : (problem.code ?? problem.message ?? String(cause));
    }
    if (scheduler.closed) return;
    const delivery: Delivery = {
      id: outgoing.id,
      event_type: outgoing.event_type,
      ...outgoing.keys,
      notify_url: outgoing.notify_url,
      attempt,
      time: new Date(started).toISOString(),
      status,
      ...(error === undefined ? {} : { error }),
      duration_ms: Date.now() - started,
    };
    this.#deliveries.push(delivery);
    if (this.#deliveries.length > KEEP) this.#deliveries.shift();
    this.#options.onDelivery?.(delivery);
    const wait = RETRY_SCHEDULE[attempt - 1];
    if ((status === null || status < 200 || status > 299) && wait !== undefined) {
      scheduler.after(wait * this.#options.timeScale, () => this.#attempt(outgoing, attempt + 1));
    }
  }
}
