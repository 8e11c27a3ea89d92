/**
 * Loading what the configuration names — keys, certificates, serials — without throwing: the
 * doctor reports every problem, not the first. Certificate facts come from node's
 * `X509Certificate`; keys load through the client's own `loadKey`, so anything `privateKey` and
 * `certs` accept here is accepted the same way.
 * @module
 */
import { createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { fromFile, keyStringForm, loadKey, readKeySource } from '../crypto/keys.js';
import { ArgumentError } from '../errors.js';
import { nodeFs } from '../lazy.js';
import { printable } from '../printable.js';
import { pathForMessage } from '../validate.js';

/**
 * A `certs` value or a merchant certificate, loaded as far as it goes.
 * @example
 * ```ts
 * const { certificate, key, error }: Material = loadMaterial(pem, 'certs');
 * ```
 */
export interface Material {
  /** The public key (of the certificate, when it is one). */
  key?: KeyObject;
  /** Set when the value is an X.509 certificate. */
  certificate?: X509Certificate;
  /** Why it could not be loaded; names the field and the format, never the content. */
  error?: string;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Loads a certificate or public key from PEM text, a file path or `file://` URL, a Buffer (PEM or
 * DER), a KeyObject, a CryptoKey or a JWK — a string by the client's one rule (`keyStringForm`).
 * A private key yields its public half, as `certs` does.
 * @example
 * ```ts
 * const { certificate, key, error } = loadMaterial('file:///etc/wechatpay/apiclient_cert.pem', 'merchantCertificate');
 * ```
 */
export function loadMaterial(value: unknown, field: string): Material {
  if (value === undefined || value === null) return { error: `${field}: not set` };
  try {
    const { value: bytes, file } = readKeySource(value, field);
    return fromFile(file, field, (): Material => {
      const isText = typeof bytes === 'string';
      if (isText ? bytes.includes('-----BEGIN CERTIFICATE-----') : bytes instanceof Uint8Array) {
        try {
          const certificate = new X509Certificate(bytes as string | Buffer);
          return { certificate, key: certificate.publicKey };
        } catch {
          if (isText) throw new ArgumentError(`${field}: the "CERTIFICATE" PEM block could not be parsed`, field);
          // DER or PEM bytes of a key, not of a certificate: loadKey decides
        }
      }
      return { key: loadKey(bytes, 'public', field) };
    });
  } catch (error) {
    return { error: messageOf(error) };
  }
}

/**
 * Whether two keys are the same key pair's (public halves compared).
 * @example
 * ```ts
 * sameKey(certificate.publicKey, privateKey); // true when privateKey is the certificate's
 * ```
 */
export function sameKey(a: KeyObject, b: KeyObject): boolean {
  const pa = a.type === 'private' ? createPublicKey(a) : a;
  const pb = b.type === 'private' ? createPublicKey(b) : b;
  return pa.equals(pb);
}

/**
 * A serial number in the form comparisons use: upper case, no leading zeros, no spaces or colons.
 * @example
 * ```ts
 * canonicalSerial('0a:bc:de'); // 'ABCDE'
 * ```
 */
export function canonicalSerial(serial: string): string {
  return serial.replace(/[\s:]/g, '').toUpperCase().replace(/^0+(?=.)/, '');
}

/**
 * How `given` differs from `actual` when both name the same serial: `''` when they are identical,
 * else a phrase such as `in lower case, without its leading zero`.
 * @example
 * ```ts
 * serialForm('abc', '0ABC'); // 'in lower case, without its leading zero'
 * ```
 */
export function serialForm(given: string, actual: string): string {
  if (given === actual) return '';
  const forms: string[] = [];
  if (/\s/.test(given)) forms.push('with spaces');
  if (given.includes(':')) forms.push('with colons');
  const bare = given.replace(/[\s:]/g, '');
  if (bare !== bare.toUpperCase()) forms.push(bare === bare.toLowerCase() ? 'in lower case' : 'in mixed case');
  const zeros = (s: string) => /^0*/.exec(s)?.[0].length ?? 0;
  const missing = zeros(actual) - zeros(bare);
  if (missing > 0) forms.push(`without its leading ${missing === 1 ? 'zero' : `${missing} zeros`}`);
  if (missing < 0) forms.push(`with ${-missing} extra leading ${missing === -1 ? 'zero' : 'zeros'}`);
  return forms.join(', ');
}

/**
 * `PUB_KEY_ID_` and digits: a WeChat Pay public key id (微信支付公钥ID).
 * @example
 * ```ts
 * PUB_KEY_ID.test('PUB_KEY_ID_0114232134912410000000000000'); // true
 * ```
 */
export const PUB_KEY_ID = /^PUB_KEY_ID_\d+$/;

/**
 * Looks like a public key id, maybe mistyped (case, separators, whitespace).
 * @example
 * ```ts
 * looksLikePublicKeyId('pub_key_id_0114…'); // true
 * ```
 */
export function looksLikePublicKeyId(name: string): boolean {
  return /pub[\s_-]*key[\s_-]*id/i.test(name);
}

/**
 * Hexadecimal, as certificate serials are written.
 * @example
 * ```ts
 * HEX.test('3775B6A45ACD588826D15E583A95F5DD00000000'); // true
 * ```
 */
export const HEX = /^[0-9A-Fa-f]+$/;

/**
 * A short, printable form of a value from the configuration (a serial, an id), cut to 64
 * characters: never used for keys.
 * @example
 * ```ts
 * shown('PUB_KEY_ID_0114232134912410000000000000'); // '"PUB_KEY_ID_0114232134912410000000000000"'
 * ```
 */
export function shown(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}…` : value);
}

/**
 * Where a key or certificate comes from, for messages: the file (a path as it reads, see
 * `pathForMessage`), or the kind of value (never its content).
 * @example
 * ```ts
 * sourceOf('file:///etc/wechatpay/apiclient_key.pem'); // 'file:///etc/wechatpay/apiclient_key.pem'
 * sourceOf('/etc/wechatpay/apiclient_key.pem');        // '/etc/wechatpay/apiclient_key.pem'
 * sourceOf('-----BEGIN PRIVATE KEY-----\n…'); // 'PEM text'
 * ```
 */
export function sourceOf(value: unknown): string {
  if (typeof value === 'string') {
    const form = keyStringForm(value);
    // a path that names a file is a path, shown as it is; one that does not may be a pasted secret
    if (form === 'path') return nodeFs.existsSync(value) ? printable(value, 256) : pathForMessage(value);
    return form === 'file-url' ? value : form === 'pem' ? 'PEM text' : 'a string';
  }
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (value instanceof Uint8Array) return 'a Uint8Array';
  if (value instanceof KeyObject) return 'a KeyObject';
  if (value && typeof value === 'object' && 'kty' in value) return 'a JWK';
  if (value && typeof value === 'object' && 'algorithm' in value && 'type' in value) return 'a CryptoKey';
  return typeof value;
}

/**
 * A date as `2026-05-01` (UTC), for expiry messages.
 * @example
 * ```ts
 * day(new Date('2026-05-01T12:00:00Z')); // '2026-05-01'
 * ```
 */
export function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
