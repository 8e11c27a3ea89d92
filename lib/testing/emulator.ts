/**
 * A WeChat Pay stand-in for tests — ours and our users'. It generates merchant and platform keys
 * (shared by the emulators of a process, lib/testing/keys.ts), checks every request's
 * `Authorization` like the real service (401 `SIGN_ERROR` otherwise), answers from msw request
 * handlers (msw, an optional peer, loaded on first use through lib/lazy.ts) and signs each answer
 * with the platform key. Between tests: `resetHandlers()` (msw's), `reset()` (the state).
 *
 * Reach it in process through {@link Emulator.dispatcher} (an undici Dispatcher, no socket) or
 * over a real loopback socket with {@link Emulator.listen}.
 * @module
 */
import { randomUUID, sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from 'msw';
import { msw } from '../lazy.js';
import type { ClientConfig } from '../client/config.js';
import type { KeyLike } from '../crypto/keys.js';
import { DEFAULT_ORIGIN, KNOWN_ORIGINS } from '../routing/hosts.js';
import { nonce as makeNonce, request as requestMessage } from '../formatter.js';
import { MswDispatcher } from './msw-dispatcher.js';
import { addHeader, fromFetchRequest, fromFetchResponse, jsonResponse, toFetchRequest, toFetchResponse, type OutgoingResponse, type RawRequest } from './exchange.js';
import { seedHandlers } from './handlers.js';
import { createCertificate, randomSerial, type CertificateOptions, type IssuedCertificate } from './certificates.js';
import { platformHandlers } from './platform-handlers.js';
import { handleApiV2, isApiV2Path } from './v2.js';
import { apiV2Handlers } from './v2-handlers.js';
import { Sandbox, type SandboxOptions } from './sandbox/sandbox.js';
import type { Delivery } from './sandbox/notifier.js';
import { ArgumentError } from '../errors.js';
import { emulatorKeys, modulusLength, type GeneratedKeyPair } from './keys.js';

export { generateKeyPair, type GeneratedKeyPair } from './keys.js';

/**
 * Header a handler sets to have its answer sent without a signature (file downloads).
 * @example
 * ```ts
 * http.get('https://api.mch.weixin.qq.com/v3/billdownload/file', () => new HttpResponse('bill', { headers: { [UNSIGNED]: '1' } }));
 * ```
 */
export const UNSIGNED = 'x-emulator-unsigned';

/**
 * One request as the emulator saw it (`emulator.requests`, oldest first).
 * @example
 * ```ts
 * const last: RecordedRequest | undefined = emulator.requests.at(-1);
 * expect(last).toMatchObject({ method: 'POST', path: '/v3/pay/transactions/native', verified: true });
 * ```
 */
export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Whether its Authorization verified. */
  verified: boolean;
}

export type { OutgoingResponse } from './exchange.js';

/**
 * Options of {@link Emulator.create}.
 *
 * Answering like a misconfigured setup (what `wxpay doctor --online` is tested against):
 * - a clock off by minutes: `now` (the `Date` and `Wechatpay-Timestamp` of every answer, and the
 *   ±300 s window the request's timestamp must fall in);
 * - public-key mode (the default: answers signed with `PUB_KEY_ID_…`, `GET /v3/certificates` is
 *   404 `RESOURCE_NOT_EXISTS`) or certificate mode ({@link Emulator.addPlatformCertificate});
 *   a rotation announced but not yet used: `addPlatformCertificate({ sign: false })`;
 * - another platform key or serial than the client's `certs`: {@link Emulator.signWith}, or a
 *   client configured with another emulator's `certs`;
 * - 401 `SIGN_ERROR` for a request whose signature does not verify with the merchant
 *   certificate ({@link Emulator.merchantCertificate}), names another serial or mchid, or has a
 *   timestamp outside the window — always on;
 * - any other answer: an msw handler in `handlers` or {@link Emulator.use}.
 * @example
 * ```ts
 * const emulator = Emulator.create({ mchid: '1900000109', handlers: [http.post('*\/v3/pay/transactions/native', () => HttpResponse.json({ code_url: 'weixin://…' }))] });
 * const skewed = Emulator.create({ now: () => Date.now() + 10 * 60_000 }); // its clock 10 minutes ahead
 * ```
 */
export interface EmulatorOptions {
  mchid?: string;
  /** Extra msw handlers, consulted before the built-in ones. */
  handlers?: RequestHandler[];
  /**
   * The emulator's clock in ms: it stamps each answer's `Date` and `Wechatpay-Timestamp` and
   * bounds the request timestamps it accepts (±300 s). Skew it for clock and stale-timestamp tests.
   */
  now?: () => number;
  /**
   * RSA modulus length of generated keys (2048, as WeChat Pay uses; an integer from 1024 to 16384).
   * The emulators of one process share their generated keys per modulus length (see `freshKeys`).
   */
  modulusLength?: number;
  /**
   * New merchant and platform keys for this emulator. By default the emulators of one process
   * share one generated merchant key pair and one platform key pair (per `modulusLength`):
   * generating them costs about 0.5 s, reusing them about nothing. Each emulator still has its
   * own serials (`merchant.serial`, `PUB_KEY_ID_…`), handlers, requests and sandbox, so a client
   * built for one is refused by another (401 `SIGN_ERROR`, the serial). Ask for fresh keys when a
   * test needs two emulators whose keys differ, e.g. a client trusting the wrong platform key.
   */
  freshKeys?: boolean;
  /**
   * The merchant's private key (any form the client's `privateKey` takes: PEM, `file://` URL,
   * KeyObject…) instead of a generated one, e.g. a fixture shared with another service under test.
   */
  merchantKey?: KeyLike;
  /** The platform private key (public-key mode, `PUB_KEY_ID_…`) instead of a generated one. */
  platformKey?: KeyLike;
  /** The merchant's APIv3 key (32 bytes) used to encrypt certificates and notifications; generated by default. */
  apiv3Key?: string;
  /** The APIv2 key the emulator checks and signs with (random 32 characters by default). */
  secret?: string;
  /**
   * Sandbox mode (`true` or options): orders, payments, refunds and notifications to `notify_url`
   * kept in memory and answered like the service (see docs/guides/sandbox.md). Off by default:
   * the emulator then answers only what its handlers say.
   */
  sandbox?: boolean | SandboxOptions;
}

/** A copy of a list of handlers, refusing an array among them (a handler list not spread). */
function handlerList(handlers: readonly RequestHandler[], where: string): RequestHandler[] {
  if (!Array.isArray(handlers)) throw new ArgumentError(`${where}: expected an array of msw handlers`, 'handlers');
  if (handlers.some((handler) => Array.isArray(handler))) throw new ArgumentError(`${where}: expected msw handlers, got an array among them (spread it: ...handlers)`, 'handlers');
  return [...handlers];
}

const AUTH = /^WECHATPAY2-SHA256-RSA2048 (.+)$/;
const PAIR = /(\w+)="([^"]*)"/g;
const NEWLINE = Buffer.from('\n');

/** The body a request's signature covers: multipart uploads sign their `meta` part. */
function signedBody(contentType: string, body: Buffer): string {
  const boundary = /multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary) {
    const text = body.toString('latin1');
    const start = text.indexOf('name="meta"');
    if (start !== -1) {
      const from = text.indexOf('\r\n\r\n', start) + 4;
      const to = text.indexOf(`\r\n--${boundary}`, from);
      return Buffer.from(text.slice(from, to), 'latin1').toString('utf8');
    }
  }
  return body.toString('utf8');
}

/**
 * The emulator.
 * @example
 * ```ts
 * import { Emulator } from 'wechatpay-chain/testing';
 * const emulator = Emulator.create();
 * const client = Builder.factory(emulator.clientConfig());          // in process
 * const { baseURL, close } = await emulator.listen();               // or over loopback
 * const viaSocket = Builder.factory(emulator.clientConfig({ baseURL }));
 * ```
 */
export class Emulator {
  /** The merchant the emulator expects (its keys are generated; hand them to the client). */
  readonly merchant: GeneratedKeyPair & { mchid: string; serial: string };
  /** The platform key that signs answers, in public-key mode (`PUB_KEY_ID_…`). */
  readonly platform: GeneratedKeyPair & { serial: string };
  /** The APIv2 key (APIv2 requests are checked and answers signed with it). */
  readonly secret: string;
  /** Every request seen, oldest first (bounded to the last 1 000). */
  readonly requests: RecordedRequest[] = [];
  /** The merchant's APIv3 key, shared with the client side (webhooks, certificate download). */
  readonly apiv3Key: string;
  /** Platform certificates served by `GET /v3/certificates`; none in public-key mode (404 RESOURCE_NOT_EXISTS). */
  readonly platformCertificates: IssuedCertificate[] = [];
  #signer: { serial: string; privateKey: KeyObject };
  /** The handlers given at creation (or to `resetHandlers(...next)`): what `resetHandlers()` goes back to. */
  #initialHandlers: RequestHandler[];
  /** Those and the handlers `use()` added, consulted first. */
  #userHandlers: RequestHandler[];
  /** The built-in msw handlers, consulted last (new ones, with fresh records, on `reset()`). */
  #builtinHandlers: RequestHandler[];
  readonly #now: () => number;
  /** The sandbox, in sandbox mode (`Emulator.create({ sandbox: true })`). */
  readonly sandbox: Sandbox | undefined;
  #tamper: ((response: OutgoingResponse) => void) | undefined;
  #servers = new Set<Server>();

  private constructor(options: EmulatorOptions) {
    const keys = emulatorKeys(modulusLength(options.modulusLength), { fresh: options.freshKeys === true, merchantKey: options.merchantKey, platformKey: options.platformKey });
    // a serial a certificate can carry as is (see randomSerial), so merchantCertificate() can certify it
    this.merchant = { ...keys.merchant, mchid: options.mchid ?? '1900000109', serial: randomSerial() };
    this.platform = { ...keys.platform, serial: `PUB_KEY_ID_0${String(Date.now()).padStart(16, '0')}${String(Math.floor(Math.random() * 1e10)).padStart(11, '0')}` };
    this.#now = options.now ?? Date.now;
    this.apiv3Key = options.apiv3Key ?? makeNonce(32);
    this.secret = options.secret ?? makeNonce(32);
    this.#signer = this.platform;
    this.#initialHandlers = handlerList(options.handlers ?? [], 'handlers');
    this.#userHandlers = [...this.#initialHandlers];
    this.#builtinHandlers = this.#builtins();
    if (options.sandbox !== undefined && options.sandbox !== false) {
      const host = { mchid: this.merchant.mchid, apiv3Key: this.apiv3Key, now: () => this.#now(), signResponse: (body: string) => this.signResponse(body) };
      this.sandbox = new Sandbox(host, options.sandbox === true ? {} : options.sandbox);
    }
  }

  #requireSandbox(what: string): Sandbox {
    if (!this.sandbox) throw new ArgumentError(`${what} needs sandbox mode: Emulator.create({ sandbox: true })`, 'sandbox');
    return this.sandbox;
  }

  /**
   * Sandbox mode: the payer pays the order `out_trade_no` (its state becomes SUCCESS with a
   * `transaction_id`), and `TRANSACTION.SUCCESS` is delivered to its `notify_url` over HTTP.
   * Returns the order as the query answers it.
   * @throws {SandboxError} `ORDER_NOT_EXIST`, `ORDERPAID`, `ORDERCLOSED`; {@link ArgumentError} outside sandbox mode
   * @example
   * ```ts
   * const emulator = Emulator.create({ sandbox: { timeScale: 0.001 } });
   * // … the client places a native order T1 …
   * emulator.pay('T1', { payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } });
   * ```
   */
  pay(out_trade_no: string, options: { payer?: { openid?: string } } = {}): Record<string, unknown> {
    return this.#requireSandbox('emulator.pay()').pay(out_trade_no, options.payer ?? {});
  }

  /**
   * Sandbox mode: ends a PROCESSING refund now, SUCCESS (the default) or ABNORMAL, and delivers
   * `REFUND.SUCCESS` / `REFUND.ABNORMAL`. Refunds end by themselves (SUCCESS) after the refund delay.
   * @throws {SandboxError} `RESOURCE_NOT_EXISTS`, `INVALID_REQUEST`; {@link ArgumentError} outside sandbox mode
   * @example
   * ```ts
   * emulator.settleRefund('R1', 'ABNORMAL');
   * ```
   */
  settleRefund(out_refund_no: string, status: 'SUCCESS' | 'ABNORMAL' = 'SUCCESS'): Record<string, unknown> {
    return this.#requireSandbox('emulator.settleRefund()').settleRefund(out_refund_no, status);
  }

  /**
   * Sandbox mode: every notification delivery attempt, oldest first (empty outside sandbox mode).
   * @example
   * ```ts
   * emulator.deliveries.map((d) => `${d.event_type} #${d.attempt} → ${d.status}`);
   * ```
   */
  get deliveries(): Delivery[] {
    return this.sandbox?.deliveries ?? [];
  }

  /**
   * Switches to certificate mode (or adds a certificate for a rotation): issues a platform
   * certificate served by `GET /v3/certificates` and, unless `sign: false`, signs answers with it from now on.
   * @example
   * ```ts
   * const certificate = await emulator.addPlatformCertificate();
   * const client = Builder.factory(emulator.clientConfig({ certs: { [certificate.serial]: certificate.certificatePem } }));
   * ```
   */
  async addPlatformCertificate(options: Partial<CertificateOptions> & { sign?: boolean } = {}): Promise<IssuedCertificate> {
    const { sign = true, ...rest } = options;
    const certificate = await createCertificate({ commonName: 'Tenpay.com Root CA', subjectSuffix: 'O=Tenpay.com,OU=Tenpay.com CA Center', ...rest });
    this.platformCertificates.push(certificate);
    if (sign) this.#signer = certificate;
    return certificate;
  }

  /**
   * Issues a merchant API certificate (商户API证书, `apiclient_cert.pem`) for the merchant key,
   * under the merchant serial and with the mchid as common name; a new one on each call, so
   * options can make it expired or about to expire.
   * @example
   * ```ts
   * const { certificatePem } = await emulator.merchantCertificate();
   * const report = await diagnose(emulator.clientConfig(), { merchantCertificate: certificatePem });
   * ```
   */
  merchantCertificate(options: Partial<Omit<CertificateOptions, 'privateKey' | 'serial'>> = {}): Promise<IssuedCertificate> {
    return createCertificate({ commonName: this.merchant.mchid, subjectSuffix: 'O=WeChat Pay Emulator,OU=Merchant', ...options, serial: this.merchant.serial, privateKey: this.merchant.privateKey });
  }

  /**
   * Signs answers with the platform key of `serial` (the public key, or a platform certificate).
   * @example
   * ```ts
   * emulator.signWith(emulator.platform.serial); // back to public-key mode signatures
   * ```
   */
  signWith(serial: string): this {
    const key = this.platformPrivateKey(serial);
    if (key === undefined) throw new Error(`the emulator has no platform key ${serial}`);
    this.#signer = { serial, privateKey: key };
    return this;
  }

  /** The serial (or `PUB_KEY_ID_…`) that signs answers now. */
  get signingSerial(): string {
    return this.#signer.serial;
  }

  /**
   * The platform private key for a serial (public key or certificate), to decrypt sensitive fields.
   * @example
   * ```ts
   * privateDecrypt({ key: emulator.platformPrivateKey(serial)!, oaepHash: 'sha1' }, ciphertext);
   * ```
   */
  platformPrivateKey(serial: string): KeyObject | undefined {
    if (serial === this.platform.serial) return this.platform.privateKey;
    return this.platformCertificates.find((certificate) => certificate.serial === serial)?.privateKey;
  }

  /**
   * Creates an emulator. **The emulators of one process share their generated keys** (one
   * merchant pair and one platform pair per `modulusLength`): the first `create()` generates
   * them (about 0.5 s), the next ones take milliseconds. Every emulator has its own serials,
   * handlers, requests and sandbox. `freshKeys: true` generates new keys for this one;
   * `merchantKey` / `platformKey` use yours.
   * Needs the optional peer `msw` (2.x).
   * @throws {MissingPeerError} when msw is not installed
   * @throws {ArgumentError} for an option out of range (`modulusLength`, a key, `sandbox`)
   * @example
   * ```ts
   * const emulator = Emulator.create({ mchid: '1900000109' });
   * const other = Emulator.create({ freshKeys: true }); // keys no other emulator has
   * ```
   */
  static create(options: EmulatorOptions = {}): Emulator {
    return new Emulator(options);
  }

  #builtins(): RequestHandler[] {
    return [...seedHandlers(), ...platformHandlers(this), ...apiV2Handlers()];
  }

  /** The msw handlers consulted, user ones first. */
  get handlers(): readonly RequestHandler[] {
    return [...this.#userHandlers, ...this.#builtinHandlers];
  }

  /**
   * Adds msw handlers in front of the existing ones.
   * @example
   * ```ts
   * emulator.use(http.get('*\/v3/pay/transactions/id/:id', ({ params }) => HttpResponse.json({ transaction_id: params.id, trade_state: 'SUCCESS' })));
   * ```
   */
  use(...handlers: RequestHandler[]): this {
    this.#userHandlers.unshift(...handlerList(handlers, 'use()'));
    return this;
  }

  /**
   * Goes back to the handlers given at creation, as msw's `server.resetHandlers()`: drops the
   * handlers {@link use} added and a pending {@link tamperNext}. Given handlers, they replace
   * those given at creation (for later resets too), as msw's do. Nothing else changes: the
   * request log, the sandbox's orders, the signing key stay — {@link reset} is for the state.
   * @example
   * ```ts
   * afterEach(() => emulator.resetHandlers());
   * ```
   */
  resetHandlers(...next: RequestHandler[]): this {
    const replacements = handlerList(next, 'resetHandlers()');
    // what msw does for the handlers it drops: a generator resolver starts again next time
    for (const handler of this.#userHandlers) (handler as unknown as { reset?: () => void }).reset?.();
    if (replacements.length > 0) this.#initialHandlers = replacements;
    this.#userHandlers = [...this.#initialHandlers];
    this.#tamper = undefined;
    return this;
  }

  /**
   * Between tests: {@link resetHandlers}, the request log emptied, the built-in handlers' records
   * restarted (seed refund ids, APIv2 orders) and, in sandbox mode, the orders, refunds,
   * deliveries and pending timers dropped (deliveries under way are aborted). The keys, serials,
   * signing key, platform certificates and loopback servers stay, so clients built from
   * {@link clientConfig} keep working. Resolves once the sandbox's old work has stopped.
   * @example
   * ```ts
   * afterEach(() => emulator.reset());
   * ```
   */
  async reset(): Promise<void> {
    this.resetHandlers();
    this.requests.length = 0;
    this.#builtinHandlers = this.#builtins();
    await this.sandbox?.reset();
  }

  /**
   * Changes the next signed response before it is sent (a forged body, a stale timestamp…).
   * One-shot: it applies to one response, then is cleared.
   * @example
   * ```ts
   * emulator.tamperNext((res) => { res.body = Buffer.from('{"forged":true}'); });
   * ```
   */
  tamperNext(change: (response: OutgoingResponse) => void): this {
    this.#tamper = change;
    return this;
  }

  /**
   * Client options that talk to this emulator: in process (its dispatcher answers every WeChat Pay
   * origin, and `hosts` maps each origin to itself), or, given the `baseURL` of {@link listen},
   * over loopback with every origin mapped there. Your own `hosts` entries win.
   * @example
   * ```ts
   * const client = Builder.factory(emulator.clientConfig({ timeout: 1000 }));
   * ```
   */
  clientConfig(overrides: Partial<ClientConfig> = {}): ClientConfig {
    const { hosts: own, ...rest } = overrides;
    const to = overrides.baseURL;
    // the default origin is baseURL's to map (giving both is refused)
    const hosts = Object.fromEntries(KNOWN_ORIGINS.filter((origin) => origin !== DEFAULT_ORIGIN).map((origin) => [origin, to ?? `${origin}/`]));
    return {
      mchid: this.merchant.mchid,
      serial: this.merchant.serial,
      privateKey: this.merchant.privateKeyPem,
      certs: { [this.platform.serial]: this.platform.publicKeyPem },
      secret: this.secret,
      // APIv2 `security: true` requests reach the emulator in process, as if over mutual TLS
      securityDispatcher: this.dispatcher({ secure: true }),
      ...(to === undefined ? { dispatcher: this.dispatcher() } : {}),
      ...rest,
      hosts: { ...hosts, ...own },
    };
  }

  /**
   * An undici Dispatcher answering from this emulator in process (no socket).
   * @example
   * ```ts
   * Builder.factory({ ...config, dispatcher: emulator.dispatcher() });
   * ```
   */
  dispatcher(options: { secure?: boolean } = {}): MswDispatcher {
    const secure = options.secure === true;
    return new MswDispatcher(
      (request) => this.handle(request, secure),
      (raw) => this.#answer(raw, secure),
    );
  }

  /**
   * Serves the emulator on a loopback port (127.0.0.1, random port).
   * @example
   * ```ts
   * const { baseURL, close } = await emulator.listen();
   * try { … } finally { await close(); }
   * ```
   */
  async listen(options: { port?: number } = {}): Promise<{ baseURL: string; port: number; close: () => Promise<void> }> {
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ArgumentError('port: must be an integer from 0 to 65535 (0: any free port)', 'port');
    const server = createServer((req, res) => void this.#serve(req, res));
    // more than undici's 2 s keepAliveTimeoutThreshold: a 1 s hint made the client drop every connection after one answer
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#servers.add(server);
    const { port: bound } = server.address() as AddressInfo;
    return {
      baseURL: `http://127.0.0.1:${bound}/`,
      port: bound,
      close: () =>
        new Promise<void>((resolve) => {
          this.#servers.delete(server);
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  /** Stops every loopback server this emulator started, and the sandbox's timers and deliveries. */
  async close(): Promise<void> {
    await this.sandbox?.close();
    await Promise.all(
      [...this.#servers].map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
    this.#servers.clear();
  }

  /**
   * Signs a response body as WeChat Pay would: returns the four `Wechatpay-*` headers.
   * @example
   * ```ts
   * const headers = emulator.signResponse('{"ok":true}');
   * ```
   */
  signResponse(body: Buffer | string, timestamp = Math.floor(this.#now() / 1000), nonce = makeNonce()): Record<string, string> {
    return this.#signed(timestamp, nonce, rsaSign('sha256', this.#signedMessage(body, timestamp, nonce), this.#signer.privateKey));
  }

  /** {@link signResponse} on libuv's thread pool: the answers of a busy emulator sign on both cores. */
  #signResponseAsync(body: Buffer): Promise<Record<string, string>> {
    const timestamp = Math.floor(this.#now() / 1000);
    const nonce = makeNonce();
    const { serial, privateKey } = this.#signer;
    return new Promise((resolve, reject) => {
      rsaSign('sha256', this.#signedMessage(body, timestamp, nonce), privateKey, (error, signature) =>
        error ? reject(error) : resolve(this.#signed(timestamp, nonce, signature, serial)),
      );
    });
  }

  #signedMessage(body: Buffer | string, timestamp: number, nonce: string): Buffer {
    return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), typeof body === 'string' ? Buffer.from(body) : body, NEWLINE]);
  }

  #signed(timestamp: number, nonce: string, signature: Buffer, serial = this.#signer.serial): Record<string, string> {
    return { 'wechatpay-timestamp': String(timestamp), 'wechatpay-nonce': nonce, 'wechatpay-serial': serial, 'wechatpay-signature': signature.toString('base64') };
  }

  /**
   * The body a request's signature covers. Multipart uploads sign their `meta` part.
   * @example
   * ```ts
   * emulator.signedBodyOf(request, bytes);
   * ```
   */
  signedBodyOf(headers: Headers, body: Buffer): string {
    return signedBody(headers.get('content-type') ?? '', body);
  }

  /** Checks a request's Authorization; returns an error message or undefined. */
  #checkAuthorization(method: string, path: string, header: string | undefined, signedBody: string): string | undefined {
    if (!header) return 'Authorization header is missing';
    const match = AUTH.exec(header);
    if (!match) return 'Authorization scheme must be WECHATPAY2-SHA256-RSA2048';
    const fields: Record<string, string> = {};
    for (const [, key, value] of (match[1] as string).matchAll(PAIR)) fields[key as string] = value as string;
    if (fields.mchid !== this.merchant.mchid) return `mchid ${fields.mchid ?? '(none)'} is not this merchant`;
    if (fields.serial_no !== this.merchant.serial) return 'serial_no is not the merchant certificate serial';
    if (!/^[0-9A-Za-z]{1,32}$/.test(fields.nonce_str ?? '')) return 'nonce_str must be 1-32 letters or digits';
    const ts = Number(fields.timestamp);
    if (!Number.isInteger(ts) || Math.abs(this.#now() / 1000 - ts) > 300) return 'timestamp is outside the 300 s window';
    const message = requestMessage(method, path, fields.timestamp ?? '', fields.nonce_str ?? '', signedBody);
    const ok = rsaVerify('sha256', Buffer.from(message), this.merchant.publicKey, Buffer.from(fields.signature ?? '', 'base64'));
    return ok ? undefined : 'signature does not verify with the merchant certificate';
  }

  /**
   * Handles one Fetch request end to end: authorization check, handlers, signature.
   * @example
   * ```ts
   * const response = await emulator.handle(new Request('http://x/v3/certificates', { headers: { authorization } }));
   * ```
   */
  async handle(request: Request, secure = false): Promise<Response> {
    return toFetchResponse(await this.#answer(await fromFetchRequest(request), secure));
  }

  #record(method: string, path: string, headers: Record<string, string>, body: string, verified: boolean): void {
    this.requests.push({ method, path, headers, body, verified });
    if (this.requests.length > 1000) this.requests.shift();
  }

  /** The core every transport shares: authorization check, handlers, signature, tampering. */
  async #answer(raw: RawRequest, secure: boolean): Promise<OutgoingResponse> {
    const url = new URL(raw.url);
    const path = url.pathname + url.search;
    const signed = raw.headers.authorization !== undefined;
    // the sandbox's control endpoints take unsigned calls (from any language); a signed one is checked
    const control = this.sandbox?.isControl(url.pathname) === true;
    // APIv2 requests carry no Authorization (their sign is in the XML body)
    if (!control && isApiV2Path(url.pathname) && !signed) return this.#answerV2(raw, path, secure);
    const problem = control && !signed ? undefined : this.#checkAuthorization(raw.method, path, raw.headers.authorization, signedBody(raw.headers['content-type'] ?? '', raw.body));
    this.#record(raw.method, path, raw.headers, raw.body.toString('utf8'), signed && problem === undefined);

    const outgoing = problem
      ? jsonResponse(401, { code: 'SIGN_ERROR', message: `签名错误: ${problem}` })
      : ((await this.#fromHandlers(this.#userHandlers, raw)) ??
        this.sandbox?.answer(raw, url) ??
        (await this.#fromHandlers(this.#builtinHandlers, raw)) ??
        jsonResponse(404, { code: 'NOT_FOUND', message: `the emulator has no handler for ${raw.method} ${url.pathname}` }));
    outgoing.headers.set('request-id', randomUUID().replaceAll('-', ''));
    // the emulator's own clock, as the service's Date would be (node:http would stamp the real one)
    if (!outgoing.headers.has('date')) outgoing.headers.set('date', new Date(this.#now()).toUTCString());
    if (outgoing.headers.has(UNSIGNED)) {
      outgoing.headers.delete(UNSIGNED);
    } else {
      for (const [name, value] of Object.entries(await this.#signResponseAsync(outgoing.body))) outgoing.headers.set(name, value);
    }
    return this.#tampered(outgoing);
  }

  /** An msw answer, or undefined when no handler took the request (no Fetch objects when there are no handlers). */
  async #fromHandlers(handlers: RequestHandler[], raw: RawRequest): Promise<OutgoingResponse | undefined> {
    if (handlers.length === 0) return undefined;
    const response = await msw().getResponse(handlers, toFetchRequest(raw));
    return response === undefined ? undefined : fromFetchResponse(response);
  }

  #tampered(outgoing: OutgoingResponse): OutgoingResponse {
    const tamper = this.#tamper;
    this.#tamper = undefined;
    tamper?.(outgoing);
    return outgoing;
  }

  /** APIv2: see lib/testing/v2.ts. `secure` says the request came over the mutual-TLS dispatcher. */
  async #answerV2(raw: RawRequest, path: string, secure: boolean): Promise<OutgoingResponse> {
    const outcome = await handleApiV2(toFetchRequest(raw), { secret: this.secret, mchid: this.merchant.mchid, handlers: this.handlers as RequestHandler[], secure });
    this.#record(raw.method, path, raw.headers, outcome.requestBody, outcome.verified);
    return this.#tampered({ status: outcome.status, headers: outcome.headers, body: outcome.body });
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers: Record<string, string> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) addHeader(headers, req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
      const outgoing = await this.#answer({ method: req.method ?? 'GET', url: `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, headers, body: Buffer.concat(chunks) }, false);
      const outHeaders: Record<string, string> = {};
      outgoing.headers.forEach((value, name) => (outHeaders[name] = value));
      delete outHeaders['content-length'];
      delete outHeaders['transfer-encoding'];
      res.writeHead(outgoing.status, { ...outHeaders, 'content-length': String(outgoing.body.length) });
      res.end(outgoing.body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`emulator failure: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
