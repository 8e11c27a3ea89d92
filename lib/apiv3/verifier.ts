/**
 * Proof that a response or notification comes from WeChat Pay: the four `Wechatpay-*` headers,
 * the ±300 s window, a known serial (platform certificate serial or `PUB_KEY_ID_…`), and an
 * RSA-SHA256 signature over `TIMESTAMP\nNONCE\nBODY\n` on the raw body bytes.
 * Shared by the APIv3 pipeline and webhook parsing.
 *
 * DESIGN (lib/apiv3/): APIv3's protocol knowledge apart from the steps that use it — this
 * Verifier (the platform keys and the one signature check, which the verify step, webhooks,
 * certificate downloads, sensitive fields and the doctor share) and ./unsigned.ts, the one list of
 * answers WeChat Pay does not sign. The sign and verify steps are lib/pipeline/v3/.
 * @module
 */
import { createHash, verify as rsaVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { ArgumentError, VerificationError, type RedactedRequest } from '../errors.js';
import { printable } from '../printable.js';
import { fromFile, loadKey, normalizeSerial, readKeySource, type KeyLike } from '../crypto/keys.js';

/**
 * Headers as undici, node:http or a framework gives them: lower-case names, maybe arrays.
 * @example
 * ```ts
 * const headers: HeaderBag = { 'wechatpay-serial': 'PUB_KEY_ID_0114232134912410000000000000', 'wechatpay-nonce': ['n'] };
 * ```
 */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Largest clock difference accepted between WeChat Pay's timestamp and ours, in seconds.
 * @example
 * ```ts
 * if (Math.abs(Date.now() / 1000 - Number(headers['wechatpay-timestamp'])) > MAX_CLOCK_SKEW) console.warn('check the clock');
 * ```
 */
export const MAX_CLOCK_SKEW = 300;

const TIMESTAMP = /^\d{1,12}$/;

/** Characters of a padded base64 RSA signature made with `key` (its modulus length in bytes, encoded). */
function base64Length(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 2048;
  return 4 * Math.ceil(Math.ceil(bits / 8) / 3);
}

/**
 * Platform public keys by serial, and the checks that use them. `set` and `delete` let a
 * certificate manager rotate keys while requests are in flight.
 * @example
 * ```ts
 * const verifier = new Verifier({ PUB_KEY_ID_0114232134912410000000000000: publicKeyPem });
 * verifier.check(res.headers, rawBody); // throws VerificationError, or returns the serial used
 *
 * // certificate serials are kept in upper case and matched regardless of case; PUB_KEY_ID_… ids as written
 * new Verifier({ '5157f09efdc096de15ebe81a47057a7232f1b8e1': platformCertificatePem }).serials(); // ['5157F09EFDC096DE15EBE81A47057A7232F1B8E1']
 * ```
 */
export class Verifier {
  readonly #keys = new Map<string, KeyObject>();
  readonly #expiry = new Map<string, Date>();
  /** Base64 length of a signature by each key: 344 characters for RSA-2048. */
  readonly #signatureLength = new Map<string, number>();

  /** @param certs platform certificates / public keys by serial or public key id */
  constructor(certs: Readonly<Record<string, KeyLike>> = {}) {
    if (certs === null || typeof certs !== 'object') throw new ArgumentError('certs: expected an object { serial: certificate or public key }', 'certs');
    for (const [serial, key] of Object.entries(certs)) this.set(serial, key);
  }

  /**
   * Adds or replaces the key for `serial`. A certificate serial (hex digits) is kept in upper
   * case, as WeChat Pay writes it; every method takes it in any case. `PUB_KEY_ID_…` ids keep theirs.
   */
  set(given: string, key: KeyLike): void {
    if (typeof given !== 'string' || given.length === 0) throw new ArgumentError('certs: a serial must be a non-empty string', 'certs');
    const serial = normalizeSerial(given);
    // a certificate's expiry is kept so sensitive-field encryption can prefer the newest one
    const field = `certs["${given}"]`;
    const { value: bytes, file } = readKeySource(key, field);
    const loaded = fromFile(file, field, () => loadKey(bytes, 'public', field));
    this.#keys.set(serial, loaded);
    this.#signatureLength.set(serial, base64Length(loaded));
    this.#expiry.delete(serial);
    const certificate = typeof bytes === 'string' ? (bytes.includes('-----BEGIN CERTIFICATE-----') ? bytes : undefined) : bytes instanceof Uint8Array ? bytes : undefined;
    if (certificate !== undefined) {
      try {
        this.#expiry.set(serial, new Date(new X509Certificate(certificate).validTo));
      } catch {
        // bytes of a bare key, not a certificate: no expiry
      }
    }
  }

  /** Removes the key for `serial`. */
  delete(given: string): boolean {
    const serial = normalizeSerial(given);
    this.#expiry.delete(serial);
    this.#signatureLength.delete(serial);
    return this.#keys.delete(serial);
  }

  /** When the certificate of `serial` expires; undefined for public keys (`PUB_KEY_ID_…`) and bare keys. */
  expiresAt(serial: string): Date | undefined {
    return this.#expiry.get(normalizeSerial(serial));
  }

  /** Whether a key is known for `serial`. */
  has(serial: string): boolean {
    return this.#keys.has(normalizeSerial(serial));
  }

  /** The known serials. */
  serials(): string[] {
    return [...this.#keys.keys()];
  }

  /** The public key for `serial`, if known. */
  get(serial: string): KeyObject | undefined {
    return this.#keys.get(normalizeSerial(serial));
  }

  /**
   * Checks a signed message; returns the serial whose key verified it.
   * @param headers lower-case header names (`wechatpay-timestamp`, …)
   * @param body the raw body bytes as received
   * @param options `now` in ms (for tests), `request`/`status` to attach to errors, `statementSha1` mode
   * @throws {VerificationError} with `reason` saying which check failed
   */
  check(
    headers: HeaderBag,
    body: Buffer | string,
    options: { now?: number; request?: RedactedRequest; status?: number; what?: string } = {},
  ): string {
    const what = options.what ?? 'response';
    const fail = (reason: VerificationError['reason'], message: string) =>
      new VerificationError(reason, `${what} rejected: ${message}`, { request: options.request, status: options.status });
    const pick = (name: string): string => {
      let value = headers[name];
      // headers kept in the sender's case (API gateways, hand-built objects) match too; two spellings are a duplicate
      for (const key of Object.keys(headers)) {
        if (key === name || key.length !== name.length || key.toLowerCase() !== name || headers[key] === undefined) continue;
        if (value !== undefined) throw fail('duplicated-header', `header ${name} appears more than once`);
        value = headers[key];
      }
      if (Array.isArray(value)) {
        if (value.length !== 1 || typeof value[0] !== 'string') throw fail('duplicated-header', `header ${name} appears ${value.length} times`);
        value = value[0];
      }
      if (typeof value !== 'string' || value.length === 0) throw fail('missing-header', `header ${name} is missing`);
      // node:http and Fetch Headers join a repeated header with ", " (so may a proxy); none of the
      // four values can hold a comma, so one means the header came more than once
      if (value.includes(',')) throw fail('duplicated-header', `header ${name} appears more than once (joined with ",")`);
      return value;
    };
    const timestamp = pick('wechatpay-timestamp');
    const nonce = pick('wechatpay-nonce');
    const signature = pick('wechatpay-signature');
    // matched regardless of the case of a certificate serial (the keys are upper case)
    const named = pick('wechatpay-serial');
    const serial = normalizeSerial(named);
    if (!TIMESTAMP.test(timestamp)) throw fail('bad-timestamp', 'Wechatpay-Timestamp is not a unix time in seconds');
    const skew = Math.abs((options.now ?? Date.now()) / 1000 - Number(timestamp));
    if (skew > MAX_CLOCK_SKEW) throw fail('stale-timestamp', `Wechatpay-Timestamp is ${Math.round(skew)} s away from now (limit ${MAX_CLOCK_SKEW} s)`);
    const key = this.#keys.get(serial);
    if (key === undefined) {
      throw fail('unknown-serial', `Wechatpay-Serial "${printable(named, 64)}" is not among the configured certs (${this.serials().join(', ') || 'none'})`);
    }

    let signed: Buffer | string = body;
    const statementSha1 = headers['wechatpay-statement-sha1'];
    if (typeof statementSha1 === 'string') {
      // overseas statements sign a digest of the file instead of the file
      signed = `{"sha1":"${statementSha1}"}`;
      const actual = createHash('sha1').update(body).digest('hex');
      if (actual.toLowerCase() !== statementSha1.toLowerCase()) throw fail('digest-mismatch', 'body SHA-1 differs from Wechatpay-Statement-Sha1');
    }
    // `TIMESTAMP\nNONCE\nBODY\n` in one allocation (the body is copied once, not concatenated)
    const head = `${timestamp}\n${nonce}\n`;
    const headLength = Buffer.byteLength(head);
    const bodyLength = typeof signed === 'string' ? Buffer.byteLength(signed) : signed.length;
    const message = Buffer.allocUnsafe(headLength + bodyLength + 1);
    message.write(head, 0);
    if (typeof signed === 'string') message.write(signed, headLength);
    else signed.copy(message, headLength);
    message[headLength + bodyLength] = 0x0a;
    // strict base64: Buffer.from(x, 'base64') skips foreign characters and stops at the padding,
    // so a signature with junk, whitespace or a tail would otherwise decode to the genuine bytes
    const bytes = Buffer.from(signature, 'base64');
    if (signature.length !== this.#signatureLength.get(serial) || bytes.toString('base64') !== signature) {
      throw fail('bad-signature', `Wechatpay-Signature is not ${this.#signatureLength.get(serial)} characters of padded standard base64`);
    }
    let ok = false;
    try {
      ok = rsaVerify('sha256', message, key, bytes);
    } catch {
      ok = false;
    }
    if (!ok) throw fail('bad-signature', `Wechatpay-Signature does not verify with the key of serial ${serial}`);
    return serial;
  }
}
