/**
 * The client registry: every client `Builder.factory` made, and what the library knows about
 * each that is not on the client's public surface — the origins its signed download GET may go
 * to (a bill's `download_url` names one), how to unwrap a bill's `encrypt_key` with the merchant
 * private key (the key never leaves that closure), and the secrets the client refuses to send
 * (a certificate download adds the APIv3 key). A module-private WeakMap keyed by the client, so a
 * record lives exactly as long as its client.
 * @module
 */
import type { OwnSecrets } from '../own-secrets.js';

/**
 * What the registry keeps for one client.
 * @example
 * ```ts
 * const record: ClientRecord = { origins: new Set(['https://api.mch.weixin.qq.com']), unwrapKey: (c) => c, secrets: new OwnSecrets() };
 * ```
 */
export interface ClientRecord {
  /**
   * The origins (`scheme://host[:port]`, as `URL.origin` gives them) a `download_url` may name:
   * every WeChat Pay origin, and every place the client's base URL, `hosts` and failover backup
   * send to.
   */
  readonly origins: ReadonlySet<string>;
  /** RSAES-OAEP (SHA-1) decryption with the merchant private key. */
  unwrapKey(ciphertext: Buffer): Buffer;
  /** What the client never sends in a URL or a header. */
  readonly secrets: OwnSecrets;
}

const clients = new WeakMap<object, ClientRecord>();

/**
 * Records a client (called once, by `Builder.factory`).
 * @example
 * ```ts
 * registerClient(client, { origins: knownOrigins(targets.values()), unwrapKey, secrets });
 * ```
 */
export function registerClient(client: object, record: ClientRecord): void {
  clients.set(client, record);
}

/**
 * The record of a client made by `Builder.factory`, or `undefined` for any other value.
 * @example
 * ```ts
 * recordOf(client)?.origins.has('https://apihk.mch.weixin.qq.com'); // true
 * ```
 */
export function recordOf(client: unknown): ClientRecord | undefined {
  return client !== null && (typeof client === 'object' || typeof client === 'function') ? clients.get(client as object) : undefined;
}
