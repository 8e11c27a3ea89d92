/**
 * The building blocks of the generated endpoint types (lib/openapi): a verb of a known endpoint
 * takes that endpoint's options and resolves to a {@link ChainResponse} of its documented body.
 * @module
 */
import type { RequestOptions } from '../endpoint/options.js';
import type { ChainResponse } from '../pipeline/context.js';
import type { ChainNode } from './types.js';

/**
 * What the generated flat map holds per method: the options object and the decoded 200 body.
 * @example
 * ```ts
 * type ReturnAdvance = Endpoints['v3/ecommerce/refunds/{refund_id}/return-advance']['post'];
 * const options: ReturnAdvance['options'] = { refund_id: '5000', json: { sub_mchid: '1900000109' } };
 * ```
 */
export interface OperationShape {
  options: object;
  data: unknown;
}

type NamedKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/**
 * The options every typed verb takes besides its endpoint's own (path variables, `query`, `json`
 * / `xml`): `headers`, `timeout`, `signal`, `retry`, `encrypt`… — every named member of
 * {@link RequestOptions} but the payload, so options other areas add are accepted here too.
 * @example
 * ```ts
 * const extra: CallOptions = { timeout: 5_000, retry: false };
 * ```
 */
export type CallOptions = Pick<RequestOptions, Exclude<NamedKeys<RequestOptions>, 'query' | 'json' | 'xml'>>;

/**
 * A verb of an endpoint whose options have required members (path variables, body fields…).
 * @example
 * ```ts
 * const post: Call<Endpoints['v3/ecommerce/refunds/apply']['post']> = client.v3.ecommerce.refunds.apply.post;
 * ```
 */
export type Call<Op extends OperationShape> = (options: Op['options'] & CallOptions) => Promise<ChainResponse<Op['data']>>;

/**
 * A verb of an endpoint that can be called without options.
 * @example
 * ```ts
 * const { data } = await client.v3.certificates.get();
 * ```
 */
export type OptionalCall<Op extends OperationShape> = (options?: Op['options'] & CallOptions) => Promise<ChainResponse<Op['data']>>;

/**
 * Members every typed node has besides its segments and verbs.
 * @example
 * ```ts
 * const loose: ChainNode = client.v3.ecommerce.chain('refunds/{refund_id}/new-thing');
 * ```
 */
export interface TypedNode {
  /** Appends a literal path (case kept); the result has the loose {@link ChainNode} type. */
  chain(path: string): ChainNode;
}
