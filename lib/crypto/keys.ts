/**
 * Loading RSA keys from whatever a merchant has at hand, synchronously (so `Builder.factory`
 * reports a bad key at once, naming the option at fault).
 *
 * Accepted: PEM text (PKCS#8, PKCS#1, SPKI, PKCS#1 public, X.509 certificate), file paths and
 * `file://` URLs, Buffers holding PEM or DER, `KeyObject`, WebCrypto `CryptoKey`, and RSA JWK
 * objects. A string is read by one rule wherever a key or certificate is taken (here, `certs`,
 * `merchant`, `ca`, the doctor, the CLI): see {@link keyStringForm}.
 * Error messages name the field and the expected format, never the key text.
 * @module
 */
import { createPrivateKey, createPublicKey, KeyObject, sign, verify, X509Certificate, type webcrypto, type JsonWebKey } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
import { fileURLToPath } from 'node:url';
import { ArgumentError } from '../errors.js';
import { printable } from '../printable.js';
import { describeValue, nameForMessage, pathForMessage } from '../validate.js';
import { nodeFs } from '../lazy.js';

/**
 * Anything a key can be loaded from: PEM text, a file path or `file://` URL, PEM or DER bytes, a
 * KeyObject, a WebCrypto CryptoKey or a JWK. A string holding a `-----BEGIN` line is PEM text;
 * any other one-line string is a file to read (see {@link keyStringForm}).
 * @example
 * ```ts
 * const privateKey: KeyLike = '/etc/wechatpay/apiclient_key.pem'; // or 'file:///etc/wechatpay/apiclient_key.pem', or the PEM text
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
// an armour line with too few dashes or stray spaces is still PEM someone pasted: parsed (and
// refused) as PEM, never taken for a file name that would put the text into a message
const ARMOUR = /-{2,}\s*BEGIN\b|\bBEGIN [A-Z0-9 ]*(?:KEY|CERTIFICATE)\b/;
// DER of a key, certificate or PKCS#12 bundle is a SEQUENCE with a long length: base64 "MI…"
const BASE64_DER = /^MI[A-Za-z0-9+/]{60,}={0,2}$/;

/**
 * How a string given for a key or certificate is read — one rule for `privateKey`, the `certs`
 * values, `merchant.cert` / `.key` / `.pfx`, `ca`, `Rsa.from`, `certificateSerial`, the doctor
 * and the CLI:
 * - `'pem'`: it holds an armour line (`-----BEGIN …-----`, or one damaged by a paste);
 * - `'file-url'`: it starts with `file://`;
 * - `'base64'`: the base64 body of a DER key, certificate or PKCS#12 bundle without armour
 *   (accepted only as `merchant.pfx`);
 * - `'path'`: any other single line: the path of a file, absolute or relative to the working
 *   directory (`~` is not expanded);
 * - `'text'`: anything else (empty, several lines without armour): refused as not PEM.
 * @example
 * ```ts
 * keyStringForm('/etc/wechatpay/apiclient_key.pem'); // 'path'
 * keyStringForm('-----BEGIN PRIVATE KEY-----\n…');    // 'pem'
 * ```
 */
export function keyStringForm(text: string): 'pem' | 'file-url' | 'base64' | 'path' | 'text' {
  if (ARMOUR.test(text)) return 'pem';
  if (text.startsWith('file://')) return 'file-url';
  if (BASE64_DER.test(text.replace(/\s+/g, ''))) return 'base64';
  if (text === '' || text.length > 4096 || /[\r\n\0]/.test(text)) return 'text';
  return 'path';
}

function isCryptoKey(thing: unknown): thing is CryptoKey {
  const ctor = (globalThis as { CryptoKey?: new () => CryptoKey }).CryptoKey;
  return ctor !== undefined && thing instanceof ctor;
}

/** The file system path of a `file://` URL or a plain path. */
function pathOf(source: string, field: string): string {
  if (!source.startsWith('file://')) return source;
  try {
    return source.startsWith('file:///') || source.startsWith('file://localhost/') ? fileURLToPath(source) : source.slice('file://'.length);
  } catch (cause) {
    throw new ArgumentError(`${field}: ${pathForMessage(source)} is not a valid file:// URL`, field, { cause });
  }
}

/**
 * Reads a key or certificate file named by a `file://` URL or a plain path into a Buffer. A file
 * that cannot be read is named (described instead when the string does not read like a path: it
 * may be a secret pasted in the wrong place), with the error code and what to do.
 * @throws {ArgumentError} `"<field>: cannot read <path> (ENOENT); …"`
 * @example
 * ```ts
 * readKeyFile('file:///etc/wechatpay/apiclient_key.pem', 'privateKey');
 * readKeyFile('/etc/wechatpay/apiclient_key.pem', 'privateKey');
 * ```
 */
export function readKeyFile(source: string, field: string): Buffer {
  const path = pathOf(source, field);
  try {
    return nodeFs.readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'EIO';
    const tilde = code === 'ENOENT' && /^~[\\/]/.test(path) ? '; "~" is not expanded here: write the full path' : '';
    const rule = source.startsWith('file://') ? '' : `; ${field} is PEM text, a file path or a file:// URL, and a string without a "-----BEGIN" line is read as a path`;
    throw new ArgumentError(`${field}: cannot read ${pathForMessage(path)} (${code})${tilde}${rule}`, field, { cause });
  }
}

/**
 * A key or certificate value as loading takes it: a string naming a file (a path or a `file://`
 * URL, see {@link keyStringForm}) is read, and `file` says which; PEM text and non-strings pass
 * as they are. The base64 body of DER without its armour is refused (it is neither PEM nor a
 * path), unless `base64` accepts it (`merchant.pfx`).
 * @throws {ArgumentError} a file that cannot be read, or a bare base64 body — described, never shown
 * @example
 * ```ts
 * const { value, file } = readKeySource('/etc/wechatpay/pub_key.pem', 'certs'); // a Buffer, '/etc/wechatpay/pub_key.pem'
 * ```
 */
export function readKeySource(thing: unknown, field: string, accept: { base64?: boolean } = {}): { value: unknown; file?: string } {
  if (typeof thing !== 'string') return { value: thing };
  const form = keyStringForm(thing);
  if (form === 'file-url' || form === 'path') return { value: readKeyFile(thing, field), file: pathOf(thing, field) };
  if (form === 'base64' && accept.base64 !== true) {
    throw new ArgumentError(
      `${field}: ${describeValue(thing)} that looks like the base64 body of a key or certificate without its "-----BEGIN …-----" and "-----END …-----" lines; give the PEM text whole, a file path or a file:// URL`,
      field,
    );
  }
  return { value: thing };
}

/**
 * Runs `load` on what was read from `file`; an ArgumentError it throws names the file too
 * (`privateKey (read from /etc/…/apiclient_cert.pem): expected a private key …`), so a path
 * to the wrong file is seen at once. A path that was read is a path: it is shown as it is.
 * @example
 * ```ts
 * const key = fromFile('/etc/wechatpay/apiclient_key.pem', 'privateKey', () => loadKey(bytes, 'private', 'privateKey'));
 * ```
 */
export function fromFile<T>(file: string | undefined, field: string, load: () => T): T {
  if (file === undefined) return load();
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ArgumentError) || !error.message.startsWith(`${field}: `)) throw error;
    throw new ArgumentError(`${field} (read from ${printable(file, 256)}): ${error.message.slice(field.length + 2)}`, error.field, { cause: error.cause ?? error });
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
    const damaged = ARMOUR.test(text) ? '; its armour line is damaged: PEM starts with "-----BEGIN <label>-----", five dashes on each side' : '';
    throw new ArgumentError(`${field}: not a PEM ${type} key (no "-----BEGIN …-----" line found)${damaged}; expected PEM text, a file path or a file:// URL, got ${describeValue(text)}`, field);
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
    // an environment variable or a JSON string escaped twice keeps "\n" as two characters
    const escaped = !/[\r\n]/.test(text) && text.includes('\\n') ? '; it holds the two characters \\n instead of line breaks (escaped twice?): turn them into line breaks' : '';
    throw new ArgumentError(`${field}: the "${label}" PEM block could not be parsed (corrupt base64 or wrong structure)${escaped}`, field, { cause });
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
 * @param thing PEM text, a file path or `file://` URL, Buffer (PEM or DER), KeyObject, CryptoKey or RSA JWK
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
    const { value, file } = readKeySource(thing, field);
    if (file !== undefined) return fromFile(file, field, () => loadKey(value, type, field));
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
      `${field}: expected PEM text, a file path or file:// URL, a Buffer, a KeyObject, a CryptoKey or a JWK, got ${describeValue(thing)}`,
      field,
    );
  }
  return assertRsa(key, field);
}

/**
 * A serial as the client keeps it: a certificate serial (hexadecimal digits only) in upper case,
 * as WeChat Pay and its SDKs write it (wechatpay-go `fmt.Sprintf("%X", …)`); anything else — a
 * `PUB_KEY_ID_…` id, a name that is no serial — as it is. Leading zeros are not touched: whether
 * a serial had one cannot be known without its certificate.
 * @example
 * ```ts
 * normalizeSerial('3775b6a45acd588826d15e583a95f5dd00000000'); // '3775B6A45ACD588826D15E583A95F5DD00000000'
 * normalizeSerial('PUB_KEY_ID_0114232134912410000000000000'); // unchanged
 * ```
 */
export function normalizeSerial(serial: string): string {
  return /^[0-9A-Fa-f]+$/.test(serial) ? serial.toUpperCase() : serial;
}

/**
 * The serial number of an X.509 certificate given as PEM text, a Buffer, a file path or a
 * `file://` URL, as WeChat Pay writes serials: upper-case hex, two digits per byte, so a leading
 * zero is kept (`0A1B…`, as `openssl x509 -serial` prints it).
 * @example
 * ```ts
 * certificateSerial(platformCertPem); // '5157F09EFDC096DE15EBE81A47057A7232F1B8E1'
 * certificateSerial('/etc/wechatpay/apiclient_cert.pem');
 * ```
 */
export function certificateSerial(thing: string | Buffer, field = 'certificate'): string {
  const { value, file } = readKeySource(thing, field);
  return fromFile(file, field, () => {
    try {
      return new X509Certificate(value as string | Buffer).serialNumber.toUpperCase();
    } catch (cause) {
      throw new ArgumentError(`${field}: not an X.509 certificate (PEM or DER)`, field, { cause });
    }
  });
}
