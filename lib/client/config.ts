/**
 * The client's configuration and its validation, in one module: what `Builder.factory` takes
 * ({@link ClientConfig}, its APIv2 part {@link ApiV2Config}) and {@link resolveConfig}, which checks
 * every option (naming the one at fault), loads the keys and certificates once, and returns the
 * pieces the builder wires together. Nothing here sends a request or makes an Agent.
 * @module
 */
import type { KeyObject } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { Verifier } from '../apiv3/verifier.js';
import { loadKey, normalizeSerial, type KeyLike } from '../crypto/keys.js';
import type { RetryOption } from '../endpoint/options.js';
import { checkHeaders } from '../endpoint/request.js';
import { ArgumentError } from '../errors.js';
import { OwnSecrets } from '../own-secrets.js';
import { debugSink, type DebugOption } from '../pipeline/debug.js';
import { resolveFailover, type FailoverOption, type ResolvedFailover } from '../pipeline/failover.js';
import { resolveRetry, type ResolvedRetryPolicy } from '../pipeline/retry.js';
import { parseGatewayPrefix, resolveHosts, type Target } from '../routing/hosts.js';
import { loadCertificates, loadMerchant, type LoadedMerchant, type MerchantCertificate, type PemLike } from '../transport/mutual-tls.js';
import { apiV2Secret, milliseconds, positiveBytes, requireToken } from '../validate.js';
import { VERSION } from '../version.js';

/**
 * Default milliseconds per attempt.
 * @example
 * ```ts
 * Builder.factory({ ...config, timeout: DEFAULT_TIMEOUT * 2 });
 * ```
 */
export const DEFAULT_TIMEOUT = 30_000;
/**
 * Default largest buffered response body (bytes); streamed downloads are not limited by it.
 * @example
 * ```ts
 * Builder.factory({ ...config, maxBodySize: DEFAULT_MAX_BODY_SIZE * 2 }); // 64 MiB
 * ```
 */
export const DEFAULT_MAX_BODY_SIZE = 32 * 1024 * 1024;

/**
 * What `Builder.factory` takes.
 * @example
 * ```ts
 * const config: ClientConfig = {
 *   mchid: '1900000109',
 *   serial: '3775B6A45ACD588826D15E583A95F5DD00000000',
 *   privateKey: '/path/to/apiclient_key.pem', // or 'file:///path/to/apiclient_key.pem', or the PEM text
 *   certs: { PUB_KEY_ID_0114232134912410000000000000: '/path/to/pub_key.pem' },
 * };
 * ```
 */
export interface ClientConfig extends ApiV2Config {
  /** Merchant id (商户号). */
  mchid: string;
  /**
   * Serial number of the merchant API certificate (商户API证书序列号): hex digits in any case,
   * sent in upper case as WeChat Pay writes serials; leading zeros as `openssl x509 -serial` prints them.
   * @example
   * ```ts
   * Builder.factory({ ...config, serial: '3775b6a45acd588826d15e583a95f5dd00000000' }); // sent as serial_no="3775B6A4…"
   * ```
   */
  serial: string;
  /**
   * Merchant API private key (`apiclient_key.pem`): PEM text (PKCS#8 or PKCS#1), a file path
   * (absolute, or relative to the working directory) or `file://` URL, a Buffer, KeyObject,
   * CryptoKey or JWK. A string holding a `-----BEGIN` line is PEM text, any other one-line string
   * a file to read; a file that cannot be read is named in the error (`cannot read … (ENOENT)`).
   */
  privateKey: KeyLike;
  /**
   * Platform certificates or WeChat Pay public keys by serial / `PUB_KEY_ID_…`; responses must
   * verify with one. Values in any form `privateKey` takes (a file path, `file://` URL, PEM text…).
   * Keys that are certificate serials (hex) are kept in upper case and a response's
   * `Wechatpay-Serial` is matched regardless of case; `PUB_KEY_ID_…` ids are kept as written.
   * @example
   * ```ts
   * certs: { PUB_KEY_ID_0114232134912410000000000000: '/etc/wechatpay/pub_key.pem' }
   * certs: { '5157f09efdc096de15ebe81a47057a7232f1b8e1': 'file:///etc/wechatpay/wechatpay_5157F09E….pem' } // kept as 5157F09E…
   * ```
   */
  certs?: Readonly<Record<string, KeyLike>>;
  /**
   * Where requests for the default host `https://api.mch.weixin.qq.com` go (default: there); point
   * it at the emulator or a forward proxy. Its path is part of the request target and is signed
   * (as wechatpay-php's `base_uri`); cross-border merchants whose access point is apihk set
   * `https://apihk.mch.weixin.qq.com/`.
   */
  baseURL?: string;
  /**
   * Where requests for another WeChat Pay origin go instead (see {@link KNOWN_ORIGINS}):
   * `{ 'https://apihk.mch.weixin.qq.com': 'http://127.0.0.1:8080/' }` (trailing `/` optional on
   * both sides). An endpoint's origin is the one its documentation names (`global/…` and
   * `v3/global/certificates` → apihk, `v2/risk/getpublickey` → fraud…); unmapped origins go to themselves.
   */
  hosts?: Readonly<Record<string, string>>;
  /**
   * A path a gateway in front of WeChat Pay strips before forwarding: sent before the signed path,
   * not signed (`'/wechatpay'`). Refused beside a base URL that has a path of its own.
   */
  gatewayPrefix?: string;
  /** Milliseconds per attempt (default 30 000); a request's own `timeout` overrides it. */
  timeout?: number;
  /** An undici Dispatcher (Agent, Pool, ProxyAgent, MockAgent, the emulator's dispatcher…). */
  dispatcher?: Dispatcher;
  /** Headers sent with every request. */
  headers?: Readonly<Record<string, string>>;
  /** Largest buffered response body in bytes (default 32 MiB). */
  maxBodySize?: number;
  /** Opt-in retries for GET and for connections that failed before sending (see {@link RetryPolicy}); off by default. */
  retry?: RetryOption;
  /**
   * Backup-domain failover (双域名容灾), off by default: `true` sends requests for the default host
   * to `https://api2.mch.weixin.qq.com/` when the primary (`baseURL`) fails in a way that is safe to
   * repeat, and stays there `recoverAfter` ms; `{ backupURL, recoverAfter, onFailover }` to choose.
   * See the reliability guide, Hosts and failover.
   */
  failover?: FailoverOption;
  /** Debug log of each attempt, secrets redacted: `true` (stderr) or `(line) => void`; also `NODE_DEBUG=wechatpay`. */
  debug?: DebugOption;
}

/**
 * The APIv2 part of the client configuration.
 * @example
 * ```ts
 * const client = Builder.factory({
 *   mchid, serial, privateKey, certs,
 *   secret: apiv2Key,                                   // APIv2 key (32 characters)
 *   merchant: { cert: 'file:///etc/wechatpay/apiclient_cert.pem', key: 'file:///etc/wechatpay/apiclient_key.pem' },
 * });
 * ```
 */
export interface ApiV2Config {
  /** The APIv2 key (APIv2密钥, 32 characters). Needed for any `v2/…` request. */
  secret?: string;
  /**
   * The merchant API certificate for mutual TLS: `{ cert, key }` or `{ pfx, passphrase }`. Used by
   * `security: true` requests and, unless they say `security: false`, by every endpoint that
   * needs it (secapi/pay/refund, mmpaymkttransfers/promotion/transfers…: the catalog's
   * `x-api-cert-required`, see lib/transport/mutual-tls.ts).
   */
  merchant?: MerchantCertificate;
  /**
   * CA certificates trusted for the server, instead of Node's bundled roots, on the connections
   * the client opens itself (its default Agent and the mutual-TLS Agent). For tests against a
   * loopback HTTPS server and for private gateways; leave unset for WeChat Pay.
   */
  ca?: PemLike | readonly PemLike[];
  /** A dispatcher for mutual-TLS requests that you built yourself (e.g. a ProxyAgent with `requestTls`); used instead of `merchant`. */
  securityDispatcher?: Dispatcher;
}

/**
 * A configuration checked and loaded: what {@link resolveConfig} returns.
 * @example
 * ```ts
 * const { mchid, verifier, targets }: ResolvedConfig = resolveConfig(config);
 * ```
 */
export interface ResolvedConfig {
  mchid: string;
  serial: string;
  privateKey: KeyObject;
  verifier: Verifier;
  /** Where each WeChat Pay origin is sent (`baseURL`, `hosts`). */
  targets: Map<string, Target>;
  gatewayPrefix: string;
  failover: ResolvedFailover | undefined;
  /** The client's own headers (lower-case), user-agent and accept included. */
  headers: Record<string, string>;
  timeout: number;
  maxBodySize: number;
  retry: ResolvedRetryPolicy | undefined;
  debug: ((line: string) => void) | undefined;
  secrets: OwnSecrets;
  /** The APIv2 key. */
  secret: string | undefined;
  /** CA certificates (PEM) trusted instead of Node's roots on the client's own connections. */
  ca: string[] | undefined;
  merchant: LoadedMerchant | undefined;
}

/**
 * The APIv2 part of a configuration, checked and loaded: the secret, the CA certificates, the
 * merchant certificate (a wrong passphrase or a key that does not match fails here, at once).
 * @throws {ArgumentError} naming `secret`, `ca`, `merchant`, `merchant.cert`, `merchant.key` or `merchant.pfx`
 * @example
 * ```ts
 * const { secret, ca, merchant } = resolveApiV2({ secret: apiv2Key, merchant: { pfx: 'file:///etc/wechatpay/apiclient_cert.p12' } });
 * ```
 */
export function resolveApiV2(config: ApiV2Config): { secret: string | undefined; ca: string[] | undefined; merchant: LoadedMerchant | undefined } {
  const secret = apiV2Secret(config.secret);
  const ca = config.ca === undefined ? undefined : loadCertificates(config.ca, 'ca');
  const merchant = config.merchant === undefined ? undefined : loadMerchant(config.merchant);
  return { secret, ca, merchant };
}

/**
 * The secrets a client never sends in a URL or a header (and so never shows in an error or the
 * debug log): the APIv2 secret, the merchant private key's text forms, the certificate passphrase
 * (unless it is the merchant id, PKCS#12's default). See ../own-secrets.ts.
 */
function ownSecretsOf(config: ClientConfig, mchid: string, privateKey: KeyObject): OwnSecrets {
  const secrets = new OwnSecrets().add('the APIv2 secret', config.secret).addPrivateKey('the merchant private key', privateKey);
  const passphrase = (config.merchant as { passphrase?: unknown } | undefined)?.passphrase;
  if (passphrase !== mchid) secrets.add('the merchant certificate passphrase', passphrase);
  return secrets;
}

/**
 * Validates a configuration and builds the pieces a client needs (the CLI and the doctor use it
 * too). The APIv2 part is checked last, as it always was.
 * @throws {ArgumentError} naming the option at fault
 * @example
 * ```ts
 * const { verifier } = resolveConfig(config);
 * ```
 */
export function resolveConfig(config: ClientConfig): ResolvedConfig {
  if (config === null || typeof config !== 'object') throw new ArgumentError('config: expected an object with mchid, serial, privateKey and certs', 'config');
  const mchid = requireToken(config.mchid, 'mchid', 'the merchant id, e.g. "1900000109"');
  // sent as WeChat Pay writes it: a lower-case serial_no is refused with 401 SIGN_ERROR
  const serial = normalizeSerial(requireToken(config.serial, 'serial', 'the merchant API certificate serial number (hex)'));
  const privateKey: KeyObject = loadKey(config.privateKey, 'private', 'privateKey');
  const verifier = new Verifier(config.certs ?? {});
  for (const known of verifier.serials()) {
    if (known.toUpperCase() === serial.toUpperCase()) {
      throw new ArgumentError(
        `certs: holds the merchant's own serial ${serial}; certs must be WeChat Pay platform certificates or public keys, not the merchant certificate`,
        'certs',
      );
    }
  }
  const targets = resolveHosts(config.baseURL, config.hosts);
  const failover = resolveFailover(config.failover, targets);
  const gatewayPrefix = parseGatewayPrefix(config.gatewayPrefix, failover === undefined ? targets.values() : [...targets.values(), failover.backup]);
  const headers = checkHeaders(config.headers, {
    accept: 'application/json, text/plain, */*',
    'user-agent': `wechatpay-chain/${VERSION} node/${process.versions.node} (${process.platform})`,
  });
  return {
    mchid,
    serial,
    privateKey,
    verifier,
    targets,
    gatewayPrefix,
    failover,
    headers,
    timeout: milliseconds(config.timeout, 'timeout', DEFAULT_TIMEOUT),
    maxBodySize: positiveBytes(config.maxBodySize, 'maxBodySize', DEFAULT_MAX_BODY_SIZE),
    retry: resolveRetry(config.retry, 'retry'),
    debug: debugSink(config.debug),
    secrets: ownSecretsOf(config, mchid, privateKey),
    ...resolveApiV2(config),
  };
}
