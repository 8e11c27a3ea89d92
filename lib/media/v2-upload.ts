/**
 * The APIv2 image upload `v2/secapi/mch/uploadmedia` (小微商户 / 服务商 证件图片上传): a
 * `multipart/form-data` form with `mch_id`, `media_hash` (lower-case MD5 of the file),
 * `sign_type` and `sign` — the APIv2 sign over those three fields, not over the file — and the
 * `media` file part. The `{ media }` option of an APIv2 request builds it; the answer is XML,
 * verified like every APIv2 answer. The endpoint needs mutual TLS, which it gets by default (the
 * catalog marks it `x-api-cert-required`; `security: false` opts out).
 * @module
 */
import { ArgumentError } from '../errors.js';
import { isObject } from '../validate.js';
import type { RequestContext } from '../pipeline/context.js';
import { signedFields } from '../pipeline/v2/sign.js';
import { MediaUtil } from './media-util.js';
import type { MediaLayout } from './upload-endpoints.js';

/**
 * The APIv2 upload form: no `meta` JSON; `media_hash` (MD5) and the other fields as plain form
 * fields, then the `media` file part.
 * @example
 * ```ts
 * const hash = await new MediaUtil('id.jpg', bytes, { layout: V2_UPLOAD_LAYOUT }).getDigest(); // media_hash
 * ```
 */
export const V2_UPLOAD_LAYOUT: MediaLayout = Object.freeze({ nameKey: null, digestKey: 'media_hash', algorithm: 'md5', field: 'media', form: true });

/**
 * Builds the signed APIv2 upload form of `ctx.options.media` as `ctx.body` (a fresh stream on
 * every attempt). Extra signed fields (e.g. `sign_type: 'HMAC-SHA256'`) come from `ctx.options.xml`.
 * @throws {ArgumentError} without the APIv2 key, for a foreign `mch_id`, a bad `sign_type`, or a `body` given too
 * @example
 * ```ts
 * await prepareV2Media(ctx, { mchid: '1900000109', secret: apiv2Key });
 * // ctx.body: --boundary / media_hash / mch_id / sign_type / sign / media (the file)
 * ```
 */
export async function prepareV2Media(ctx: RequestContext, options: { mchid: string; secret: string | undefined }): Promise<void> {
  const { media, xml, body } = ctx.options;
  if (!(media instanceof MediaUtil)) throw new ArgumentError("media: expected a MediaUtil, e.g. new MediaUtil('/path/id.jpg')", 'media');
  if (body !== undefined) throw new ArgumentError('media and body cannot be given together', 'media');
  if (options.secret === undefined) {
    throw new ArgumentError('secret: APIv2 uploads (v2/secapi/mch/uploadmedia) are signed with the APIv2 key; pass secret to Builder.factory', 'secret');
  }
  if (xml !== undefined && !isObject(xml)) {
    throw new ArgumentError('xml: extra upload fields must be a plain object, e.g. { sign_type: "HMAC-SHA256" }', 'xml');
  }
  const file = media.withOptions({ layout: V2_UPLOAD_LAYOUT, meta: {}, fields: {} });
  const mediaHash = await file.getDigest();
  // the sign covers mch_id, media_hash and sign_type (and any extra field), never the file
  const fields = signedFields({ mch_id: options.mchid, sign_type: 'MD5', ...xml, media_hash: mediaHash }, { mchid: options.mchid, secret: options.secret, nonceless: true });
  delete fields.media_hash; // computed by the form itself, from the same digest
  const meta: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) meta[key] = String(value);
  const form = media.withOptions({ layout: V2_UPLOAD_LAYOUT, meta, fields: {} });
  ctx.body = form.getStream();
  ctx.headers['content-type'] = form.getContentType();
  ctx.headers['content-length'] = String(await form.getLength());
  const ownAccept = Object.keys(ctx.options.headers ?? {}).some((name) => name.toLowerCase() === 'accept');
  if (!ownAccept) ctx.headers.accept = 'text/xml, text/plain, application/octet-stream, */*';
}
