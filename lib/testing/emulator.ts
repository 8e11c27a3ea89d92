/**
 * A WeChat Pay stand-in for tests — ours and our users'. It generates merchant and platform keys,
 * checks every request's `Authorization` like the real service (401 `SIGN_ERROR` otherwise),
 * answers from msw request handlers and signs each answer with the platform key.
 *
 * Reach it in process through {@link Emulator.dispatcher} (an undici Dispatcher, no socket) or
 * over a real loopback socket with {@link Emulator.listen}.
 * @module
 */
import { createHash, generateKeyPairSync, randomBytes, sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse, HttpResponse, type RequestHandler } from 'msw';
import { DEFAULT_HOSTS, type ClientConfig } from '../builder.js';
import { nonce as makeNonce } from '../formatter.js';
import { MswDispatcher } from './msw-dispatcher.js';
import { seedHandlers } from './handlers.js';
import { handleApiV2, isApiV2Path } from './v2.js';
import { apiV2Handlers } from './v2-handlers.js';

/** Header a handler sets to have its answer sent without a signature (file downloads). */
export const UNSIGNED = 'x-emulator-unsigned';

/** One request as the emulator saw it. */
export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Whether its Authorization verified. */
  verified: boolean;
}

/** A response after signing, before it leaves: tests may change it to simulate forgeries. */
export interface OutgoingResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

/**
 * Options of {@link Emulator.create}.
 * @example
 * ```ts
 * const emulator = Emulator.create({ mchid: '1900000109', handlers: [http.post('*\/v3/pay/transactions/native', () => HttpResponse.json({ code_url: 'weixin://…' }))] });
 * ```
 */
export interface EmulatorOptions {
  mchid?: string;
  /** Extra msw handlers, consulted before the built-in ones. */
  handlers?: RequestHandler[];
  /** Clock used for signatures and the ±300 s check, in ms (for stale-timestamp tests). */
  now?: () => number;
  /** RSA modulus length of generated keys (2048, as WeChat Pay uses). */
  modulusLength?: number;
  /** The APIv2 key the emulator checks and signs with (random 32 characters by default). */
  secret?: string;
}

/** A generated RSA key pair in the forms tests want. */
export interface GeneratedKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
}

/**
 * Generates an RSA key pair (2048 bits by default).
 * @example
 * ```ts
 * const { privateKeyPem, publicKeyPem } = generateKeyPair();
 * ```
 */
export function generateKeyPair(modulusLength = 2048): GeneratedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return {
    privateKey,
    publicKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const AUTH = /^WECHATPAY2-SHA256-RSA2048 (.+)$/;
const PAIR = /(\w+)="([^"]*)"/g;

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
  readonly #handlers: RequestHandler[];
  readonly #now: () => number;
  #tamper: ((response: OutgoingResponse) => void) | undefined;
  #servers = new Set<Server>();

  private constructor(options: EmulatorOptions) {
    const modulusLength = options.modulusLength ?? 2048;
    this.merchant = { ...generateKeyPair(modulusLength), mchid: options.mchid ?? '1900000109', serial: randomBytes(20).toString('hex').toUpperCase() };
    this.platform = { ...generateKeyPair(modulusLength), serial: `PUB_KEY_ID_0${String(Date.now()).padStart(16, '0')}${String(Math.floor(Math.random() * 1e10)).padStart(11, '0')}` };
    this.#now = options.now ?? Date.now;
    this.#handlers = [...(options.handlers ?? []), ...seedHandlers(), ...apiV2Handlers()];
    this.secret = options.secret ?? makeNonce(32);
  }

  /**
   * Creates an emulator with fresh keys.
   * @example
   * ```ts
   * const emulator = Emulator.create({ mchid: '1900000109' });
   * ```
   */
  static create(options: EmulatorOptions = {}): Emulator {
    return new Emulator(options);
  }

  /** The msw handlers consulted, user ones first. */
  get handlers(): readonly RequestHandler[] {
    return this.#handlers;
  }

  /**
   * Adds msw handlers in front of the existing ones.
   * @example
   * ```ts
   * emulator.use(http.get('*\/v3/pay/transactions/id/:id', ({ params }) => HttpResponse.json({ transaction_id: params.id, trade_state: 'SUCCESS' })));
   * ```
   */
  use(...handlers: RequestHandler[]): this {
    this.#handlers.unshift(...handlers);
    return this;
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
   * Client options that talk to this emulator in process.
   * @example
   * ```ts
   * const client = Builder.factory(emulator.clientConfig({ timeout: 1000 }));
   * ```
   */
  clientConfig(overrides: Partial<ClientConfig> = {}): ClientConfig {
    return {
      mchid: this.merchant.mchid,
      serial: this.merchant.serial,
      privateKey: this.merchant.privateKeyPem,
      certs: { [this.platform.serial]: this.platform.publicKeyPem },
      secret: this.secret,
      // APIv2 `security: true` requests reach the emulator in process, as if over mutual TLS
      securityDispatcher: this.dispatcher({ secure: true }),
      ...(overrides.baseURL === undefined
        ? { dispatcher: this.dispatcher() }
        : { hosts: Object.fromEntries(Object.keys(DEFAULT_HOSTS).map((alias) => [alias, overrides.baseURL as string])) }),
      ...overrides,
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
    return new MswDispatcher((request) => this.handle(request, options.secure === true));
  }

  /**
   * Serves the emulator on a loopback port (127.0.0.1, random port).
   * @example
   * ```ts
   * const { baseURL, close } = await emulator.listen();
   * try { … } finally { await close(); }
   * ```
   */
  async listen(): Promise<{ baseURL: string; port: number; close: () => Promise<void> }> {
    const server = createServer((req, res) => void this.#serve(req, res));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#servers.add(server);
    const { port } = server.address() as AddressInfo;
    return {
      baseURL: `http://127.0.0.1:${port}/`,
      port,
      close: () =>
        new Promise<void>((resolve) => {
          this.#servers.delete(server);
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  /** Stops every loopback server this emulator started. */
  async close(): Promise<void> {
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
    const message = Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`), Buffer.from(body), Buffer.from('\n')]);
    return {
      'wechatpay-timestamp': String(timestamp),
      'wechatpay-nonce': nonce,
      'wechatpay-serial': this.platform.serial,
      'wechatpay-signature': rsaSign('sha256', message, this.platform.privateKey).toString('base64'),
    };
  }

  /**
   * The body a request's signature covers. Multipart uploads sign their `meta` part.
   * @example
   * ```ts
   * emulator.signedBodyOf(request, bytes);
   * ```
   */
  signedBodyOf(headers: Headers, body: Buffer): string {
    const type = headers.get('content-type') ?? '';
    const boundary = /multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(type)?.[1];
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

  /** Checks a request's Authorization; returns an error message or undefined. */
  #checkAuthorization(method: string, path: string, headers: Headers, signedBody: string): string | undefined {
    const header = headers.get('authorization');
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
    const message = `${method}\n${path}\n${fields.timestamp}\n${fields.nonce_str}\n${signedBody}\n`;
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
    const url = new URL(request.url);
    const path = url.pathname + url.search;
    // APIv2 requests carry no Authorization (their sign is in the XML body)
    if (isApiV2Path(url.pathname) && !request.headers.has('authorization')) return this.#handleV2(request, path, secure);
    const bytes = Buffer.from(await request.clone().arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const problem = this.#checkAuthorization(request.method, path, request.headers, this.signedBodyOf(request.headers, bytes));
    this.requests.push({ method: request.method, path, headers, body: bytes.toString('utf8'), verified: problem === undefined });
    if (this.requests.length > 1000) this.requests.shift();

    let response: Response;
    if (problem) {
      response = HttpResponse.json({ code: 'SIGN_ERROR', message: `签名错误: ${problem}` }, { status: 401 });
    } else {
      response =
        (await getResponse(this.#handlers, request)) ??
        HttpResponse.json({ code: 'NOT_FOUND', message: `the emulator has no handler for ${request.method} ${url.pathname}` }, { status: 404 });
    }

    const outgoing: OutgoingResponse = { status: response.status, headers: new Headers(response.headers), body: Buffer.from(await response.arrayBuffer()) };
    outgoing.headers.set('request-id', createHash('sha1').update(randomBytes(8)).digest('hex').slice(0, 32));
    if (outgoing.headers.has(UNSIGNED)) {
      outgoing.headers.delete(UNSIGNED);
    } else {
      for (const [name, value] of Object.entries(this.signResponse(outgoing.body))) outgoing.headers.set(name, value);
    }
    const tamper = this.#tamper;
    this.#tamper = undefined;
    tamper?.(outgoing);
    return new Response(outgoing.body.length > 0 || ![204, 304].includes(outgoing.status) ? new Uint8Array(outgoing.body) : null, {
      status: outgoing.status,
      headers: outgoing.headers,
    });
  }

  /** APIv2: see lib/testing/v2.ts. `secure` says the request came over the mutual-TLS dispatcher. */
  async #handleV2(request: Request, path: string, secure: boolean): Promise<Response> {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const outcome = await handleApiV2(request, { secret: this.secret, mchid: this.merchant.mchid, handlers: this.#handlers, secure });
    this.requests.push({ method: request.method, path, headers, body: outcome.requestBody, verified: outcome.verified });
    if (this.requests.length > 1000) this.requests.shift();
    const outgoing: OutgoingResponse = { status: outcome.status, headers: outcome.headers, body: outcome.body };
    const tamper = this.#tamper;
    this.#tamper = undefined;
    tamper?.(outgoing);
    return new Response(new Uint8Array(outgoing.body), { status: outgoing.status, headers: outgoing.headers });
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
      const body = Buffer.concat(chunks);
      const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' || body.length === 0 ? undefined : new Uint8Array(body),
      });
      const response = await this.handle(request);
      const out = Buffer.from(await response.arrayBuffer());
      const outHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => (outHeaders[name] = value));
      delete outHeaders['content-length'];
      delete outHeaders['transfer-encoding'];
      res.writeHead(response.status, { ...outHeaders, 'content-length': String(out.length) });
      res.end(out);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`emulator failure: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
