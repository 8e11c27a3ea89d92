/**
 * From a call on the chain to the context the pipeline runs: the protocol (the `v2/` prefix), the
 * `encrypt` option applied, the route (the origin the endpoint is documented at, mapped through
 * `hosts`), the request built (./request.ts), the client's own secrets refused in its path and
 * headers, the timeout. Pure: no I/O, nothing sent, the same call gives the same context (but
 * for the ciphertext of encrypted fields), so it is unit-tested without a network.
 *
 * DESIGN (lib/endpoint/): the pure half of a request — ./options.ts the request vocabulary (which
 * the generated catalog imports, so it imports no implementation), ./template.ts RFC 6570
 * expansion, ./request.ts the method, path, headers and exact body bytes, and this module, the
 * first attempt's context. No I/O anywhere in the folder.
 * @module
 */
import type { Verifier } from '../apiv3/verifier.js';
import { ArgumentError } from '../errors.js';
import type { OwnSecrets } from '../own-secrets.js';
import type { Protocol, RequestContext } from '../pipeline/context.js';
import { redactWhenPrinted } from '../redact.js';
import { routeOf, type Target } from '../routing/hosts.js';
import { applySensitiveFields } from '../sensitive/fields.js';
import { milliseconds } from '../validate.js';
import type { HttpMethod, RequestOptions } from './options.js';
import { buildRequest } from './request.js';

/**
 * What a client knows that every request context takes from it (a resolved configuration is one).
 * @example
 * ```ts
 * const settings: ContextSettings = resolveConfig(config);
 * ```
 */
export interface ContextSettings {
  /** The platform keys (the `encrypt` option picks one). */
  readonly verifier: Verifier;
  /** Where each WeChat Pay origin is sent. */
  readonly targets: ReadonlyMap<string, Target>;
  readonly gatewayPrefix: string;
  /** The client's own headers (lower-case). */
  readonly headers: Readonly<Record<string, string>>;
  /** The client's timeout, which a request's own `timeout` overrides. */
  readonly timeout: number;
  readonly maxBodySize: number;
  /** What no request may carry in its path, query or headers. */
  readonly secrets: OwnSecrets;
}

/**
 * The protocol of a template and the template to expand: `v2/pay/micropay` → APIv2, `pay/micropay`.
 * @throws {ArgumentError} for a bare `v2`
 * @example
 * ```ts
 * selectProtocol('v2/secapi/pay/refund'); // { protocol: 'v2', template: 'secapi/pay/refund' }
 * selectProtocol('v3/certificates');      // { protocol: 'v3', template: 'v3/certificates' }
 * ```
 */
export function selectProtocol(template: string): { protocol: Protocol; template: string } {
  if (template === 'v2' || template === 'v2/') throw new ArgumentError('no endpoint: name an APIv2 path, e.g. client.v2.pay.micropay.post({ xml })', 'template');
  if (template.startsWith('v2/')) return { protocol: 'v2', template: template.slice(3) };
  return { protocol: 'v3', template };
}

/**
 * The first attempt's context of a call, printing with its secrets redacted (see ../redact.ts).
 * @throws {ArgumentError} for no template, a bad option, a missing path variable, a bad header,
 *   a base URL the client refuses, or one of the client's own secrets in the path, query or headers
 * @example
 * ```ts
 * const ctx = requestContext('POST', 'v3/ecommerce/refunds/{refund_id}/return-advance', { refund_id: '5000', json }, resolveConfig(config));
 * ctx.path; // '/v3/ecommerce/refunds/5000/return-advance'
 * ```
 */
export function requestContext(method: HttpMethod, template: string, options: RequestOptions | undefined, settings: ContextSettings): RequestContext {
  if (template === '') throw new ArgumentError('no endpoint: name a path before the verb, e.g. client.v3.certificates.get()', 'template');
  const opts = applySensitiveFields(options ?? {}, settings.verifier); // `encrypt`: sensitive fields + Wechatpay-Serial
  // the origin the endpoint is documented at, mapped through hosts (lib/routing/hosts.ts)
  const route = routeOf(template, opts.baseURL, settings.targets, settings.gatewayPrefix);
  const selected = selectProtocol(template);
  const prepared = buildRequest(method, selected.template, opts, settings.headers);
  settings.secrets.check(prepared.path, prepared.headers);
  return redactWhenPrinted({
    protocol: selected.protocol,
    method,
    template,
    documentedOrigin: route.documentedOrigin,
    origin: route.origin,
    prefix: settings.gatewayPrefix,
    basePath: route.basePath,
    path: route.basePath + route.lead + prepared.path,
    headers: prepared.headers,
    body: prepared.body,
    signBody: prepared.signBody,
    options: opts,
    timeout: milliseconds(opts.timeout, 'timeout', settings.timeout),
    maxBodySize: settings.maxBodySize,
    attempt: 1,
    state: {},
  });
}
