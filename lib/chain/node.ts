/**
 * The recursive Proxy behind `client.v3.ecommerce.refunds._refund_id_.returnAdvance.post(…)`.
 *
 * Each node wraps a no-op function (so it can be called), knows its template, and caches its
 * children per property name. A node named after a verb (`get`, `post`, `put`, `patch`, `delete`
 * and their `…Async` twins) is both a path segment (`….receivers.delete.post()` posts to
 * `…/receivers/delete`) and, when called, the verb on its parent (`….x.delete()` sends DELETE).
 * `then` and unknown symbols are `undefined`, so awaiting a node never sends or hangs.
 *
 * DESIGN (lib/chain/): what a user writes becomes a template and a verb, nothing more. The chain
 * knows no protocol, host or key: it hands `(method, template, options)` to the client's dispatch
 * (lib/client/builder.ts). ./segments.ts holds the naming rules, ./types.ts and ./typed.ts the
 * types (part of the vocabulary the generated catalog imports).
 * @module
 */
import type { HttpMethod, RequestOptions } from '../endpoint/options.js';
import type { ChainResponse } from '../pipeline/context.js';
import { joinTemplate, normalizeLiteral, normalizeProperty } from './segments.js';
import { nodeUtil } from '../lazy.js';

const { inspect } = nodeUtil;

/** Sends a request for a template; supplied by the client. */
export type Dispatch = (method: HttpMethod, template: string, options?: RequestOptions) => Promise<ChainResponse>;

const VERBS: Readonly<Record<string, HttpMethod>> = {
  get: 'GET',
  post: 'POST',
  put: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  getAsync: 'GET',
  postAsync: 'POST',
  putAsync: 'PUT',
  patchAsync: 'PATCH',
  deleteAsync: 'DELETE',
};

const TEMPLATE_METHODS = new Set(['toString', 'valueOf', 'toJSON']);

/** Extra members of the root node (the client itself), looked up before path segments. */
export type RootMembers = Readonly<Record<string, unknown>>;

interface NodeState {
  template: string;
  verb: HttpMethod | undefined;
  parent: string;
  children: Map<string, unknown>;
}

/**
 * Creates a chain node. `root` members (e.g. `pipeline`, `close`) exist only on the client itself.
 * @example
 * ```ts
 * const node = createNode('', dispatch);
 * String(node.v3.ecommerce.refunds._refund_id_.returnAdvance); // 'v3/ecommerce/refunds/{refund_id}/return-advance'
 * ```
 */
export function createNode(template: string, dispatch: Dispatch, root?: RootMembers, verb?: HttpMethod, parent = ''): unknown {
  const state: NodeState = { template, verb, parent, children: new Map() };
  const label = root ? `[WeChatPay client${typeof root.label === 'string' ? ` ${root.label}` : ''}]` : `[Chain ${template}]`;
  const chain = (path: string) => {
    if (typeof path !== 'string') throw new TypeError(`chain(path): path must be a string, got ${typeof path}`);
    return createNode(joinTemplate(template, normalizeLiteral(path)), dispatch);
  };
  const toTemplate = () => template;

  const target = function chainNode() {};
  // util.inspect looks at a Proxy's target without running traps, so the hook lives there
  Object.defineProperty(target, inspect.custom, { value: () => label });
  return new Proxy(target, {
    get(_target, key) {
      if (typeof key === 'symbol') {
        if (key === Symbol.toPrimitive) return toTemplate;
        if (key === inspect.custom) return () => label;
        if (key === Symbol.toStringTag) return 'Chain';
        return undefined;
      }
      if (key === 'then') return undefined;
      if (root && Object.hasOwn(root, key) && key !== 'label') return root[key];
      if (key === 'chain') return chain;
      if (TEMPLATE_METHODS.has(key)) return toTemplate;
      if (key.includes('/')) return createNode(joinTemplate(template, normalizeLiteral(key)), dispatch);
      let child = state.children.get(key);
      if (child === undefined) {
        child = createNode(joinTemplate(template, normalizeProperty(key)), dispatch, undefined, VERBS[key], template);
        state.children.set(key, child);
      }
      return child;
    },
    apply(_target, _this, args: unknown[]) {
      if (state.verb === undefined) {
        return Promise.reject(new TypeError(`${template || 'the client'} is a path, not a verb: call .get(), .post(), .put(), .patch() or .delete() on it`));
      }
      return dispatch(state.verb, state.parent, args[0] as RequestOptions | undefined);
    },
    set() {
      return false;
    },
    has(_target, key) {
      return typeof key === 'string' && key !== 'then';
    },
  });
}
