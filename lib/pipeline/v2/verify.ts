/**
 * The APIv2 verification step: nothing reaches the caller before the answer was parsed safely
 * (see {@link parseXml}), its codes checked and — when `return_code` and `result_code` are
 * SUCCESS and the endpoint is not in {@link UNSIGNED_ANSWERS} — its `sign` verified with the
 * APIv2 key in constant time. Bill downloads pass through as text, gzip bytes or a stream.
 * @module
 */
import { Readable } from 'node:stream';
import { BusinessError, DecodeError, HttpError, VerificationError } from '../../errors.js';
import { endpointPath } from '../../routing/hosts.js';
import type { ChainResponse, Middleware, RequestContext } from '../context.js';
import { redactedOf } from '../../redact.js';
import { readBody } from '../../transport/read-body.js';
import { verifyFields } from '../../apiv2/signature.js';
import { isFileAnswer, isUnsignedAnswer } from '../../apiv2/unsigned.js';
import { looksLikeXml, MAX_XML_BYTES, parseXml, type XmlRecord } from '../../apiv2/xml.js';

/**
 * What the APIv2 verifier needs.
 * @example
 * ```ts
 * const options: V2VerifyOptions = { secret: apiv2Key };
 * ```
 */
export interface V2VerifyOptions {
  secret: string | undefined;
}

/** Reads the first chunk(s) of a stream (at least 64 bytes or the end) and gives back an equivalent stream. */
async function peek(stream: Readable): Promise<{ head: Buffer; rest: Readable; ended: boolean }> {
  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < 64) {
    const step = await iterator.next();
    if (step.done) {
      ended = true;
      break;
    }
    taken.push(step.value);
    size += step.value.length;
  }
  const head = Buffer.concat(taken, size);
  async function* replay() {
    if (head.length > 0) yield head;
    if (ended) return;
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) yield step.value;
  }
  const rest = Readable.from(replay(), { objectMode: false });
  rest.once('close', () => stream.destroy());
  return { head, rest, ended };
}

const GZIP = (bytes: Buffer) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/**
 * Builds the APIv2 verification step.
 * @example
 * ```ts
 * const verify = v2VerifyStep({ secret: apiv2Key });
 * ```
 */
export function v2VerifyStep(options: V2VerifyOptions): Middleware {
  const { secret } = options;

  function check(ctx: RequestContext, res: ChainResponse, bytes: Buffer): XmlRecord {
    const request = redactedOf(ctx);
    let reply: XmlRecord;
    try {
      reply = parseXml(bytes, { maxBytes: Math.min(ctx.maxBodySize, MAX_XML_BYTES) });
    } catch (error) {
      const cause = error instanceof DecodeError ? error : undefined;
      throw new DecodeError(`${ctx.method} ${ctx.path} answered ${res.status} with unusable XML: ${cause?.message ?? String(error)}`, {
        cause: error,
        request,
        status: res.status,
      });
    }
    if (typeof reply.return_code !== 'string') {
      throw new DecodeError(`${ctx.method} ${ctx.path} answered ${res.status} with XML that has no return_code`, { request, status: res.status });
    }
    const signed = typeof reply.sign === 'string' && secret !== undefined && !isUnsignedAnswer(endpointPath(ctx));
    const verified = signed && verifyFields(reply, secret as string);
    const fail = (message: string) => new VerificationError('bad-signature', `response rejected: ${message}`, { request, status: res.status });
    if (reply.return_code !== 'SUCCESS' || (reply.result_code !== undefined && reply.result_code !== 'SUCCESS')) {
      // a signed refusal must verify too, so BusinessError.verified can be trusted
      if (signed && !verified) throw fail('the sign of a FAIL answer does not verify with the APIv2 key');
      throw new BusinessError({ status: res.status, headers: res.headers, data: reply }, request, verified);
    }
    if (!isUnsignedAnswer(endpointPath(ctx))) {
      if (secret === undefined) throw fail('cannot verify the sign without the APIv2 key (secret)');
      if (typeof reply.sign !== 'string') throw fail('the answer carries no sign');
      if (!verified) throw fail('sign does not verify with the APIv2 key');
    }
    return reply;
  }

  return async function verify(ctx, next) {
    const res = await next(ctx);
    const limit = ctx.maxBodySize;
    if (res.status < 200 || res.status >= 300) {
      const bytes = Buffer.isBuffer(res.body) ? res.body : await readBody(res.body, limit, ctx, res.status);
      let data: unknown = bytes.length === 0 ? undefined : bytes.toString('utf8');
      if (looksLikeXml(bytes)) {
        try {
          data = parseXml(bytes, { maxBytes: Math.min(limit, MAX_XML_BYTES) });
        } catch {
          // keep the text
        }
      }
      throw new HttpError({ status: res.status, headers: res.headers, data }, redactedOf(ctx), false);
    }

    if (isFileAnswer(endpointPath(ctx))) {
      if (!Buffer.isBuffer(res.body)) {
        const { head, rest, ended } = await peek(res.body);
        if (!looksLikeXml(head)) return { ...res, body: rest };
        const bytes = ended ? head : await readBody(rest, limit, ctx, res.status);
        res.data = check(ctx, res, bytes);
        return { ...res, body: Readable.from([bytes]) };
      }
      const bytes = res.body;
      if (looksLikeXml(bytes)) res.data = check(ctx, res, bytes);
      else res.data = GZIP(bytes) ? bytes : bytes.toString('utf8');
      return res;
    }

    const streamed = !Buffer.isBuffer(res.body);
    const bytes = Buffer.isBuffer(res.body) ? res.body : await readBody(res.body, limit, ctx, res.status);
    res.data = check(ctx, res, bytes);
    return streamed ? { ...res, body: Readable.from([bytes]) } : res;
  };
}
