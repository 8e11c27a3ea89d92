/**
 * Webhooks (回调通知): prove a notification comes from WeChat Pay, then decrypt its resource.
 * The signature check is the pipeline's {@link Verifier}; only the envelope and the AES-GCM
 * decryption are specific to notifications.
 * @module
 */
import { AesGcm } from '../crypto/aes-gcm.js';
import type { KeyLike } from '../crypto/keys.js';
import { ArgumentError, VerificationError } from '../errors.js';
import { printable } from '../printable.js';
import { apiV3Key, isObject } from '../validate.js';
import { Verifier, type HeaderBag } from '../apiv3/verifier.js';

/**
 * The encrypted `resource` of a notification as WeChat Pay sends it.
 * @example
 * ```ts
 * const { ciphertext, nonce, associated_data }: EncryptedResource = JSON.parse(rawBody).resource;
 * ```
 */
export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  nonce: string;
  associated_data?: string;
  original_type?: string;
}

/**
 * A verified, decrypted notification: the envelope with `resource` replaced by the decrypted,
 * parsed object, and `serial` naming the platform key that verified it.
 * @example
 * ```ts
 * const n: Notification<{ out_trade_no: string; trade_state: string }> = parseNotification(req, options);
 * if (n.event_type === 'TRANSACTION.SUCCESS') markPaid(n.resource.out_trade_no);
 * ```
 */
export interface Notification<T = Record<string, unknown>> {
  id: string;
  create_time: string;
  event_type: string;
  resource_type: string;
  summary: string;
  /** The decrypted `resource.ciphertext`, parsed as JSON. */
  resource: T;
  /** `resource.original_type`, e.g. `transaction`, `refund`. */
  original_type: string | undefined;
  /** Serial (or `PUB_KEY_ID_…`) of the platform key whose signature verified. */
  serial: string;
}

/**
 * Headers as a framework gives them: an object (any case, maybe arrays: `req.headers`,
 * `req.headersDistinct`), a Fetch `Headers`, node's `req.rawHeaders` (`[name, value, name, value, …]`),
 * or the `IncomingMessage` itself (its `rawHeaders` are read, which keep a repeated header twice).
 * A header sent twice is refused in every form: arrays and `rawHeaders` keep both copies, and
 * `req.headers` / `Headers` join them with `", "`, which no `Wechatpay-*` value can hold.
 * @example
 * ```ts
 * const headers: IncomingHeaders = req.headers; // node:http, Express, Koa, Fastify — or request.headers in a Fetch handler
 * const exact: IncomingHeaders = req.rawHeaders; // or req itself
 * ```
 */
export type IncomingHeaders = Headers | Readonly<Record<string, string | string[] | undefined>> | readonly string[] | { readonly rawHeaders: readonly string[] };

/**
 * What {@link parseNotification} reads: the headers and the raw body bytes, exactly as received.
 * @example
 * ```ts
 * const incoming: IncomingNotification = { headers: req.headers, body: rawBodyBuffer };
 * ```
 */
export interface IncomingNotification {
  headers: IncomingHeaders;
  /** The raw body (a re-serialized JSON object will not verify). */
  body: string | Uint8Array;
}

/**
 * Keys for {@link parseNotification}: the platform keys (`certs`, as in `Builder.factory`, or an
 * existing `verifier` such as `client.verifier`) and the 32-byte APIv3 key.
 * @example
 * ```ts
 * const options: NotificationOptions = { verifier: client.verifier, apiv3Key: process.env.WECHATPAY_APIV3_KEY! };
 * ```
 */
export interface NotificationOptions {
  /**
   * Platform certificates / public keys by serial or `PUB_KEY_ID_…` (both kinds may sign). Read
   * at every call: a serial you delete stops verifying and one you add starts, at the next call
   * (keys are loaded once per value; replace a value rather than changing a Buffer in place).
   */
  certs?: Readonly<Record<string, KeyLike>>;
  /** Or a {@link Verifier}, e.g. `client.verifier` (kept up to date by a certificate manager). */
  verifier?: Verifier;
  /** The APIv3 key (APIv3密钥), 32 bytes. */
  apiv3Key: string | Uint8Array;
  /** Current time in ms, for tests. */
  now?: number;
}

/**
 * The algorithm WeChat Pay encrypts notification resources with.
 * @example
 * ```ts
 * resource.algorithm === NOTIFICATION_ALGORITHM; // 'AEAD_AES_256_GCM'
 * ```
 */
export const NOTIFICATION_ALGORITHM = 'AEAD_AES_256_GCM';

const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';

/** A Verifier kept for one `certs` object, and the values it was last loaded from. */
interface CertsView {
  verifier: Verifier;
  loaded: Map<string, unknown>;
}

const views = new WeakMap<object, CertsView>();

function add(out: Record<string, string | string[] | undefined>, name: string, value: string | string[] | undefined): void {
  const lower = name.toLowerCase();
  const existing = out[lower];
  // the same header twice (two rawHeaders entries, two spellings) counts as duplicated, as on the wire
  out[lower] = existing === undefined ? value : ([] as string[]).concat(existing, value ?? []);
}

function lowerCase(headers: IncomingHeaders): HeaderBag {
  if (headers === null || typeof headers !== 'object') throw new ArgumentError('headers: expected req.headers, req.rawHeaders, the request itself or a Fetch Headers', 'headers');
  const out: Record<string, string | string[] | undefined> = {};
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((value, name) => add(out, name, value));
    return out;
  }
  // node's IncomingMessage (and frameworks wrapping it): rawHeaders keep a repeated header twice
  const raw = Array.isArray(headers) ? (headers as readonly unknown[]) : (headers as { rawHeaders?: unknown }).rawHeaders;
  if (Array.isArray(raw)) {
    if (raw.length % 2 !== 0 || !raw.every((item) => typeof item === 'string')) {
      throw new ArgumentError('headers: a rawHeaders array must hold name, value pairs of strings', 'headers');
    }
    for (let i = 0; i < raw.length; i += 2) add(out, raw[i] as string, raw[i + 1] as string);
    return out;
  }
  for (const [name, value] of Object.entries(headers)) add(out, name, value as string | string[] | undefined);
  return out;
}

function verifierOf(options: NotificationOptions): Verifier {
  if (options.verifier !== undefined) {
    if (!(options.verifier instanceof Verifier)) throw new ArgumentError('verifier: expected a Verifier (e.g. client.verifier)', 'verifier');
    return options.verifier;
  }
  const certs = options.certs;
  if (certs === undefined) throw new ArgumentError('certs: give the platform certificates / public keys (certs) or a verifier', 'certs');
  if (certs === null || typeof certs !== 'object') throw new ArgumentError('certs: expected an object { serial: certificate or public key }', 'certs');
  // loading keys is the costly part, so the Verifier is kept per certs object; but the object may
  // change between calls (a key rotated out, a new one in), so it is compared with what was loaded
  let view = views.get(certs);
  if (view === undefined) {
    view = { verifier: new Verifier(), loaded: new Map() };
    views.set(certs, view);
  }
  follow(view, certs);
  return view.verifier;
}

/**
 * Brings a kept Verifier in step with `certs`: a serial removed stops verifying, one added or
 * given another value is (re)loaded. Values are compared by identity, so the usual call, with
 * nothing changed, costs one pass over a handful of keys. An unreadable key throws here and
 * stays out of the Verifier (it is tried again at the next call).
 */
function follow(view: CertsView, certs: Readonly<Record<string, KeyLike>>): void {
  const { verifier, loaded } = view;
  const serials = Object.keys(certs);
  if (serials.length === loaded.size && serials.every((serial) => loaded.has(serial) && loaded.get(serial) === certs[serial])) return;
  for (const serial of loaded.keys()) {
    if (!Object.hasOwn(certs, serial)) {
      verifier.delete(serial);
      loaded.delete(serial);
    }
  }
  for (const serial of serials) {
    const key = certs[serial];
    if (loaded.has(serial) && loaded.get(serial) === key) continue;
    verifier.delete(serial);
    loaded.delete(serial);
    verifier.set(serial, key as KeyLike);
    loaded.set(serial, key);
  }
}

/**
 * Verifies and decrypts a WeChat Pay APIv3 notification. Synchronous.
 *
 * Checks, in order: the four `Wechatpay-*` headers, the ±300 s timestamp window, the serial
 * (platform certificate or `PUB_KEY_ID_…`, whichever signed), `Wechatpay-Signature-Type` when
 * present, the RSA-SHA256 signature over the raw body; then the envelope, `resource.algorithm` (`AEAD_AES_256_GCM`) and the AES-GCM tag.
 * @throws {VerificationError} whose `reason` names the failed check (`missing-header`,
 *   `stale-timestamp`, `unknown-serial`, `bad-signature`, `malformed-notification`,
 *   `unsupported-algorithm`, `decrypt-failed`); answer WeChat Pay with a 4xx/5xx and it retries
 * @throws {ArgumentError} for a bad option (APIv3 key not 32 bytes, no certs) — a bug on your side
 * @example
 * ```ts
 * import { parseNotification, notificationReply } from 'wechatpay-chain';
 * const notification = parseNotification({ headers: req.headers, body: rawBody }, { certs, apiv3Key });
 * console.log(notification.event_type, notification.resource.out_trade_no);
 * ```
 */
export function parseNotification<T = Record<string, unknown>>(incoming: IncomingNotification, options: NotificationOptions): Notification<T> {
  if (incoming === null || typeof incoming !== 'object') throw new ArgumentError('incoming: expected { headers, body }', 'incoming');
  if (options === null || typeof options !== 'object') throw new ArgumentError('options: expected { certs | verifier, apiv3Key }', 'options');
  const apiv3Key = apiV3Key(options.apiv3Key);
  const verifier = verifierOf(options);
  const { body } = incoming;
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new ArgumentError('body: expected the raw body as a string or Buffer (keep it raw: a re-serialized JSON object does not verify)', 'body');
  }
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const headers = lowerCase(incoming.headers);
  const fail = (reason: VerificationError['reason'], message: string) => new VerificationError(reason, `notification rejected: ${message}`);
  // newer notifications name the signature scheme; refuse one we would not check correctly
  const scheme = headers['wechatpay-signature-type'];
  if (scheme !== undefined && scheme !== SIGNATURE_TYPE) {
    throw fail('unsupported-algorithm', `Wechatpay-Signature-Type is "${printable(scheme, 48)}", expected ${SIGNATURE_TYPE}`);
  }
  const serial = verifier.check(headers, bytes, { now: options.now, what: 'notification' });

  let envelope: unknown;
  try {
    envelope = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw fail('malformed-notification', 'the body is not JSON');
  }
  if (!isObject(envelope)) throw fail('malformed-notification', 'the body is not a JSON object');
  const resource = envelope.resource;
  if (!isObject(resource)) throw fail('malformed-notification', 'the "resource" object is missing');
  for (const field of ['algorithm', 'ciphertext', 'nonce'] as const) {
    if (typeof resource[field] !== 'string' || resource[field] === '') throw fail('malformed-notification', `resource.${field} is missing`);
  }
  const encrypted = resource as unknown as EncryptedResource;
  if (encrypted.algorithm !== NOTIFICATION_ALGORITHM) {
    throw fail('unsupported-algorithm', `resource.algorithm is "${printable(encrypted.algorithm, 32)}", expected ${NOTIFICATION_ALGORITHM}`);
  }
  let plaintext: string;
  try {
    plaintext = AesGcm.decrypt(encrypted.ciphertext, apiv3Key, encrypted.nonce, encrypted.associated_data ?? '');
  } catch {
    throw fail('decrypt-failed', 'resource does not decrypt with the APIv3 key (wrong APIv3 key, or altered resource)');
  }
  let decrypted: unknown;
  try {
    decrypted = JSON.parse(plaintext);
  } catch {
    throw fail('malformed-notification', 'the decrypted resource is not JSON');
  }
  const text = (field: string): string => (typeof envelope[field] === 'string' ? (envelope[field] as string) : '');
  return {
    id: text('id'),
    create_time: text('create_time'),
    event_type: text('event_type'),
    resource_type: text('resource_type'),
    summary: text('summary'),
    resource: decrypted as T,
    original_type: typeof encrypted.original_type === 'string' ? encrypted.original_type : undefined,
    serial,
  };
}
