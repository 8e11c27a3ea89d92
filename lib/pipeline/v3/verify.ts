/**
 * The APIv3 verification step: nothing reaches the caller before it passed {@link Verifier.check};
 * then the JSON body is decoded, and non-2xx answers become {@link HttpError}s.
 * @module
 */
import { Readable } from 'node:stream';
import { DecodeError, HttpError, VerificationError } from '../../errors.js';
import { printable } from '../../printable.js';
import { endpointPath } from '../../routing/hosts.js';
import type { ChainResponse, Middleware, RequestContext } from '../context.js';
import { redactedOf } from '../../redact.js';
import { readBody } from '../../transport/read-body.js';
import { isUnsignedAnswer, isFileAnswer } from '../../apiv3/unsigned.js';
import type { Verifier } from '../../apiv3/verifier.js';

function isJson(headers: ChainResponse['headers']): boolean {
  const type = headers['content-type'];
  return typeof type === 'string' && /[/+]json\b/i.test(type);
}

function decodeJson(bytes: Buffer, ctx: RequestContext, status: number): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new DecodeError(`${ctx.method} ${ctx.path} answered ${status} with a body that is not JSON`, { cause, request: redactedOf(ctx), status });
  }
}

function decodeLenient(bytes: Buffer, headers: ChainResponse['headers']): unknown {
  if (bytes.length === 0) return undefined;
  const text = bytes.toString('utf8');
  if (isJson(headers) || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // fall through to text
    }
  }
  return text;
}

// The redacted request is only needed by an error, so it is made when a check fails, not per request.
function check(verifier: Verifier, res: ChainResponse, bytes: Buffer, ctx: RequestContext): void {
  try {
    verifier.check(res.headers, bytes, { status: res.status });
  } catch (error) {
    if (error instanceof VerificationError) error.request = redactedOf(ctx);
    throw error;
  }
}

/**
 * Builds the verification step around a {@link Verifier}.
 * @example
 * ```ts
 * pipeline.after('sign', v3VerifyStep(new Verifier(certs)), 'verify');
 * ```
 */
export function v3VerifyStep(verifier: Verifier): Middleware {
  return async function verify(ctx, next) {
    const res = await next(ctx);
    const success = res.status >= 200 && res.status < 300;
    const endpoint = endpointPath(ctx);
    const exempt = success && isUnsignedAnswer(endpoint);
    const file = success && isFileAnswer(endpoint);
    const signed = res.headers['wechatpay-signature'] !== undefined;

    if (!Buffer.isBuffer(res.body)) {
      // a stream was asked for: exempt downloads pass as streams; anything else is verified first
      if (exempt && !signed) return res;
      const bytes = await readBody(res.body, ctx.maxBodySize, ctx, res.status);
      check(verifier, res, bytes, ctx);
      return { ...res, body: Readable.from([bytes]) };
    }

    const bytes = res.body;
    if (success) {
      if (!(exempt && !signed)) check(verifier, res, bytes, ctx);
      if (file) return res;
      if (bytes.length > 0 && !isJson(res.headers) && !/^\s*[{[]/.test(bytes.toString('utf8', 0, Math.min(bytes.length, 64)))) {
        throw new DecodeError(`${ctx.method} ${ctx.path} answered ${res.status} with ${printable(res.headers['content-type'] ?? 'no content-type', 128)}, expected JSON`, {
          request: redactedOf(ctx),
          status: res.status,
        });
      }
      res.data = decodeJson(bytes, ctx, res.status);
      return res;
    }

    // An error answer: verify it when it is signed, so HttpError.verified tells whether to trust its code.
    let verified = false;
    if (signed) {
      check(verifier, res, bytes, ctx);
      verified = true;
    }
    throw new HttpError({ status: res.status, headers: res.headers, data: decodeLenient(bytes, res.headers) }, redactedOf(ctx), verified);
  };
}
