/**
 * The client with the loose chain type, for specs that send made-up paths, partial bodies or
 * invalid values on purpose (the generated endpoint types would refuse them at compile time).
 */
import type { ChainNode } from '../../lib/chain/types.js';
import type { ClientMembers, WeChatPayClient } from '../../lib/index.js';

/** A client seen through the loose {@link ChainNode} type. */
export type LooseClient = ChainNode & ClientMembers;

/**
 * Views a client through the loose chain type.
 * @example
 * ```ts
 * await loose(client).v2.pay.micropay.post({ xml: { mch_id } }); // partial on purpose
 * ```
 */
export function loose(client: WeChatPayClient): LooseClient {
  return client as unknown as LooseClient;
}
