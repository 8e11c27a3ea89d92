/**
 * What a download needs to know about the client that `Builder.factory` made, without putting it
 * on the client's public surface: which hosts the client may send its `Authorization` to (a bill's
 * `download_url` names one) and how to unwrap an `encrypt_key` with the merchant private key.
 * The facts live in a module-private WeakMap keyed by the client; the key never leaves its closure.
 * @module
 */
import { constants, privateDecrypt, type KeyObject } from 'node:crypto';
import type { Endpoint } from '../builder.js';

/**
 * The facts downloads use. `routes` maps a host (`host[:port]`, lower case) to the template prefix
 * that sends a request there: `''` for the base URL, `'hk/'` for the `hk` alias, ….
 * @example
 * ```ts
 * const facts: ClientFacts = { routes: new Map([['api.mch.weixin.qq.com', '']]), unwrapKey: (c) => c };
 * ```
 */
export interface ClientFacts {
  readonly routes: ReadonlyMap<string, string>;
  /** RSAES-OAEP (SHA-1) decryption with the merchant private key. */
  unwrapKey(ciphertext: Buffer): Buffer;
}

const registry = new WeakMap<object, ClientFacts>();

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The hosts a client knows and where each is sent: its base URL's host and the official API host
 * it stands for; then, per alias, the configured host and the alias's default WeChat Pay host.
 * The first claim of a host wins: the base URL before any alias, and aliases pointed away from
 * their default (a proxy, the emulator) before the others, so `apihk…` follows an overridden `hk`.
 * @example
 * ```ts
 * knownHosts({ origin: 'http://127.0.0.1:8080', prefix: '' }, new Map([['hk', { origin: 'https://apihk.mch.weixin.qq.com', prefix: '' }]]), DEFAULT_BASE_URL, DEFAULT_HOSTS);
 * // Map { '127.0.0.1:8080' => '', 'api.mch.weixin.qq.com' => '', 'apihk.mch.weixin.qq.com' => 'hk/' }
 * ```
 */
export function knownHosts(
  base: Endpoint,
  hosts: ReadonlyMap<string, Endpoint>,
  defaultBaseURL: string,
  defaultHosts: Readonly<Record<string, string>>,
): Map<string, string> {
  const routes = new Map<string, string>();
  const claim = (url: string | undefined, prefix: string) => {
    const host = url === undefined ? undefined : hostOf(url);
    if (host !== undefined && !routes.has(host)) routes.set(host, prefix);
  };
  claim(base.origin, '');
  claim(defaultBaseURL, '');
  // an alias pointed elsewhere (a proxy, the emulator) is how the caller reaches its default host: it goes first
  const overridden = (alias: string, endpoint: Endpoint) => defaultHosts[alias] !== undefined && hostOf(defaultHosts[alias]) !== hostOf(endpoint.origin);
  for (const pass of [true, false]) {
    for (const [alias, endpoint] of hosts) {
      if (overridden(alias, endpoint) !== pass) continue;
      claim(endpoint.origin, `${alias}/`);
      claim(defaultHosts[alias], `${alias}/`);
    }
  }
  return routes;
}

/**
 * Records the facts of a client (called once by `Builder.factory`).
 * @example
 * ```ts
 * registerClient(client, { routes: knownHosts(base, hosts, DEFAULT_BASE_URL, DEFAULT_HOSTS), unwrapKey: merchantUnwrap(privateKey) });
 * ```
 */
export function registerClient(client: object, facts: ClientFacts): void {
  registry.set(client, facts);
}

/**
 * The facts of a client made by `Builder.factory`, or `undefined` for any other object.
 * @example
 * ```ts
 * factsOf(client)?.routes.get('apihk.mch.weixin.qq.com'); // 'hk/'
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
