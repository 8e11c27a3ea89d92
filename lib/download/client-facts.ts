/**
 * What a download needs to know about the client that `Builder.factory` made, without putting it
 * on the client's public surface: which origins the client may send its `Authorization` to (a bill's
 * `download_url` names one) and how to unwrap an `encrypt_key` with the merchant private key.
 * The facts live in a module-private WeakMap keyed by the client; the key never leaves its closure.
 * @module
 */
import { constants, privateDecrypt, type KeyObject } from 'node:crypto';
import { KNOWN_ORIGINS, type Target } from '../routing/hosts.js';

/**
 * The facts downloads use. `origins` are the origins (`scheme://host[:port]`, as `URL.origin`
 * gives them) a `download_url` may name: every WeChat Pay origin the client knows, and every
 * place its base URL, `hosts` and failover backup send to.
 * @example
 * ```ts
 * const facts: ClientFacts = { origins: new Set(['https://api.mch.weixin.qq.com']), unwrapKey: (c) => c };
 * ```
 */
export interface ClientFacts {
  readonly origins: ReadonlySet<string>;
  /** RSAES-OAEP (SHA-1) decryption with the merchant private key. */
  unwrapKey(ciphertext: Buffer): Buffer;
}

const registry = new WeakMap<object, ClientFacts>();

/**
 * The origins a client's signed download GET may go to: the WeChat Pay origins (the catalog's, the
 * backup domains and the newer `api.wechatpay.cn` / `api2.wechatpay.cn`, see lib/routing/hosts.ts)
 * and the origins of its targets (a proxy, the emulator).
 * @example
 * ```ts
 * knownOrigins([{ origin: 'http://127.0.0.1:8080', basePath: '' }]).has('https://apihk.mch.weixin.qq.com'); // true
 * ```
 */
export function knownOrigins(targets: Iterable<Target>): Set<string> {
  const origins = new Set(KNOWN_ORIGINS);
  for (const target of targets) origins.add(target.origin);
  return origins;
}

/**
 * Records the facts of a client (called once by `Builder.factory`).
 * @example
 * ```ts
 * registerClient(client, { origins: knownOrigins(targets.values()), unwrapKey: merchantUnwrap(privateKey) });
 * ```
 */
export function registerClient(client: object, facts: ClientFacts): void {
  registry.set(client, facts);
}

/**
 * The facts of a client made by `Builder.factory`, or `undefined` for any other object.
 * @example
 * ```ts
 * factsOf(client)?.origins.has('https://apihk.mch.weixin.qq.com'); // true
 * ```
 */
export function factsOf(client: unknown): ClientFacts | undefined {
  return client !== null && (typeof client === 'object' || typeof client === 'function') ? registry.get(client as object) : undefined;
}

/**
 * RSAES-OAEP (SHA-1, MGF1-SHA-1) decryption with a private key, as WeChat Pay wraps bill file keys
 * (`encrypt_key`) with the merchant's public key. Throws node's error on a wrong key or bad data.
 * @example
 * ```ts
 * const unwrap = merchantUnwrap(privateKey);
 * const fileKey = unwrap(Buffer.from(entry.encrypt_key, 'base64'));
 * ```
 */
export function merchantUnwrap(privateKey: KeyObject): (ciphertext: Buffer) => Buffer {
  return (ciphertext) => privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, ciphertext);
}
