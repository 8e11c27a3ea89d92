/**
 * Loading RSA keys from whatever a merchant has at hand, synchronously (so `Builder.factory`
 * reports a bad key at once, naming the option at fault).
 *
 * Accepted: PEM text (PKCS#8, PKCS#1, SPKI, PKCS#1 public, X.509 certificate), `file://` URLs or
 * paths, Buffers holding PEM or DER, `KeyObject`, WebCrypto `CryptoKey`, and RSA JWK objects.
 * Error messages name the field and the expected format, never the key text.
 * @module
 */
import { createPrivateKey, createPublicKey, KeyObject, sign, verify, X509Certificate, type webcrypto, type JsonWebKey } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
import { fileURLToPath } from 'node:url';
import { ArgumentError } from '../errors.js';
import { describeValue, nameForMessage } from '../validate.js';
import { nodeFs } from '../lazy.js';

/**
 * Anything a key can be loaded from: PEM text, a `file://` URL, PEM or DER bytes, a KeyObject,
 * a WebCrypto CryptoKey or a JWK.
 * @example
 * ```ts
 * const privateKey: KeyLike = 'file:///etc/wechatpay/apiclient_key.pem';
 * ```
 */
export type KeyLike = string | Buffer | Uint8Array | KeyObject | CryptoKey | JsonWebKey;

/**
 * Which half of a key pair is wanted.
 * @example
 * ```ts
 * const key = loadKey(pem, 'public' satisfies KeyType, 'certs');
 * ```
 */
export type KeyType = 'public' | 'private';

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----/;

function isCryptoKey(thing: unknown): thing is CryptoKey {
  const ctor = (globalThis as { CryptoKey?: new () => CryptoKey }).CryptoKey;
  return ctor !== undefined && thing instanceof ctor;
}

/**
 * Reads `file://` URLs (and plain paths given as `file://…`) into a Buffer.
 * @example
 * ```ts
 * readKeyFile('file:///etc/wechatpay/apiclient_key.pem', 'privateKey');
 * ```
 */
export function readKeyFile(url: string, field: string): Buffer {
  let path: string;
  try {
    path = url.startsWith('file:///') || url.startsWith('file://localhost/') ? fileURLToPath(url) : url.slice('file://'.length);
  } catch (cause) {
    throw new ArgumentError(`${field}: "${url}" is not a valid file:// URL`, field, { cause });
  }
  try {
    return nodeFs.readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'EIO';
    throw new ArgumentError(`${field}: cannot read ${path} (${code})`, field, { cause });
  }
}

function assertRsa(key: KeyObject, field: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ArgumentError(`${field}: expected an RSA key, got ${key.asymmetricKeyType ?? key.type}`, field);
  }
  return key;
}

function fromPem(text: string, type: KeyType, field: string): KeyObject {
  const label = PEM.exec(text)?.[1];
  if (!label) {
    throw new ArgumentError(`${field}: not a PEM ${type} key (no "-----BEGIN …-----" line found)`, field);
  }
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new ArgumentError(`${field}: the PEM is encrypted with a passphrase; decrypt it first (openssl pkey -in key.pem -out plain.pem)`, field);
  }
  const isPrivate = label === 'PRIVATE KEY' || label === 'RSA PRIVATE KEY';
  if (type === 'private' && !isPrivate) {
    throw new ArgumentError(`${field}: expected a private key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"), got "${label}"`, field);
  }
  try {
    if (label === 'CERTIFICATE') return new X509Certificate(text).publicKey;
    if (type === 'private') return createPrivateKey({ key: text, format: 'pem' });
    // a private key yields its public half, as openssl does
    return createPublicKey({ key: text, format: 'pem' });
  } catch (cause) {
    throw new ArgumentError(`${field}: the "${label}" PEM block could not be parsed (corrupt base64 or wrong structure)`, field, { cause });
  }
}

function fromDer(der: Buffer, type: KeyType, field: string): KeyObject {
  const attempts: Array<() => KeyObject> =
    type === 'private'
      ? [
          () => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
          () => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }),
        ]
      : [
          () => createPublicKey({ key: der, format: 'der', type: 'spki' }),
          () => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
          () => new X509Certificate(der).publicKey,
        ];
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch {
      // try the next encoding
    }
  }
  throw new ArgumentError(
    type === 'private'
      ? `${field}: bytes are neither a PEM nor a DER (PKCS#8 or PKCS#1) private key`
      : `${field}: bytes are neither a PEM nor a DER (SPKI, PKCS#1 or X.509) public key`,
    field,
  );
}

const PROBE = Buffer.from('wechatpay-chain key consistency probe');

/**
 * Refuses a private key whose parts disagree (e.g. a JWK whose `n` belongs to another key): it
 * imports fine but every signature it makes fails, which WeChat Pay would report only later as
 * a 401 SIGN_ERROR. One sign + verify with the key's own public half, ~0.4 ms for RSA-2048.
 */
function assertConsistent(key: KeyObject, field: string, form: string): KeyObject {
  let ok: boolean;
  try {
    ok = verify('sha256', PROBE, createPublicKey(key), sign('sha256', PROBE, key));
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new ArgumentError(
      `${field}: the ${form} private key is inconsistent (its public modulus does not match its private parts, so its signatures would not verify); export the key pair again`,
      field,
    );
  }
  return key;
}

/**
 * Loads an RSA key of the wanted type, synchronously.
 * @param thing PEM text, `file://` URL, Buffer (PEM or DER), KeyObject, CryptoKey or RSA JWK
 * @param type `'private'` or `'public'` (a private key or certificate yields its public key)
 * @param field the option name used in error messages
 * @throws {ArgumentError} naming `field` and the expected format; also for a private key given as
 *   PEM, DER or JWK whose parts do not belong together (checked by signing a fixed message and
 *   verifying it with the key's own public half, so a broken key fails here, not as a 401 later)
 * @example
 * ```ts
 * const key = loadKey('file:///path/to/apiclient_key.pem', 'private', 'privateKey');
 * ```
 */
export function loadKey(thing: unknown, type: KeyType, field = type === 'private' ? 'privateKey' : 'publicKey'): KeyObject {
  let key: KeyObject;
  if (thing instanceof KeyObject) {
    if (thing.type === 'secret') throw new ArgumentError(`${field}: expected an RSA ${type} key, got a secret (symmetric) KeyObject`, field);
    if (type === 'private' && thing.type !== 'private') {
      throw new ArgumentError(`${field}: expected a private KeyObject, got a public one`, field);
    }
    key = type === 'public' && thing.type === 'private' ? createPublicKey(thing) : thing;
  } else if (isCryptoKey(thing)) {
    return loadKey(KeyObject.from(thing), type, field);
  } else if (typeof thing === 'string') {
    if (thing.startsWith('file://')) return loadKey(readKeyFile(thing, field), type, field);
    key = fromPem(thing, type, field);
    if (key.type === 'private') return assertConsistent(assertRsa(key, field), field, 'PEM');
  } else if (thing instanceof Uint8Array) {
    const buf = Buffer.isBuffer(thing) ? thing : Buffer.from(thing.buffer, thing.byteOffset, thing.byteLength);
    const head = buf.subarray(0, 64).toString('latin1');
    const pem = head.includes('-----BEGIN ');
    key = pem ? fromPem(buf.toString('utf8'), type, field) : fromDer(buf, type, field);
    if (key.type === 'private') return assertConsistent(assertRsa(key, field), field, pem ? 'PEM' : 'DER');
  } else if (thing && typeof thing === 'object' && (thing as JsonWebKey).kty !== undefined) {
    const jwk = thing as JsonWebKey;
    if (jwk.kty !== 'RSA') throw new ArgumentError(`${field}: expected an RSA JWK (kty "RSA"), got kty ${typeof jwk.kty === 'string' ? nameForMessage(jwk.kty) : describeValue(jwk.kty)}`, field);
    if (type === 'private' && jwk.d === undefined) throw new ArgumentError(`${field}: the JWK has no private part ("d")`, field);
    try {
      key = type === 'private' ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
    } catch (cause) {
      throw new ArgumentError(`${field}: the RSA JWK could not be imported`, field, { cause });
    }
    if (key.type === 'private') return assertConsistent(assertRsa(key, field), field, 'JWK');
  } else {
    throw new ArgumentError(
      `${field}: expected PEM text, a file:// URL, a Buffer, a KeyObject, a CryptoKey or a JWK, got ${describeValue(thing)}`,
      field,
    );
  }
  return assertRsa(key, field);
}

/**
 * The serial number (uppercase hex) of an X.509 certificate given as PEM text, Buffer or `file://` URL.
 * @example
 * ```ts
 * certificateSerial(platformCertPem); // '5157F09EFDC096DE15EBE81A47057A7232F1B8E1'
 * ```
 */
export function certificateSerial(thing: string | Buffer, field = 'certificate'): string {
  const bytes = typeof thing === 'string' && thing.startsWith('file://') ? readKeyFile(thing, field) : thing;
  try {
    return new X509Certificate(bytes).serialNumber.toUpperCase();
  } catch (cause) {
    throw new ArgumentError(`${field}: not an X.509 certificate (PEM or DER)`, field, { cause });
  }
}
