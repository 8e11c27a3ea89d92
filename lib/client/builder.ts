/**
 * `Builder.factory(config)`: wiring, and only wiring. The configuration is checked and loaded by
 * ./config.ts, a call becomes a request context in ../endpoint/context.ts; here the pieces are
 * put together — the transport (../transport/), the pipeline `retry → [failover] → sign →
 * [your steps] → verify → transport` (../pipeline/), the chain (../chain/) — and the client is
 * recorded in ./registry.ts.
 *
 * DESIGN (lib/client/): the only folder that knows every other one. ./config.ts checks and loads,
 * this module wires, ./registry.ts remembers what downloads and certificate downloads need to
 * know about a client without putting it on the client.
 * @module
 */
import type { Dispatcher } from 'undici';
import type { Verifier } from '../apiv3/verifier.js';
import { createNode, type Dispatch } from '../chain/node.js';
import { requestContext } from '../endpoint/context.js';
import type { TypedRoot } from '../openapi/index.js';
import { byProtocol } from '../pipeline/by-protocol.js';
import { debugStep } from '../pipeline/debug.js';
import { failoverStep } from '../pipeline/failover.js';
import { installInnerStep, Pipeline } from '../pipeline/pipeline.js';
import { retryStep } from '../pipeline/retry.js';
import { v2SignStep } from '../pipeline/v2/sign.js';
import { v2VerifyStep } from '../pipeline/v2/verify.js';
import { v3SignStep } from '../pipeline/v3/sign.js';
import { v3VerifyStep } from '../pipeline/v3/verify.js';
import { redactWhenPrinted } from '../redact.js';
import { knownOrigins } from '../routing/hosts.js';
import { rsaDecrypt } from '../crypto/rsa.js';
import { createAgent } from '../transport/agent.js';
import { routeMutualTls, SecureDispatcher } from '../transport/mutual-tls.js';
import { createTransport } from '../transport/send.js';
import { resolveConfig, type ClientConfig } from './config.js';
import { registerClient } from './registry.js';

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
    const { ca, merchant } = resolved;
    const ownAgent = config.dispatcher === undefined ? createAgent(ca === undefined ? {} : { connect: { ca } }) : undefined;
    // APIv2 requests that need the merchant certificate go over mutual TLS (../transport/mutual-tls.ts)
    const secure = new SecureDispatcher(merchant, config.securityDispatcher, ca === undefined ? {} : { ca });
    const transport = routeMutualTls(createTransport(config.dispatcher ?? (ownAgent as Dispatcher)), secure);
    const pipeline = new Pipeline(
      [
        ['sign', byProtocol({ v3: v3SignStep(resolved), v2: v2SignStep(resolved) })],
        ['verify', byProtocol({ v3: v3VerifyStep(resolved.verifier), v2: v2VerifyStep(resolved) })],
      ],
      transport,
    );
    // retries outside signing, so every attempt is re-signed; failover inside retry, before
    // signing, so the backup attempt is signed afresh; the debug log innermost
    pipeline.before('sign', retryStep(resolved.retry, redactWhenPrinted), 'retry');
    if (resolved.failover) pipeline.before('sign', failoverStep(resolved.failover, redactWhenPrinted, resolved.debug), 'failover');
    if (resolved.debug) installInnerStep(pipeline, 'verify', debugStep(resolved.debug), 'debug');

    const dispatch: Dispatch = (method, template, options) => {
      try {
        return pipeline.run(requestContext(method, template, options, resolved));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    const members: ClientMembers & { label: string } = {
      label: `mchid=${resolved.mchid}`,
      pipeline,
      verifier: resolved.verifier,
      close: async () => {
        await Promise.all([ownAgent?.close(), secure.close()]);
      },
    };
    const client = createNode('', dispatch, members as unknown as Readonly<Record<string, unknown>>) as WeChatPayClient;
    const sentTo = resolved.failover ? [...resolved.targets.values(), resolved.failover.backup] : resolved.targets.values();
    const { privateKey } = resolved;
    registerClient(client, { origins: knownOrigins(sentTo), unwrapKey: (ciphertext) => rsaDecrypt(privateKey, ciphertext), secrets: resolved.secrets });
    return client;
  },
};
