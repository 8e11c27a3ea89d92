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
 * Any node of the chain: every property is a further segment, verbs are callable, `chain(path)`
 * appends a literal path.
 * @example
 * ```ts
 * const node: ChainNode = client.v3.ecommerce.refunds;
 * await node._refund_id_.returnAdvance.post({ refund_id, json: { sub_mchid } });
 * ```
 */
export type ChainNode = VerbCall & { chain(path: string): ChainNode } & { readonly [segment: string]: ChainNode };
