/**
 * APIv2 request signing: the `xml` option becomes the `<xml>` body with `nonce_str` (when
 * absent) and `sign` (MD5 by default, HMAC-SHA256 when `sign_type` says so) — wechatpay-php's
 * `ClientXmlTrait::transformRequest`. Runs on every attempt, so a retry gets a fresh nonce.
 * @module
 */
import { ArgumentError } from '../../errors.js';
import type { ChainResponse, Middleware, Next, RequestContext } from '../context.js';
import type { QueryValue } from '../../endpoint/options.js';
import { encodeQuery } from '../../endpoint/request.js';
import { signedFields } from '../../apiv2/signature.js';
import { signedUploadForm } from '../../apiv2/upload.js';
import { toXml } from '../../apiv2/xml.js';

/**
 * What the APIv2 signer needs. The key stays in this closure, never on the context.
 * @example
 * ```ts
 * const options: V2SignOptions = { mchid: '1900000109', secret: apiv2Key };
 * ```
 */
export interface V2SignOptions {
  mchid: string;
  /** The APIv2 key; requests fail with an ArgumentError when it is missing. */
  secret: string | undefined;
}

/** Asks for XML unless the caller set its own `Accept`. */
function acceptXml(ctx: RequestContext): void {
  const ownAccept = Object.keys(ctx.options.headers ?? {}).some((name) => name.toLowerCase() === 'accept');
  if (!ownAccept) ctx.headers.accept = 'text/xml, text/plain, application/octet-stream, */*';
}

/**
 * An APIv2 GET, as wechatpay-php's `ClientXmlTrait::transformRequest` makes it: the `query` fields
 * plus `nonce_str` (unless `nonceless`) and `sign`, sent as the query string.
 */
function signQuery(ctx: RequestContext, next: Next, mchid: string, secret: string | undefined): Promise<ChainResponse> {
  const { query, xml, json, body } = ctx.options;
  if (xml !== undefined || json !== undefined || body !== undefined) {
    throw new ArgumentError(`query: an APIv2 GET (${ctx.template}) takes its fields as { query: { … } }, not a body`, 'query');
  }
  if (secret === undefined) throw new ArgumentError('secret: APIv2 requests (v2/…) need the APIv2 key; pass secret to Builder.factory', 'secret');
  const fields = signedFields(query ?? {}, { mchid, secret, nonceless: ctx.options.nonceless === true });
  const q = ctx.path.indexOf('?');
  ctx.path = `${q === -1 ? ctx.path : ctx.path.slice(0, q)}?${encodeQuery(fields as Record<string, QueryValue>)}`;
  acceptXml(ctx);
  return next(ctx);
}

/** An APIv2 upload: the signed form, a fresh stream on every attempt. */
async function signUpload(ctx: RequestContext, next: Next, mchid: string, secret: string | undefined): Promise<ChainResponse> {
  const form = await signedUploadForm(ctx.options, { mchid, secret });
  ctx.body = form.body;
  ctx.headers['content-type'] = form.contentType;
  ctx.headers['content-length'] = String(form.contentLength);
  acceptXml(ctx);
  return next(ctx);
}

/**
 * The APIv2 signing step. A request with a raw `body` and no `xml` is sent as is (you signed it);
 * `nonceless: true` (as in wechatpay-php) leaves `nonce_str` out for the few endpoints without one.
 * @example
 * ```ts
 * const sign = v2SignStep({ mchid: '1900000109', secret: apiv2Key });
 * ```
 */
export function v2SignStep(options: V2SignOptions): Middleware {
  const { mchid, secret } = options;
  return async function sign(ctx, next) {
    const { xml, json, body } = ctx.options;
    // the catalog's few APIv2 GETs (v2/appauth/authindex, v2/papay/entrustweb…) carry their signed fields in the query
    if (ctx.method === 'GET') return signQuery(ctx, next, mchid, secret);
    if (ctx.method !== 'POST') throw new ArgumentError(`APIv2 endpoints take POST (or GET for a query): call ${ctx.template}.post({ xml }), not ${ctx.method.toLowerCase()}()`, 'method');
    if (json !== undefined) throw new ArgumentError(`json: APIv2 endpoints (${ctx.template}) take { xml: { … } }, not json`, 'json');
    // uploads: the signed multipart form of v2/secapi/mch/uploadmedia, see ./upload.ts
    if (ctx.options.media !== undefined) return signUpload(ctx, next, mchid, secret);
    if (xml !== undefined && body !== undefined) throw new ArgumentError('xml and body cannot be given together', 'xml');
    if (xml === undefined && body !== undefined) return next(ctx);
    if (secret === undefined) {
      throw new ArgumentError('secret: APIv2 requests (v2/…) need the APIv2 key; pass secret to Builder.factory', 'secret');
    }
    ctx.body = toXml(signedFields(xml ?? {}, { mchid, secret, nonceless: ctx.options.nonceless === true }));
    ctx.headers['content-type'] = 'text/xml; charset=utf-8';
    acceptXml(ctx);
    return next(ctx);
  };
}
