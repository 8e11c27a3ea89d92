/**
 * The APIv2 image upload `v2/secapi/mch/uploadmedia` (小微商户 / 服务商 证件图片上传): a
 * `multipart/form-data` form with `mch_id`, `media_hash` (lower-case MD5 of the file),
 * `sign_type` and `sign` — the APIv2 sign over those three fields, not over the file — and the
 * `media` file part. The `{ media }` option of an APIv2 request builds it (the APIv2 signing step
 * calls {@link signedUploadForm}); the answer is XML, verified like every APIv2 answer. The
 * endpoint needs mutual TLS, which it gets by default (the catalog marks it `x-api-cert-required`;
 * `security: false` opts out).
 *
 * Media is a leaf here: this module asks `MediaUtil` for the digest and the form, and signs the
 * fields itself; lib/media knows nothing of APIv2 signing.
 * @module
 */
import type { RequestOptions } from '../endpoint/options.js';
import { ArgumentError } from '../errors.js';
import { MediaUtil, type MediaBody } from '../media/media-util.js';
import { V2_UPLOAD_LAYOUT } from '../media/upload-endpoints.js';
import { isObject } from '../validate.js';
import { signedFields } from './signature.js';

/**
 * A signed APIv2 upload form, ready to send.
 * @example
 * ```ts
 * const { body, contentType, contentLength }: SignedUploadForm = await signedUploadForm(ctx.options, { mchid, secret });
 * ```
 */
export interface SignedUploadForm {
  /** A fresh multipart stream (one per attempt). */
  body: MediaBody;
  contentType: string;
  contentLength: number;
}

/**
 * Builds the signed APIv2 upload form of `options.media`. Extra signed fields (e.g.
 * `sign_type: 'HMAC-SHA256'`) come from `options.xml`.
 * @throws {ArgumentError} without the APIv2 key, for a foreign `mch_id`, a bad `sign_type`, or a `body` given too
 * @example
 * ```ts
 * const form = await signedUploadForm({ media: new MediaUtil('id.jpg', bytes) }, { mchid: '1900000109', secret: apiv2Key });
 * // form.body: --boundary / media_hash / mch_id / sign_type / sign / media (the file)
 * ```
 */
export async function signedUploadForm(options: RequestOptions, signer: { mchid: string; secret: string | undefined }): Promise<SignedUploadForm> {
  const { media, xml, body } = options;
  if (!(media instanceof MediaUtil)) throw new ArgumentError("media: expected a MediaUtil, e.g. new MediaUtil('/path/id.jpg')", 'media');
  if (body !== undefined) throw new ArgumentError('media and body cannot be given together', 'media');
  if (signer.secret === undefined) {
    throw new ArgumentError('secret: APIv2 uploads (v2/secapi/mch/uploadmedia) are signed with the APIv2 key; pass secret to Builder.factory', 'secret');
  }
  if (xml !== undefined && !isObject(xml)) {
    throw new ArgumentError('xml: extra upload fields must be a plain object, e.g. { sign_type: "HMAC-SHA256" }', 'xml');
  }
  const file = media.withOptions({ layout: V2_UPLOAD_LAYOUT, meta: {}, fields: {} });
  const mediaHash = await file.getDigest();
  // the sign covers mch_id, media_hash and sign_type (and any extra field), never the file
  const fields = signedFields({ mch_id: signer.mchid, sign_type: 'MD5', ...xml, media_hash: mediaHash }, { mchid: signer.mchid, secret: signer.secret, nonceless: true });
  delete fields.media_hash; // computed by the form itself, from the same digest
  const meta: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) meta[key] = String(value);
  const form = media.withOptions({ layout: V2_UPLOAD_LAYOUT, meta, fields: {} });
  return { body: form.getStream(), contentType: form.getContentType(), contentLength: await form.getLength() };
}
