/**
 * Sensitive fields (敏感信息): encrypt named request fields with a WeChat Pay platform public key
 * and send that key's serial as `Wechatpay-Serial` — the pair that must match, and the most
 * reported mistake in other SDKs; decrypt named response fields with the merchant private key.
 *
 * Field paths are dot-separated; `*` stands for every element of an array (or every value of an
 * object): `contact_info.mobile_phone`, `ubo_info_list.*.ubo_id_doc_name`.
 *
 * DESIGN (lib/sensitive/): the `encrypt` request option, applied when a request context is made
 * (lib/endpoint/context.ts); the field helpers are exported from `wechatpay-chain/crypto`.
 * @module
 */
import type { KeyObject } from 'node:crypto';
import { normalizeSerial, type KeyLike } from '../crypto/keys.js';
import { Rsa, type RsaPadding } from '../crypto/rsa.js';
import type { RequestOptions, SensitiveFields } from '../endpoint/options.js';
import { ArgumentError } from '../errors.js';
import type { Verifier } from '../apiv3/verifier.js';

const PUBLIC_KEY_ID = /^PUB_KEY_ID_/;

/**
 * Picks the platform key to encrypt with, by this rule:
 * 1. `serial` when given (it must be known to the verifier);
 * 2. else a WeChat Pay public key (`PUB_KEY_ID_…`) — it does not expire, and certificate-mode
 *    merchants who also configured one may use it; the most recently added if several;
 * 3. else the unexpired platform certificate that expires last (the newest during a rotation);
 * 4. else the most recently added other key.
 * @throws {ArgumentError} when no key is known or `serial` is unknown
 * @example
 * ```ts
 * choosePlatformSerial(client.verifier); // 'PUB_KEY_ID_0114232134912410000000000000'
 * ```
 */
export function choosePlatformSerial(verifier: Verifier, serial?: string, now: number = Date.now()): string {
  const serials = verifier.serials();
  if (serial !== undefined) {
    if (typeof serial !== 'string' || !verifier.has(serial)) {
      throw new ArgumentError(`encrypt.serial: "${String(serial).slice(0, 64)}" is not among the platform keys (${serials.join(', ') || 'none'})`, 'encrypt');
    }
    return normalizeSerial(serial);
  }
  const publicKeys = serials.filter((s) => PUBLIC_KEY_ID.test(s));
  if (publicKeys.length > 0) return publicKeys[publicKeys.length - 1] as string;
  let best: string | undefined;
  let bestExpiry = -Infinity;
  for (const s of serials) {
    const expiry = verifier.expiresAt(s)?.getTime();
    if (expiry !== undefined && expiry > now && expiry > bestExpiry) {
      best = s;
      bestExpiry = expiry;
    }
  }
  if (best !== undefined) return best;
  const others = serials.filter((s) => verifier.expiresAt(s) === undefined);
  if (others.length > 0) return others[others.length - 1] as string;
  throw new ArgumentError(
    serials.length === 0
      ? 'encrypt: no platform key to encrypt with: configure certs (PUB_KEY_ID_… or platform certificates) or start a CertificateManager'
      : `encrypt: every platform certificate has expired (${serials.join(', ')}); download current ones`,
    'encrypt',
  );
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object';
}

function walk(root: unknown, path: string, change: (value: unknown, where: string) => unknown): unknown {
  if (typeof path !== 'string' || path === '' || path.split('.').some((s) => s === '')) {
    throw new ArgumentError(`encrypt: "${String(path)}" is not a field path such as contact_info.mobile_phone`, 'encrypt');
  }
  const segments = path.split('.');
  const visit = (node: unknown, at: number, where: string): unknown => {
    if (!isContainer(node)) return node;
    const segment = segments[at] as string;
    const copy: Record<string, unknown> | unknown[] = Array.isArray(node) ? [...node] : { ...node };
    const keys = segment === '*' ? Object.keys(copy) : Object.hasOwn(copy, segment) ? [segment] : [];
    for (const key of keys) {
      const slot = copy as Record<string, unknown>;
      const here = where ? `${where}.${key}` : key;
      slot[key] = at === segments.length - 1 ? change(slot[key], here) : visit(slot[key], at + 1, here);
    }
    return copy;
  };
  return visit(root, 0, '');
}

function transform<T>(data: T, fields: readonly string[], change: (value: string, where: string) => string): T {
  if (!Array.isArray(fields)) throw new ArgumentError('encrypt: expected an array of field paths', 'encrypt');
  let out: unknown = data;
  for (const path of fields) {
    out = walk(out, path, (value, where) => {
      if (value === undefined || value === null) return value; // an absent optional field stays absent
      if (typeof value !== 'string' && typeof value !== 'number') throw new ArgumentError(`encrypt: ${where} must be a string, got ${Array.isArray(value) ? 'an array' : typeof value}`, 'encrypt');
      return change(String(value), where);
    });
  }
  return out as T;
}

/**
 * A copy of `data` with the named fields RSAES-OAEP encrypted (base64) with `publicKey`; absent
 * fields are skipped, the input is not changed. Synchronous.
 * @example
 * ```ts
 * const json = encryptFields(applyment, ['contact_info.contact_name', 'contact_info.mobile_phone'], platformPublicKey);
 * ```
 */
export function encryptFields<T>(data: T, fields: readonly string[], publicKey: KeyLike, padding: RsaPadding = 'oaep'): T {
  const key: KeyObject = Rsa.from(publicKey, Rsa.KEY_TYPE_PUBLIC);
  return transform(data, fields, (value) => Rsa.encrypt(value, key, padding));
}

/**
 * A copy of `data` with the named fields decrypted with the merchant private key — for answers
 * that carry encrypted personal data. Synchronous.
 * @throws {ArgumentError} naming the field that does not decrypt
 * @example
 * ```ts
 * const plain = decryptFields(res.data, ['account_name', 'account_number'], merchantPrivateKey);
 * ```
 */
export function decryptFields<T>(data: T, fields: readonly string[], privateKey: KeyLike, padding: RsaPadding = 'oaep'): T {
  const key: KeyObject = Rsa.from(privateKey, Rsa.KEY_TYPE_PRIVATE);
  return transform(data, fields, (value, where) => {
    try {
      return Rsa.decrypt(value, key, padding);
    } catch (cause) {
      throw new ArgumentError(`decrypt: ${where} does not decrypt with the merchant private key`, where, { cause });
    }
  });
}

/**
 * Applies the `encrypt` option of a request: returns options whose `json` has the fields
 * encrypted and whose headers carry `Wechatpay-Serial` (a serial already in `headers` is
 * honoured as the explicit choice). Options without `encrypt` are returned as they are.
 * @throws {ArgumentError}
 * @example
 * ```ts
 * const ready = applySensitiveFields({ json, encrypt: ['contact_info.mobile_phone'] }, client.verifier);
 * ```
 */
export function applySensitiveFields(options: RequestOptions, verifier: Verifier): RequestOptions {
  const spec = options.encrypt as SensitiveFields | undefined;
  if (spec === undefined) return options;
  if (options.json === undefined) throw new ArgumentError('encrypt: needs a json payload whose fields it encrypts', 'encrypt');
  const fields = Array.isArray(spec) ? spec : (spec as { fields?: readonly string[] })?.fields;
  if (!Array.isArray(fields)) throw new ArgumentError('encrypt: expected an array of field paths or { fields, serial?, padding? }', 'encrypt');
  const { serial: explicit, padding } = Array.isArray(spec) ? { serial: undefined, padding: undefined } : (spec as { serial?: string; padding?: RsaPadding });
  const headers: Record<string, string> = {};
  let fromHeader: string | undefined;
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (name.toLowerCase() === 'wechatpay-serial') fromHeader = value;
    else headers[name] = value;
  }
  if (explicit !== undefined && fromHeader !== undefined && normalizeSerial(explicit) !== normalizeSerial(fromHeader)) {
    throw new ArgumentError(`encrypt: encrypt.serial ${explicit} and the Wechatpay-Serial header ${fromHeader} disagree`, 'encrypt');
  }
  const serial = choosePlatformSerial(verifier, explicit ?? fromHeader);
  const key = verifier.get(serial) as KeyObject;
  headers['wechatpay-serial'] = serial;
  return { ...options, json: encryptFields(options.json, fields, key, padding ?? 'oaep'), headers, encrypt: undefined };
}
