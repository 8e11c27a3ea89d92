/**
 * Reading a buffered answer: whole, or a `DecodeError` past the request's `maxBodySize` (the
 * transport, and the verify steps when they must read a stream before judging it).
 * @module
 */
import type { Readable } from 'node:stream';
import { DecodeError } from '../errors.js';
import type { RequestContext } from '../pipeline/context.js';
import { redactedOf } from '../redact.js';

/**
 * The error for an answer over `limit` bytes: declared in Content-Length, or read so far.
 * @example
 * ```ts
 * if (declared > ctx.maxBodySize) throw oversize(ctx, status, ctx.maxBodySize, declared);
 * ```
 */
export function oversize(ctx: RequestContext, status: number, limit: number, declared?: number): DecodeError {
  const what = declared === undefined ? 'response body' : `response Content-Length ${declared}`;
  return new DecodeError(`${what} exceeds maxBodySize (${limit} bytes)`, { request: redactedOf(ctx), status });
}

/**
 * Reads a response body whole, failing with a `DecodeError` past `limit` bytes.
 * 'data' events rather than `for await`: the async iterator costs a promise and stream
 * bookkeeping per chunk, and a JSON answer is usually one chunk.
 * @example
 * ```ts
 * const bytes = await readBody(res.body as Readable, ctx.maxBodySize, ctx, res.status);
 * ```
 */
export function readBody(body: Readable, limit: number, ctx: RequestContext, status: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(oversize(ctx, status, limit));
        body.destroy();
        return;
      }
      chunks.push(chunk);
    });
    let ended = false;
    body.once('error', reject);
    body.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    // undici errors a body it cuts short; should a stream ever just close, fail as for-await did
    // (the Error is made only then: every body closes, and an Error costs a stack trace)
    body.once('close', () => {
      if (!ended) reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });
  });
}
