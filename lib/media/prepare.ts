/**
 * Makes a multipart upload ready to sign: the signature covers the `meta` JSON, which needs the
 * file's digest (an async first pass for a path). Called by the signing step on every attempt, so
 * a retried upload gets a fresh body stream.
 * @module
 */
import type { RequestContext } from '../pipeline/context.js';
import { MediaUtil } from './media-util.js';

function consumed(body: unknown): boolean {
  const stream = body as { readableDidRead?: boolean; destroyed?: boolean; readableEnded?: boolean };
  return stream.readableDidRead === true || stream.destroyed === true || stream.readableEnded === true;
}

/**
 * When `ctx.body` is a {@link MediaUtil} stream: sets `signBody` to its meta JSON, `content-length`,
 * the matching `content-type`, and replaces a consumed stream with a fresh one. Otherwise does nothing.
 * @example
 * ```ts
 * const signer: Middleware = async (ctx, next) => { await prepareMedia(ctx); ctx.headers.authorization = sign(ctx.signBody); return next(ctx); };
 * ```
 */
export async function prepareMedia(ctx: RequestContext): Promise<void> {
  const media = MediaUtil.of(ctx.body);
  if (!media) return;
  ctx.signBody = await media.getMeta();
  if (consumed(ctx.body)) ctx.body = media.getStream();
  ctx.headers['content-length'] = String(await media.getLength());
  if (!ctx.headers['content-type']?.includes(media.boundary)) ctx.headers['content-type'] = media.getContentType();
}
