/**
 * The runtime routing table: which WeChat Pay origin each endpoint is documented at. Written outside
 * lib/openapi (to lib/routing), because the request path must not load the generated types' folder,
 * and kept small: only the endpoints that do not go to the catalog's default host.
 *
 * The rules, as WeChat Pay documents them and the official SDKs send them:
 * - an operation's own `x-base-uri` (one file spells it `x-baseuri`) names its host
 *   (`v2/risk/getpublickey` → fraud.mch.weixin.qq.com, `v3/global/certificates` → apihk…);
 * - `global/…` paths (跨境 customs) are served by `https://apihk.mch.weixin.qq.com/`, `global/` kept
 *   in the path and signed;
 * - `hk/…` paths are served by the default host with `hk/` kept in the path and signed (wechatpay-php's
 *   StatementsTest sends `/hk/v3/statements` to base_uri `https://api.mch.weixin.qq.com/hk/`), so
 *   they need no entry;
 * - everything else goes to the default host, the catalog's `schemes` + `host`.
 * @module
 */
import type { Catalog } from './catalog.js';
import { BANNER } from './emit-types.js';

/** Where the table is written, relative to the repository root. */
export const ROUTES_FILE = 'lib/routing/catalog-routes.ts';

/** The cross-border host that serves `global/…` (WeChat Pay 跨境支付 documentation; wechatpay-java HostName.APIHK). */
export const GLOBAL_ORIGIN = 'https://apihk.mch.weixin.qq.com';

/** Template prefixes served by another origin, the prefix kept in the path. */
export const PREFIX_RULES: ReadonlyArray<readonly [prefix: string, origin: string]> = [['global/', GLOBAL_ORIGIN]];

/** What the generator derives from the catalog. */
export interface Routes {
  /** The catalog's default origin. */
  origin: string;
  /** Template → origin, for the templates whose operations name their own host; sorted. */
  templates: Array<[string, string]>;
  /** Every origin named, the default first, the rest sorted. */
  origins: string[];
}

function originOfBase(baseURI: string, where: string): string {
  const url = new URL(baseURI);
  if (url.pathname !== '/') throw new Error(`${where}: x-base-uri ${baseURI} has a path; the routing table holds origins only (teach emit-routes.ts first)`);
  return url.origin;
}

/**
 * Reads the routing facts out of a catalog.
 * @throws {Error} when the catalog says something the table cannot hold (a base URI with a path,
 *   methods of one path naming different hosts, a templated path with its own host, a prefix rule
 *   contradicted by an `x-base-uri`)
 * @example
 * ```ts
 * routesOf(readCatalog('vendor/wechatpay-openapi')).templates; // [['v2/appauth/authindex', 'https://payapp.mch.weixin.qq.com'], …]
 * ```
 */
export function routesOf(catalog: Catalog): Routes {
  const byTemplate = new Map<string, string>();
  const origins = new Set<string>([GLOBAL_ORIGIN]);
  for (const op of catalog.operations) {
    const where = `${op.file} ${op.method}`;
    const rule = PREFIX_RULES.find(([prefix]) => op.template.startsWith(prefix));
    const own = op.baseURI === undefined ? undefined : originOfBase(op.baseURI, where);
    if (own !== undefined && rule !== undefined && own !== rule[1]) throw new Error(`${where}: x-base-uri ${own} contradicts the ${rule[0]} rule (${rule[1]})`);
    if (own === undefined || own === catalog.origin || rule !== undefined) {
      if (byTemplate.has(op.template)) throw new Error(`${where}: the methods of ${op.template} name different hosts`);
      continue;
    }
    if (op.template.includes('{')) throw new Error(`${where}: a templated path with its own host; the routing table matches literal templates only (teach emit-routes.ts first)`);
    const seen = byTemplate.get(op.template);
    if (seen !== undefined && seen !== own) throw new Error(`${where}: the methods of ${op.template} name different hosts`);
    byTemplate.set(op.template, own);
    origins.add(own);
  }
  // a method without x-base-uri beside one with it: the path would need a per-method table
  for (const op of catalog.operations) {
    if (byTemplate.has(op.template) && op.baseURI === undefined) throw new Error(`${op.file} ${op.method}: the methods of ${op.template} name different hosts`);
  }
  origins.delete(catalog.origin);
  return {
    origin: catalog.origin,
    templates: [...byTemplate].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    origins: [catalog.origin, ...[...origins].sort()],
  };
}

/**
 * The source text of {@link ROUTES_FILE}.
 * @example
 * ```ts
 * writeFileSync(ROUTES_FILE, emitRoutes(catalog));
 * ```
 */
export function emitRoutes(catalog: Catalog): string {
  const routes = routesOf(catalog);
  const sample = routes.templates[0] ?? ['v3/global/certificates', GLOBAL_ORIGIN];
  return `${BANNER}
/**
 * Which WeChat Pay origin each endpoint is documented at, from the endpoint catalog: the operations
 * that name their own host (\`x-base-uri\` / \`x-baseuri\`) and the \`global/\` rule (served by
 * ${GLOBAL_ORIGIN}, \`global/\` kept in the path). Every other template, \`hk/…\` included (the
 * \`hk/\` segment stays in the path), goes to {@link DEFAULT_ORIGIN}. The client maps each origin
 * through its \`hosts\` option (see lib/routing/hosts.ts).
 * Endpoint data: TheNorthMemory/wechatpay-openapi, MIT License.
 * @module
 */

/**
 * The catalog's default origin (its \`schemes\` and \`host\`).
 * @example
 * \`\`\`ts
 * DEFAULT_ORIGIN; // '${routes.origin}'
 * \`\`\`
 */
export const DEFAULT_ORIGIN = ${quote(routes.origin)};

/**
 * Templates, as the chain builds them, whose operations name their own origin.
 * @example
 * \`\`\`ts
 * ROUTED_TEMPLATES.get('${sample[0]}'); // '${sample[1]}'
 * \`\`\`
 */
export const ROUTED_TEMPLATES: ReadonlyMap<string, string> = new Map([
${routes.templates.map(([template, origin]) => `  [${quote(template)}, ${quote(origin)}],`).join('\n')}
]);

/**
 * Template prefixes served by another origin; the prefix stays in the path and is signed.
 * @example
 * \`\`\`ts
 * ROUTED_PREFIXES[0]; // ['global/', '${GLOBAL_ORIGIN}']
 * \`\`\`
 */
export const ROUTED_PREFIXES: ReadonlyArray<readonly [prefix: string, origin: string]> = [
${PREFIX_RULES.map(([prefix, origin]) => `  [${quote(prefix)}, ${quote(origin)}],`).join('\n')}
];

/**
 * Every origin the catalog names, the default first.
 * @example
 * \`\`\`ts
 * CATALOG_ORIGINS.includes('${GLOBAL_ORIGIN}'); // true
 * \`\`\`
 */
export const CATALOG_ORIGINS: readonly string[] = [
${routes.origins.map((origin) => `  ${quote(origin)},`).join('\n')}
];
`;
}

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
