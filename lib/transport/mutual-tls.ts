/**
 * Mutual TLS (双向证书) for APIv2: the merchant certificate, the undici Agent presenting it, and
 * the end of the pipeline that sends a request over it — an APIv2 request that says
 * `security: true`, or says nothing and is to an endpoint the catalog marks as needing the
 * certificate (../apiv2/cert-required.ts). The certificate is loaded and checked when the
 * client is built (a wrong passphrase or a key that does not match the certificate fails at once);
 * the Agent is made on first use, cached per client and closed by `client.close()`.
 * @module
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import type { Agent, Dispatcher } from 'undici';
import { fromFile, loadKey, readKeySource } from '../crypto/keys.js';
import { ArgumentError } from '../errors.js';
import { nodeTls } from '../lazy.js';
import { describeValue } from '../validate.js';
import { CERT_REQUIRED_V2 } from '../apiv2/cert-required.js';
import type { ChainResponse, Next, RequestContext } from '../pipeline/context.js';
import { createAgent } from './agent.js';
import { createTransport } from './send.js';

// node:tls costs ~5 ms of a cold import; only a client with a merchant certificate needs it
function secureContext(options: ConnectionOptions): void {
  nodeTls().createSecureContext(options);
}

/**
 * PEM text, a Buffer (PEM or DER), a file path or a `file://` URL (a string holding a
 * `-----BEGIN` line is PEM text, any other one-line string a file: ../crypto/keys.ts `keyStringForm`).
 * @example
 * ```ts
 * const ca: PemLike = 'file:///etc/ssl/private-ca.pem';
 * ```
 */
export type PemLike = string | Buffer;

/**
 * The merchant API certificate (商户API证书, `apiclient_cert.pem` + `apiclient_key.pem`), or the
 * PKCS#12 bundle (`apiclient_cert.p12`, passphrase = the merchant id by default) as a Buffer, a
 * file path, a `file://` URL or base64 text. A `passphrase` next to `key` opens an encrypted PEM key
 * (wechatpay-php's `[$path, $passphrase]`).
 * @example
 * ```ts
 * const merchant: MerchantCertificate = { cert: 'file:///etc/wechatpay/apiclient_cert.pem', key: 'file:///etc/wechatpay/apiclient_key.pem' };
 * const bundle: MerchantCertificate = { pfx: 'file:///etc/wechatpay/apiclient_cert.p12', passphrase: '1900000109' };
 * ```
 */
export type MerchantCertificate = { cert: PemLike; key: PemLike | KeyObject; passphrase?: string } | { pfx: PemLike; passphrase?: string };

/**
 * The TLS material, loaded. Never printed: `inspect` and `toJSON` show only the kind.
 * @example
 * ```ts
 * const { kind, tls }: LoadedMerchant = loadMerchant({ cert, key }); // kind === 'pem'
 * ```
 */
export interface LoadedMerchant {
  readonly kind: 'pem' | 'pfx';
  /** Options for `tls.connect` / undici `connect`. */
  readonly tls: ConnectionOptions;
}

/** Text or bytes of a value, a string read by the one rule of ../crypto/keys.ts (PEM text, a file path or a `file://` URL). */
function bytesOf(thing: unknown, field: string, accept: { base64?: boolean } = {}): { bytes: Buffer | string; file?: string } {
  if (typeof thing === 'string') {
    const { value, file } = readKeySource(thing, field, accept);
    return { bytes: value as Buffer | string, file };
  }
  if (Buffer.isBuffer(thing)) return { bytes: thing };
  if (thing instanceof Uint8Array) return { bytes: Buffer.from(thing.buffer, thing.byteOffset, thing.byteLength) };
  throw new ArgumentError(`${field}: expected PEM text, a file path or file:// URL, or a Buffer; got ${describeValue(thing)}`, field);
}

function certificatePem(thing: unknown, field: string): string {
  const { bytes, file } = bytesOf(thing, field);
  return fromFile(file, field, () => {
    try {
      return new X509Certificate(bytes).toString();
    } catch (cause) {
      throw new ArgumentError(`${field}: not an X.509 certificate (PEM or DER); expected apiclient_cert.pem`, field, { cause });
    }
  });
}

/**
 * Reads certificate material for TLS: PEM text, Buffers or `file://` URLs, one or several.
 * @throws {ArgumentError}
 * @example
 * ```ts
 * loadCertificates('file:///etc/ssl/private-ca.pem', 'ca');
 * ```
 */
export function loadCertificates(thing: PemLike | readonly PemLike[], field: string): string[] {
  const list = Array.isArray(thing) ? (thing as readonly PemLike[]) : [thing as PemLike];
  return list.map((item, i) => certificatePem(item, list.length > 1 ? `${field}[${i}]` : field));
}

/**
 * Loads and checks the merchant certificate.
 * @throws {ArgumentError} naming `merchant.cert`, `merchant.key` or `merchant.pfx`; never echoing key material or the passphrase
 * @example
 * ```ts
 * const loaded = loadMerchant({ cert: certPem, key: keyPem });
 * ```
 */
export function loadMerchant(merchant: MerchantCertificate): LoadedMerchant {
  if (merchant === null || typeof merchant !== 'object') throw new ArgumentError('merchant: expected { cert, key } or { pfx, passphrase }', 'merchant');
  let tls: ConnectionOptions;
  let kind: 'pem' | 'pfx';
  if ('pfx' in merchant && merchant.pfx !== undefined) {
    if ('cert' in merchant || 'key' in merchant) throw new ArgumentError('merchant: give either { cert, key } or { pfx, passphrase }, not both', 'merchant');
    const passphrase = merchant.passphrase;
    if (passphrase !== undefined && typeof passphrase !== 'string') throw new ArgumentError('merchant.passphrase: must be a string', 'merchant.passphrase');
    const { bytes: pfx, file } = bytesOf(merchant.pfx, 'merchant.pfx', { base64: true });
    tls = { pfx: typeof pfx === 'string' ? Buffer.from(pfx, 'base64') : pfx, ...(passphrase === undefined ? {} : { passphrase }) };
    kind = 'pfx';
    const opened = tls;
    fromFile(file, 'merchant.pfx', () => {
      try {
        secureContext(opened);
      } catch (cause) {
        throw new ArgumentError('merchant.pfx: cannot be opened (not a PKCS#12 file, or a wrong passphrase)', 'merchant.pfx', { cause });
      }
    });
  } else if ('cert' in merchant && 'key' in merchant) {
    const cert = certificatePem(merchant.cert, 'merchant.cert');
    const passphrase = merchant.passphrase;
    if (passphrase !== undefined && typeof passphrase !== 'string') throw new ArgumentError('merchant.passphrase: must be a string', 'merchant.passphrase');
    let key: string | Buffer;
    if (passphrase === undefined) {
      key = loadKey(merchant.key, 'private', 'merchant.key').export({ type: 'pkcs8', format: 'pem' }).toString();
    } else {
      // an encrypted PEM key: decrypted by TLS itself, checked below
      if (typeof merchant.key !== 'string' && !Buffer.isBuffer(merchant.key)) throw new ArgumentError('merchant.key: with a passphrase, give the encrypted PEM as text, a Buffer, a file path or a file:// URL', 'merchant.key');
      key = bytesOf(merchant.key, 'merchant.key').bytes;
    }
    tls = passphrase === undefined ? { cert, key } : { cert, key, passphrase };
    kind = 'pem';
    try {
      secureContext(tls);
    } catch (cause) {
      const reason = (cause as { message?: string }).message ?? '';
      throw new ArgumentError(
        /bad decrypt|passphrase|PEM_read|DECODER/i.test(reason) && passphrase !== undefined
          ? 'merchant.key: cannot be decrypted with merchant.passphrase'
          : 'merchant: the key does not match the certificate (merchant.key must be the private key of merchant.cert)',
        'merchant.key',
        { cause },
      );
    }
  } else {
    throw new ArgumentError('merchant: expected { cert, key } (PEM text, a Buffer, a file path or a file:// URL) or { pfx, passphrase }', 'merchant');
  }
  const loaded: LoadedMerchant = { kind, tls };
  const label = () => `[merchant certificate (${kind})]`;
  Object.defineProperties(loaded, {
    toJSON: { value: label, enumerable: false },
    [Symbol.for('nodejs.util.inspect.custom')]: { value: label, enumerable: false },
  });
  return loaded;
}

/**
 * Lazily built dispatcher for `security: true` requests: your `securityDispatcher` when given,
 * else an undici Agent presenting the merchant certificate (made once, closed by {@link close}).
 * @example
 * ```ts
 * const secure = new SecureDispatcher(loadMerchant(merchant), undefined, { ca });
 * const dispatcher = secure.get(); // throws ArgumentError when nothing is configured
 * ```
 */
export class SecureDispatcher {
  readonly #merchant: LoadedMerchant | undefined;
  readonly #given: Dispatcher | undefined;
  readonly #connect: ConnectionOptions;
  #agent: Agent | undefined;

  constructor(merchant: LoadedMerchant | undefined, given: Dispatcher | undefined, connect: ConnectionOptions = {}) {
    this.#merchant = merchant;
    this.#given = given;
    this.#connect = connect;
  }

  /** Whether `security: true` can be honoured. */
  get available(): boolean {
    return this.#given !== undefined || this.#merchant !== undefined;
  }

  /**
   * The dispatcher; builds the Agent on first call.
   * @param endpoint the request's template, named in the error when nothing is configured
   * @param implied true when the catalog, not `security: true`, asked for the certificate
   */
  get(endpoint?: string, implied = false): Dispatcher {
    if (this.#given) return this.#given;
    if (!this.#merchant) {
      const why = implied ? `${endpoint ?? 'this endpoint'} needs the merchant API certificate (mutual TLS)` : `security: true${endpoint === undefined ? '' : ` (${endpoint})`} needs the merchant API certificate`;
      const optOut = implied ? ', or security: false if a gateway in front presents the certificate for you' : '';
      throw new ArgumentError(`merchant: ${why}; pass merchant: { cert, key } or { pfx, passphrase } (or securityDispatcher) to Builder.factory${optOut}`, 'merchant');
    }
    // made on first use, so a client that never sends over mutual TLS never loads undici for it
    this.#agent ??= createAgent({ connect: { ...this.#connect, ...this.#merchant.tls } });
    return this.#agent;
  }

  /** Closes the Agent this object made (never a `securityDispatcher` you passed in). */
  async close(): Promise<void> {
    const agent = this.#agent;
    this.#agent = undefined;
    await agent?.close();
  }
}

/**
 * Whether an APIv2 request to `template` needs the merchant certificate, as the endpoint catalog
 * says (`x-api-cert-required`). `template` is the chain's, `v2/secapi/pay/refund`, matched with its
 * path variables unexpanded.
 * @example
 * ```ts
 * certificateRequired('v2/secapi/pay/refund'); // true
 * certificateRequired('v2/pay/micropay');      // false
 * ```
 */
export function certificateRequired(template: string): boolean {
  return template.startsWith('v2/') && CERT_REQUIRED_V2.has(template.slice(3));
}

/**
 * The end of the pipeline for a client with APIv2: an APIv2 request goes over mutual TLS when it
 * says `security: true`, or says nothing and its endpoint needs the certificate; the rest (and all
 * of APIv3) through `send`.
 * @example
 * ```ts
 * const terminal = routeMutualTls(createTransport(agent), new SecureDispatcher(loadMerchant(merchant), undefined));
 * ```
 */
export function routeMutualTls(send: Next, secure: SecureDispatcher): Next {
  let secureSend: Next | undefined;
  return (ctx: RequestContext): Promise<ChainResponse> => {
    if (ctx.protocol !== 'v2') return send(ctx);
    const security: unknown = ctx.options.security;
    if (security === false) return send(ctx);
    let implied = false;
    if (security === undefined) {
      if (!certificateRequired(ctx.template)) return send(ctx);
      implied = true;
    } else if (security !== true) {
      return Promise.reject(new ArgumentError('security: must be true or false (leave it out to follow the endpoint: mutual TLS where the certificate is required)', 'security'));
    }
    try {
      secureSend ??= createTransport(secure.get(ctx.template, implied));
    } catch (error) {
      return Promise.reject(error);
    }
    return secureSend(ctx);
  };
}
