/**
 * Where a request goes. Every endpoint is documented at a WeChat Pay origin (the generated
 * ./catalog-routes.ts says which); the `hosts` option maps an origin to the base URL to send to
 * instead (a forward proxy, the emulator), `baseURL` being that mapping for the default origin.
 * The path of a base URL is part of the request target and is signed, as wechatpay-php signs its
 * `base_uri` path; a gateway that strips a prefix before forwarding is the separate
 * `gatewayPrefix` option (sent, not signed).
 *
 * DESIGN (lib/routing/): every host and URL rule in one module (base URLs, `hosts`, the gateway
 * prefix, the origins a download may name, the path after a base path); the generated
 * ./catalog-routes.ts says which endpoints live on another host.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { printable } from '../printable.js';
import { describeValue, isObject } from '../validate.js';
import { CATALOG_ORIGINS, DEFAULT_ORIGIN, ROUTED_PREFIXES, ROUTED_TEMPLATES } from './catalog-routes.js';

export { DEFAULT_ORIGIN };

/**
 * The default base URL: the default origin, no path.
 * @example
 * ```ts
 * Builder.factory({ ...config, baseURL: DEFAULT_BASE_URL });
 * ```
 */
export const DEFAULT_BASE_URL = `${DEFAULT_ORIGIN}/`;

/**
 * The backup base URL of 双域名容灾 (`failover: true`): wechatpay-go's `WechatPayAPIServerBackup`
 * (core/consts/const.go).
 * @example
 * ```ts
 * Builder.factory({ ...config, failover: { backupURL: BACKUP_BASE_URL } });
 * ```
 */
export const BACKUP_BASE_URL = 'https://api2.mch.weixin.qq.com/';

/**
 * WeChat Pay API origins besides the ones the catalog names: the backup domains and the newer
 * domains, as the official SDKs list them — `api2.mch.weixin.qq.com` (wechatpay-go
 * core/consts/const.go), `api.wechatpay.cn` and `api2.wechatpay.cn` (wechatpay-java
 * core/…/http/Constant.java, PRIMARY_API_DOMAIN and SECONDARY_API_DOMAIN).
 * @example
 * ```ts
 * OTHER_ORIGINS.includes('https://api2.wechatpay.cn'); // true
 * ```
 */
export const OTHER_ORIGINS: readonly string[] = Object.freeze(['https://api2.mch.weixin.qq.com', 'https://api.wechatpay.cn', 'https://api2.wechatpay.cn']);

/**
 * Every WeChat Pay origin the client knows: the `hosts` keys it accepts, and the hosts a bill's
 * `download_url` may name.
 * @example
 * ```ts
 * KNOWN_ORIGINS[0]; // 'https://api.mch.weixin.qq.com'
 * ```
 */
export const KNOWN_ORIGINS: readonly string[] = Object.freeze([...CATALOG_ORIGINS, ...OTHER_ORIGINS.filter((o) => !CATALOG_ORIGINS.includes(o))]);

/**
 * Where each known origin is sent when `hosts` and `baseURL` say nothing: to itself.
 * @example
 * ```ts
 * DEFAULT_HOSTS['https://apihk.mch.weixin.qq.com']; // 'https://apihk.mch.weixin.qq.com/'
 * ```
 */
export const DEFAULT_HOSTS: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(KNOWN_ORIGINS.map((origin) => [origin, `${origin}/`])));

/**
 * The origins a client's signed download GET may go to: the WeChat Pay origins (the catalog's, the
 * backup domains and the newer `api.wechatpay.cn` / `api2.wechatpay.cn`, {@link KNOWN_ORIGINS})
 * and the origins of its targets (a proxy, the emulator).
 * @example
 * ```ts
 * knownOrigins([{ origin: 'http://127.0.0.1:8080', basePath: '' }]).has('https://apihk.mch.weixin.qq.com'); // true
 * ```
 */
export function knownOrigins(targets: Iterable<Target>): Set<string> {
  const origins = new Set(KNOWN_ORIGINS);
  for (const target of targets) origins.add(target.origin);
  return origins;
}

/**
 * A bill's `download_url`: an absolute http(s) URL (its query is the signed token). Which origins
 * the signed GET may go to is the client's (see {@link knownOrigins}).
 * @throws {ArgumentError} field `download_url`
 * @example
 * ```ts
 * parseDownloadURL('https://api.mch.weixin.qq.com/v3/billdownload/file?token=abc').origin; // 'https://api.mch.weixin.qq.com'
 * ```
 */
export function parseDownloadURL(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new ArgumentError(`download_url "${printable(url, 200)}" is not an absolute URL`, 'download_url', { cause });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ArgumentError('download_url must be http(s)', 'download_url');
  return parsed;
}

/**
 * What the old alias keys of `hosts` (before origins were keys) mean now, for the error that says what to write instead.
 */
const OLD_ALIASES: Readonly<Record<string, string>> = {
  hk: "hk/ endpoints are served by the default host (hk/ is a path segment, sent and signed): set baseURL, or hosts['https://api.mch.weixin.qq.com']",
  global: "global/ endpoints are served by https://apihk.mch.weixin.qq.com: write hosts: { 'https://apihk.mch.weixin.qq.com': '<where to send>' }",
  fraud: "v2/risk/getpublickey and v2/secsvc/… are served by https://fraud.mch.weixin.qq.com: write hosts: { 'https://fraud.mch.weixin.qq.com': '<where to send>' } and call client.v2.risk.getpublickey",
};

/**
 * Where requests for one origin are sent: scheme, host and port, and a path (signed) without a trailing slash.
 * @example
 * ```ts
 * const target: Target = { origin: 'https://egress.internal', basePath: '/wechatpay' };
 * ```
 */
export interface Target {
  origin: string;
  /** `''` or `/segment…`: the base URL's path, part of the request target and signed. */
  basePath: string;
}

/**
 * Validates a base URL: absolute http(s), no query, fragment or credentials. The message never
 * repeats the value (a pasted secret must not travel in an error), only its kind and length.
 * @throws {ArgumentError} naming `field`
 * @example
 * ```ts
 * parseBaseURL('https://gw.example.com/wechatpay/', 'baseURL'); // { origin: 'https://gw.example.com', basePath: '/wechatpay' }
 * ```
 */
export function parseBaseURL(value: unknown, field: string): Target {
  const example = 'an absolute http(s) URL such as https://api.mch.weixin.qq.com/';
  if (typeof value !== 'string') throw new ArgumentError(`${field}: expected ${example}, got ${describeValue(value)}`, field);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // no cause: URL's TypeError carries the whole input
    throw new ArgumentError(`${field}: expected ${example}; ${describeValue(value)} is not an absolute URL`, field);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ArgumentError(`${field}: must be http(s) (${example})`, field);
  if (url.search || url.hash || url.username || url.password) throw new ArgumentError(`${field}: must not carry a query, fragment or credentials`, field);
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
}

/** The origin a key names, or undefined when it is not a bare origin (`scheme://host[:port]` with an optional `/`). */
function originKey(key: string): string | undefined {
  if (!/^https?:\/\//i.test(key)) return undefined;
  try {
    const url = new URL(key);
    return url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where every known origin is sent: itself, unless `hosts` maps it elsewhere; the default origin
 * to `baseURL`. Both `baseURL` and `hosts['https://api.mch.weixin.qq.com']` is ambiguous and refused.
 * @throws {ArgumentError} field `hosts` / `hosts[…]` / `baseURL`
 * @example
 * ```ts
 * resolveHosts(undefined, { 'https://apihk.mch.weixin.qq.com': 'http://127.0.0.1:8080/' }).get('https://apihk.mch.weixin.qq.com');
 * // { origin: 'http://127.0.0.1:8080', basePath: '' }
 * ```
 */
export function resolveHosts(baseURL: unknown, hosts: unknown): Map<string, Target> {
  const targets = new Map<string, Target>();
  for (const origin of KNOWN_ORIGINS) targets.set(origin, { origin, basePath: '' });
  if (hosts !== undefined) {
    if (!isObject(hosts)) {
      throw new ArgumentError(`hosts: expected an object mapping a WeChat Pay origin to a base URL, e.g. { 'https://apihk.mch.weixin.qq.com': 'http://127.0.0.1:8080/' }; got ${describeValue(hosts)}`, 'hosts');
    }
    for (const [key, value] of Object.entries(hosts as Record<string, unknown>)) {
      if (value === undefined) continue;
      if (Object.hasOwn(OLD_ALIASES, key)) throw new ArgumentError(`hosts: the "${key}" alias is gone; ${OLD_ALIASES[key] as string}`, `hosts.${key}`);
      const origin = originKey(key);
      if (origin === undefined || !targets.has(origin)) {
        throw new ArgumentError(`hosts: a key (${describeValue(key)}) is not a WeChat Pay origin; keys are ${KNOWN_ORIGINS.join(', ')} (a trailing / is optional)`, 'hosts');
      }
      if (origin === DEFAULT_ORIGIN && baseURL !== undefined) {
        throw new ArgumentError(`hosts: ${DEFAULT_ORIGIN} and baseURL both say where the default host goes; give one`, 'hosts');
      }
      targets.set(origin, parseBaseURL(value, `hosts['${origin}']`));
    }
  }
  if (baseURL !== undefined) targets.set(DEFAULT_ORIGIN, parseBaseURL(baseURL, 'baseURL'));
  return targets;
}

/**
 * The WeChat Pay origin an endpoint template is documented at (its own `x-base-uri`, the
 * `global/` rule, else the default origin). Path variables and a query do not matter.
 * @example
 * ```ts
 * documentedOrigin('v2/risk/getpublickey');     // 'https://fraud.mch.weixin.qq.com'
 * documentedOrigin('global/v3/customs/orders'); // 'https://apihk.mch.weixin.qq.com'
 * documentedOrigin('hk/v3/statements');         // 'https://api.mch.weixin.qq.com'
 * ```
 */
export function documentedOrigin(template: string): string {
  const own = ROUTED_TEMPLATES.get(template);
  if (own !== undefined) return own;
  for (const [prefix, origin] of ROUTED_PREFIXES) if (template.startsWith(prefix)) return origin;
  const q = template.indexOf('?');
  return q === -1 ? DEFAULT_ORIGIN : (ROUTED_TEMPLATES.get(template.slice(0, q)) ?? DEFAULT_ORIGIN);
}

/**
 * Validates `gatewayPrefix`: the path a gateway in front of WeChat Pay strips before forwarding.
 * It is sent before the signed path and not signed. Refused beside a base URL that has a path of
 * its own (is that path signed or stripped?): put the prefix in one place.
 * @throws {ArgumentError} field `gatewayPrefix`
 * @example
 * ```ts
 * parseGatewayPrefix('/wechatpay/', [{ origin: 'https://gw.example.com', basePath: '' }]); // '/wechatpay'
 * ```
 */
export function parseGatewayPrefix(value: unknown, targets: Iterable<Target>): string {
  if (value === undefined || value === '') return '';
  if (typeof value !== 'string' || !/^(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@%]+)+\/?$/.test(value) || /\/\.{1,2}(?:\/|$)/.test(value)) {
    throw new ArgumentError(`gatewayPrefix: expected a path such as /wechatpay (segments of URL path characters, no . or ..), got ${describeValue(value)}`, 'gatewayPrefix');
  }
  for (const target of targets) {
    if (target.basePath !== '') {
      throw new ArgumentError(
        'gatewayPrefix: a base URL (baseURL, hosts or failover.backupURL) also has a path; a URL path is signed and gatewayPrefix is not, so put the prefix in one place',
        'gatewayPrefix',
      );
    }
  }
  return value.replace(/\/+$/, '');
}

/**
 * Where one request goes, from its template and its own `baseURL` option (wechatpay-php's per-call
 * `base_uri`): a per-request base URL at a known origin is mapped through the client's hosts, its
 * path sent and signed before the endpoint path; any other is used as given.
 * @example
 * ```ts
 * const route: Route = { documentedOrigin: 'https://api.mch.weixin.qq.com', origin: 'http://127.0.0.1:8080', basePath: '', lead: '/hk' };
 * ```
 */
export interface Route {
  /** The WeChat Pay origin the request is for (before `hosts`). */
  documentedOrigin: string;
  origin: string;
  /** The target's signed base path. */
  basePath: string;
  /** The per-request base URL's path (signed), `''` without one. */
  lead: string;
}

/**
 * Resolves the route of one request.
 * @throws {ArgumentError} field `baseURL` for a bad per-request base URL, or one with a path beside `gatewayPrefix`
 * @example
 * ```ts
 * routeOf('v3/statements', 'https://api.mch.weixin.qq.com/hk/', targets, '');
 * // { documentedOrigin: 'https://api.mch.weixin.qq.com', origin: 'https://api.mch.weixin.qq.com', basePath: '', lead: '/hk' }
 * ```
 */
export function routeOf(template: string, baseURL: unknown, targets: ReadonlyMap<string, Target>, gatewayPrefix: string): Route {
  if (baseURL === undefined) {
    const documented = documentedOrigin(template);
    const target = targets.get(documented) as Target;
    return { documentedOrigin: documented, origin: target.origin, basePath: target.basePath, lead: '' };
  }
  const own = parseBaseURL(baseURL, 'baseURL');
  if (gatewayPrefix !== '' && own.basePath !== '') {
    throw new ArgumentError('baseURL: this request names a base URL with a path beside the client gatewayPrefix; a URL path is signed and gatewayPrefix is not, so put the prefix in one place', 'baseURL');
  }
  const mapped = targets.get(own.origin);
  if (mapped === undefined) return { documentedOrigin: own.origin, origin: own.origin, basePath: own.basePath, lead: '' };
  return { documentedOrigin: own.origin, origin: mapped.origin, basePath: mapped.basePath, lead: own.basePath };
}

/**
 * The request's path after its base URL's path: what the endpoint lists (file downloads, unsigned
 * APIv2 replies) are matched against, whatever proxy path the request travels under.
 * @example
 * ```ts
 * endpointPath({ basePath: '/proxy', path: '/proxy/v3/billdownload/file?token=t' }); // '/v3/billdownload/file?token=t'
 * ```
 */
export function endpointPath(ctx: { readonly basePath: string; readonly path: string }): string {
  return ctx.basePath !== '' && ctx.path.startsWith(ctx.basePath) ? ctx.path.slice(ctx.basePath.length) : ctx.path;
}
