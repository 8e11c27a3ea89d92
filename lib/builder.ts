/**
 * `Builder.factory(config)`: validates the configuration, loads the keys once, assembles the
 * pipeline (`sign → [your steps] → verify → transport`) and returns the chain client.
 * @module
 */
import type { KeyObject } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { createNode, type Dispatch } from './chain/node.js';
import { loadKey, type KeyLike } from './crypto/keys.js';
import type { HttpMethod, RequestOptions, RetryOption } from './endpoint/options.js';
import { buildRequest, checkHeaders } from './endpoint/request.js';
import { ArgumentError } from './errors.js';
import { milliseconds, positiveBytes, requireToken } from './validate.js';
import type { ChainResponse, Middleware, RequestContext } from './pipeline/context.js';
import { byProtocol } from './pipeline/by-protocol.js';
import { installInnerStep, Pipeline } from './pipeline/pipeline.js';
import { debugSink, debugStep, type DebugOption } from './pipeline/debug.js';
import { resolveRetry, retryStep } from './pipeline/retry.js';
import { failoverStep, resolveFailover, type FailoverOption } from './pipeline/failover.js';
import { redactWhenPrinted } from './redact.js';
import { createAgent } from './transport/agent.js';
import { createTransport } from './transport/send.js';
import { v3Signer } from './pipeline/v3/sign.js';
import { Verifier } from './apiv3/verifier.js';
import { v3Verify } from './pipeline/v3/verify.js';
import { apiV2, selectProtocol, type ApiV2Config } from './pipeline/v2/setup.js';
import { VERSION } from './version.js';
import { applySensitiveFields } from './sensitive/fields.js';
import type { TypedRoot } from './openapi/index.js';
import { knownOrigins, merchantUnwrap, registerClient } from './download/client-facts.js';
import { parseGatewayPrefix, resolveHosts, routeOf } from './routing/hosts.js';
import { OwnSecrets, rememberOwnSecrets } from './own-secrets.js';

/** Default milliseconds per attempt. */
export const DEFAULT_TIMEOUT = 30_000;
/** Default largest buffered response body (bytes); streamed downloads are not limited by it. */
export const DEFAULT_MAX_BODY_SIZE = 32 * 1024 * 1024;

/**
 * What `Builder.factory` takes.
 * @example
 * ```ts
 * const config: ClientConfig = {
 *   mchid: '1900000109',
 *   serial: '3775B6A45ACD588826D15E583A95F5DD00000000',
 *   privateKey: 'file:///path/to/apiclient_key.pem',
 *   certs: { PUB_KEY_ID_0114232134912410000000000000: 'file:///path/to/pub_key.pem' },
 * };
 * ```
 */
export interface ClientConfig extends ApiV2Config {
  /** Merchant id (商户号). */
  mchid: string;
  /** Serial number of the merchant API certificate (商户API证书序列号). */
  serial: string;
  /** Merchant API private key: PEM (PKCS#8 or PKCS#1), `file://` URL, Buffer, KeyObject, CryptoKey or JWK. */
  privateKey: KeyLike;
  /** Platform certificates or WeChat Pay public keys by serial / `PUB_KEY_ID_…`; responses must verify with one. */
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
 * Members of the client besides the chain.
 * @example
 * ```ts
 * client.pipeline.use(logStep, 'log');
 * await client.close();
 * ```
 */
export interface ClientMembers {
  /** The middleware pipeline (see {@link Pipeline}). */
  readonly pipeline: Pipeline;
  /** The platform keys used for verification; a certificate manager may rotate them. */
  readonly verifier: Verifier;
  /** Closes the client's own undici Agents, the mutual-TLS one included (not a dispatcher you passed in). */
  close(): Promise<void>;
}

/**
 * The client: the typed chain root (every catalog endpoint, see lib/openapi) plus {@link ClientMembers}.
 * `client.chain('<unknown path>')` gives the loose {@link ChainNode}.
 * @example
 * ```ts
 * const client: WeChatPayClient = Builder.factory(config);
 * ```
 */
export type WeChatPayClient = TypedRoot & ClientMembers;

/**
 * Validates a configuration and builds the pieces a client needs. Exposed for the CLI and tests.
 * @throws {ArgumentError} naming the option at fault
 * @example
 * ```ts
 * const { verifier } = resolveConfig(config);
 * ```
 */
export function resolveConfig(config: ClientConfig) {
  if (config === null || typeof config !== 'object') throw new ArgumentError('config: expected an object with mchid, serial, privateKey and certs', 'config');
  const mchid = requireToken(config.mchid, 'mchid', 'the merchant id, e.g. "1900000109"');
  const serial = requireToken(config.serial, 'serial', 'the merchant API certificate serial number (hex)');
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
  };
}

/**
 * The entry point, named as in wechatpay-php.
 * @example
 * ```ts
 * import { Builder } from 'wechatpay-chain';
 * const client = Builder.factory({ mchid, serial, privateKey, certs });
 * const { data } = await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id, json: { sub_mchid } });
 * ```
 */
export const Builder = {
  /**
   * Builds a client. Keys are loaded here, so a bad key fails now, not on the first request.
   * @throws {ArgumentError}
   */
  factory(config: ClientConfig): WeChatPayClient {
    const resolved = resolveConfig(config);
    // APIv2 (secret, merchant certificate, ca): see lib/pipeline/v2/setup.ts
    const v2 = apiV2(config, resolved.mchid);
    const ownAgent = config.dispatcher === undefined ? createAgent(v2.agentOptions) : undefined;
    const transport = v2.route(createTransport(config.dispatcher ?? (ownAgent as Dispatcher)));
    const steps: Array<[string, Middleware]> = [
      ['sign', byProtocol({ v3: v3Signer(resolved), v2: v2.sign })],
      ['verify', byProtocol({ v3: v3Verify(resolved.verifier), v2: v2.verify })],
    ];
    const pipeline = new Pipeline(steps, transport);
    // never sent in a URL or a header (and so never shown in an error or the debug log): see own-secrets.ts
    const secrets = new OwnSecrets().add('the APIv2 secret', config.secret).addPrivateKey('the merchant private key', resolved.privateKey);
    const passphrase = (config.merchant as { passphrase?: unknown } | undefined)?.passphrase;
    if (passphrase !== resolved.mchid) secrets.add('the merchant certificate passphrase', passphrase);
    // reliability (issue 8): retries outside signing, so every attempt is re-signed; debug log innermost
    pipeline.before('sign', retryStep(resolved.retry, redactWhenPrinted), 'retry');
    // 双域名容灾 (issue 14): inside retry, before signing, so the backup attempt is signed afresh
    if (resolved.failover) pipeline.before('sign', failoverStep(resolved.failover, redactWhenPrinted, resolved.debug), 'failover');
    if (resolved.debug) installInnerStep(pipeline, 'verify', debugStep(resolved.debug), 'debug');

    const dispatch: Dispatch = (method: HttpMethod, template: string, options?: RequestOptions): Promise<ChainResponse> => {
      let ctx: RequestContext;
      try {
        if (template === '') throw new ArgumentError('no endpoint: name a path before the verb, e.g. client.v3.certificates.get()', 'template');
        const opts = applySensitiveFields(options ?? {}, resolved.verifier); // `encrypt`: sensitive fields + Wechatpay-Serial
        // the origin the endpoint is documented at, mapped through hosts (lib/routing/hosts.ts)
        const route = routeOf(template, opts.baseURL, resolved.targets, resolved.gatewayPrefix);
        const selected = selectProtocol(template);
        const prepared = buildRequest(method, selected.template, opts, resolved.headers);
        secrets.check(prepared.path, prepared.headers);
        ctx = {
          protocol: selected.protocol,
          method,
          template,
          documentedOrigin: route.documentedOrigin,
          origin: route.origin,
          prefix: resolved.gatewayPrefix,
          basePath: route.basePath,
          path: route.basePath + route.lead + prepared.path,
          headers: prepared.headers,
          body: prepared.body,
          signBody: prepared.signBody,
          options: opts,
          timeout: milliseconds(opts.timeout, 'timeout', resolved.timeout),
          maxBodySize: resolved.maxBodySize,
          attempt: 1,
          state: {},
        };
      } catch (error) {
        return Promise.reject(error);
      }
      return pipeline.run(redactWhenPrinted(ctx));
    };

    const members: ClientMembers & { label: string } = {
      label: `mchid=${resolved.mchid}`,
      pipeline,
      verifier: resolved.verifier,
      close: async () => {
        await Promise.all([ownAgent?.close(), v2.close()]);
      },
    };
    const client = createNode('', dispatch, members as unknown as Readonly<Record<string, unknown>>) as WeChatPayClient;
    // downloads (issue 5): the origins a download_url may name, and encrypt_key unwrapping; kept off the public surface
    const sentTo = resolved.failover ? [...resolved.targets.values(), resolved.failover.backup] : resolved.targets.values();
    registerClient(client, { origins: knownOrigins(sentTo), unwrapKey: merchantUnwrap(resolved.privateKey) });
    rememberOwnSecrets(client, secrets);
    return client;
  },
};
