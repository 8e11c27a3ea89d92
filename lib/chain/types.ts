/**
 * Loose types of the chain, valid for any path (the generated catalog types refine them).
 * @module
 */
import type { RequestOptions } from '../endpoint/options.js';
import type { ChainResponse } from '../pipeline/context.js';

/**
 * Calling a verb node (`.get`, `.post`, …, `.postAsync`, …) sends the request.
 * @example
 * ```ts
 * const res: ChainResponse = await client.chain('v3/certificates').get();
 * ```
 */
export type VerbCall = (options?: RequestOptions) => Promise<ChainResponse>;

/**
 * The members every node has. Verb names and `apply` / `bind` / `call` are nodes too (a path
 * segment and, for verbs, a call), which shadows `Function.prototype`'s methods on purpose.
 * @example
 * ```ts
 * await client.chain('v3/profitsharing/receivers/delete').post({ json }); // POST …/receivers/delete
 * ```
 */
export interface NodeMembers {
  (options?: RequestOptions): Promise<ChainResponse>;
  /** Appends a literal path (case kept, `{name}` / `<name>` / `_name_` placeholders). */
  chain(path: string): ChainNode;
  get: ChainNode;
  post: ChainNode;
  put: ChainNode;
  patch: ChainNode;
  delete: ChainNode;
  getAsync: ChainNode;
  postAsync: ChainNode;
  putAsync: ChainNode;
  patchAsync: ChainNode;
  deleteAsync: ChainNode;
  apply: ChainNode;
  bind: ChainNode;
  call: ChainNode;
}

/**
 * Any node of the chain: every property is a further segment, verbs are callable, `chain(path)`
 * appends a literal path.
 * @example
 * ```ts
 * const node: ChainNode = client.chain('v3/ecommerce/refunds');
 * await node._refund_id_.returnAdvance.post({ refund_id, json: { sub_mchid } });
 * ```
 */
export type ChainNode = NodeMembers & { readonly [segment: string]: ChainNode };
