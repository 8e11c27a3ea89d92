/**
 * How `Builder.factory` hooks APIv2 in: the configuration it adds (`secret`, `merchant`, `ca`,
 * `securityDispatcher`), protocol selection by the `v2/` prefix, the `sign`/`verify` handlers and
 * the routing to the mutual-TLS dispatcher: of `security: true` requests, and of requests to the
 * endpoints the catalog marks as needing the certificate (./cert-required.ts) unless they say
 * `security: false`.
 * @module
 */
import type { ConnectionOptions } from 'node:tls';
import type { Agent, Dispatcher } from 'undici';
import { ArgumentError } from '../../errors.js';
import { apiV2Secret } from '../../validate.js';
import type { Next, Protocol } from '../context.js';
import { loadCertificates, loadMerchant, routeMutualTls, SecureDispatcher, type MerchantCertificate, type PemLike } from '../../transport/mutual-tls.js';
import { v2Signer } from './sign.js';
import { v2Verify } from './verify.js';

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
   * needs it (secapi/pay/refund, mmpaymkttransfers/promotion/transfers…, see `certificateRequired`).
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
 * The protocol of a template and the template to expand: `v2/pay/micropay` → APIv2, `pay/micropay`.
 * @throws {ArgumentError} for a bare `v2`
 * @example
 * ```ts
 * selectProtocol('v2/secapi/pay/refund'); // { protocol: 'v2', template: 'secapi/pay/refund' }
 * selectProtocol('v3/certificates');      // { protocol: 'v3', template: 'v3/certificates' }
 * ```
 */
export function selectProtocol(template: string): { protocol: Protocol; template: string } {
  if (template === 'v2' || template === 'v2/') throw new ArgumentError('no endpoint: name an APIv2 path, e.g. client.v2.pay.micropay.post({ xml })', 'template');
  if (template.startsWith('v2/')) return { protocol: 'v2', template: template.slice(3) };
  return { protocol: 'v3', template };
}

/**
 * Validates the APIv2 configuration and builds its pieces.
 * @throws {ArgumentError} for a malformed secret, certificate or CA
 * @example
 * ```ts
 * const v2 = apiV2(config, mchid);
 * const pipeline = new Pipeline([['sign', byProtocol({ v3: v3Sign, v2: v2.sign })], ['verify', byProtocol({ v3: v3Check, v2: v2.verify })]], v2.route(send));
 * ```
 */
export function apiV2(config: ApiV2Config, mchid: string) {
  const secret = apiV2Secret(config.secret);
  const ca = config.ca === undefined ? undefined : loadCertificates(config.ca, 'ca');
  const connect: ConnectionOptions = ca === undefined ? {} : { ca };
  const merchant = config.merchant === undefined ? undefined : loadMerchant(config.merchant);
  const secure = new SecureDispatcher(merchant, config.securityDispatcher, connect);

  return {
    /** Options for the client's own default Agent (the `ca`, when given). */
    agentOptions: (ca === undefined ? {} : { connect: { ca } }) as Agent.Options,
    sign: v2Signer({ mchid, secret }),
    verify: v2Verify({ secret }),
    /** The terminal step: APIv2 requests that need the merchant certificate over mutual TLS, the rest through `send`. */
    route: (send: Next): Next => routeMutualTls(send, secure),
    close: () => secure.close(),
  };
}
