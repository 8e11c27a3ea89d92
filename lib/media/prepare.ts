/**
 * Makes a multipart upload ready to sign: the signature covers the `meta` JSON, which needs the
 * file's digest (an async first pass for a path). The APIv3 signing step calls it on every
 * attempt, so a retried upload gets a fresh body stream. It takes the few fields it sets, not the
 * pipeline's context: media is a leaf the signers call.
 * @module
 */
import { MediaUtil } from './media-util.js';

/**
 * The parts of a request an upload sets before signing (a pipeline context is one).
 * @example
 * ```ts
 * const request: UploadRequest = { body: media.getStream(), signBody: '', headers: {} };
 * ```
 */
export interface UploadRequest {
  body: unknown;
  signBody: string;
  headers: Record<string, string>;
}

function consumed(body: unknown): boolean {
  const stream = body as { readableDidRead?: boolean; destroyed?: boolean; readableEnded?: boolean };
  return stream.readableDidRead === true || stream.destroyed === true || stream.readableEnded === true;
}

/**
 * When `request.body` is a {@link MediaUtil} stream: sets `signBody` to its meta JSON, `content-length`,
 * the matching `content-type`, and replaces a consumed stream with a fresh one. Otherwise does nothing.
 * @example
 * ```ts
 * const signer: Middleware = async (ctx, next) => { await prepareMedia(ctx); ctx.headers.authorization = sign(ctx.signBody); return next(ctx); };
 * ```
 */
export async function prepareMedia(request: UploadRequest): Promise<void> {
  const media = MediaUtil.of(request.body);
  if (!media) return;
  request.signBody = await media.getMeta();
  if (consumed(request.body)) request.body = media.getStream();
  request.headers['content-length'] = String(await media.getLength());
  if (!request.headers['content-type']?.includes(media.boundary)) request.headers['content-type'] = media.getContentType();
}
