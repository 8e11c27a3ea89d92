/**
 * The catalog as the routing specs read it: straight from the pinned YAML with js-yaml, not with
 * the generator's reader, so a mistake there cannot hide here. For each path and method: the
 * chain template, the origin and the path WeChat Pay serves it at.
 *
 * The facts, and where they come from:
 * - an operation's own `x-base-uri` / `x-baseuri` names its host (the catalog's field);
 * - `global/…` is served by https://apihk.mch.weixin.qq.com with `global/` in the path (WeChat Pay's
 *   报关 documentation, pay.weixin.qq.com/wiki/doc/api/wxpay/ch/declarecustom_ch/chapter3_1.shtml,
 *   linked from the catalog's global/v3/customs/orders.yaml);
 * - `hk/…` is served by the default host with `hk/` in the path and in the signed message
 *   (wechatpay-php tests/OpenAPI/V3/StatementsTest.php: base_uri https://api.mch.weixin.qq.com/hk/
 *   with chain('v3/statements'), and src/ClientJsonTrait.php matching the request path '/hk/v3/statements');
 * - everything else: the index's `schemes` + `host`; APIv2 paths as the index keys them (no `v2/`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { normalizeProperty } from '../../lib/chain/segments.js';
import type { ChainNode } from '../../lib/chain/types.js';
import { DEFAULT_CATALOG } from '../../scripts/generate.js';

export const APIHK = 'https://apihk.mch.weixin.qq.com';

export interface CatalogCall {
  /** As the chain builds it, e.g. `hk/v3/refunds/id/{refund_id}` or `v2/risk/getpublickey`. */
  template: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  protocol: 'v2' | 'v3';
  /** The documented origin. */
  origin: string;
  /** The path WeChat Pay serves, variables filled with `V-<name>`. */
  path: string;
  /** Path variables `{ name: 'V-name' }`. */
  variables: Record<string, string>;
}

type Yaml = Record<string, unknown>;

export function catalogCalls(root = DEFAULT_CATALOG): CatalogCall[] {
  const index = load(readFileSync(join(root, 'swagger.yaml'), 'utf8')) as { host: string; schemes: string[]; paths: Record<string, { $ref: string }> };
  const fallback = `${index.schemes.includes('https') ? 'https' : index.schemes[0]}://${index.host}`;
  const calls: CatalogCall[] = [];
  for (const [key, entry] of Object.entries(index.paths)) {
    const file = entry.$ref.replace(/^\.\//, '');
    const doc = load(readFileSync(join(root, file), 'utf8')) as Yaml;
    const v2 = file.startsWith('v2/');
    const template = v2 ? `v2${key}` : key.slice(1);
    const variables: Record<string, string> = {};
    let path = key;
    for (const [, name] of key.matchAll(/\{([^}]+)\}/g)) {
      variables[name as string] = `V-${name}`;
      path = path.replace(`{${name}}`, `V-${name}`);
    }
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = doc[method] as Yaml | undefined;
      if (op === undefined) continue;
      const declared = (op['x-base-uri'] ?? op['x-baseuri']) as string | undefined;
      const origin = declared !== undefined ? new URL(declared).origin : key.startsWith('/global/') ? APIHK : fallback;
      calls.push({ template, method, protocol: v2 ? 'v2' : 'v3', origin, path, variables });
    }
  }
  return calls;
}

function camel(segment: string): string {
  return segment.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The node by property access (the typed chain's style), or undefined when a segment has no property that normalizes back. */
export function byProperties(root: ChainNode, template: string): ChainNode | undefined {
  let node = root;
  for (const segment of template.split('/')) {
    const placeholder = /^\{(.+)\}$/.exec(segment);
    const property = placeholder ? `_${placeholder[1]}_` : camel(segment);
    if (segment === '' || normalizeProperty(property) !== segment) return undefined;
    node = node[property]!;
  }
  return node;
}

/** The three ways to reach a template's node: chain(), the bracket key, and properties where they exist. */
export function styles(client: ChainNode, template: string): Array<[string, ChainNode]> {
  const out: Array<[string, ChainNode]> = [
    ['chain()', client.chain(template)],
    ['bracket key', client[template]!],
  ];
  const property = byProperties(client, template);
  if (property) out.push(['properties', property]);
  return out;
}

/** Options that make a request of each kind without tripping the client's own checks. */
export function optionsFor(call: CatalogCall, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const body = call.method === 'get' || call.method === 'delete' ? {} : call.protocol === 'v2' ? { xml: {} } : { json: {} };
  return { ...call.variables, ...body, ...extra };
}
