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
import { Verifier, type HeaderBag } from '../pipeline/v3/verifier.js';

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
 * Headers as a framework gives them (any case, maybe arrays) or a Fetch `Headers`.
 * @example
 * ```ts
 * const headers: IncomingHeaders = req.headers; // node:http, Express, Koa, Fastify — or request.headers in a Fetch handler
 * ```
 */
export type IncomingHeaders = Headers | Readonly<Record<string, string | string[] | undefined>>;

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
  /** Platform certificates / public keys by serial or `PUB_KEY_ID_…` (both kinds may sign). */
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

const verifiers = new WeakMap<object, Verifier>();

function lowerCase(headers: IncomingHeaders): HeaderBag {
  if (headers === null || typeof headers !== 'object') throw new ArgumentError('headers: expected an object of headers or a Headers instance', 'headers');
  const out: Record<string, string | string[] | undefined> = {};
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((value, name) => (out[name.toLowerCase()] = value));
    return out;
  }
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    const existing = out[lower];
    // the same header under two spellings counts as duplicated, as it would on the wire
    out[lower] = existing === undefined ? value : ([] as string[]).concat(existing, value ?? []);
  }
  return out;
}

function verifierOf(options: NotificationOptions): Verifier {
  if (options.verifier !== undefined) {
    if (!(options.verifier instanceof Verifier)) throw new ArgumentError('verifier: expected a Verifier (e.g. client.verifier)', 'verifier');
    return options.verifier;
  }
  if (options.certs === undefined) throw new ArgumentError('certs: give the platform certificates / public keys (certs) or a verifier', 'certs');
  // loading keys is the costly part: reuse the Verifier for the same certs object
  let verifier = verifiers.get(options.certs);
  if (verifier === undefined) {
    verifier = new Verifier(options.certs);
    verifiers.set(options.certs, verifier);
  }
  return verifier;
}

function checkKey(apiv3Key: unknown): string | Uint8Array {
  const length = typeof apiv3Key === 'string' ? Buffer.byteLength(apiv3Key) : apiv3Key instanceof Uint8Array ? apiv3Key.byteLength : -1;
  if (length !== 32) throw new ArgumentError(`apiv3Key: the APIv3 key must be 32 bytes${length >= 0 ? `, got ${length}` : ''}`, 'apiv3Key');
  return apiv3Key as string | Uint8Array;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
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
  const apiv3Key = checkKey(options.apiv3Key);
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
