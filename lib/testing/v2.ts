/**
 * The emulator's APIv2 side: requests whose path does not start with `/v3/` and that carry no
 * `Authorization` header are APIv2 XML. Like
 * WeChat Pay, it checks the `sign` (return_code FAIL `签名错误` otherwise), the merchant id, and the
 * client certificate on the endpoints that need one (HTTP 400 "No required SSL certificate was
 * sent" otherwise), then asks the msw handlers and signs their SUCCESS answers with the APIv2 key
 * and the request's `sign_type`. Handlers answer with {@link v2Reply} (unsigned fields; the
 * emulator signs) and may set the `UNSIGNED` header for files and unsigned endpoints.
 * @module
 */
import type { RequestHandler } from 'msw';
import { msw } from '../lazy.js';
import { isSignType, signFields, verifyFields } from '../apiv2/signature.js';
import { parseXml, toXml, type XmlRecord } from '../apiv2/xml.js';
import { nonce } from '../formatter.js';
import { CERT_REQUIRED_V2 } from '../apiv2/cert-required.js';

/** Header a handler sets to have its answer sent as is, without a `sign` (kept in sync with emulator.ts). */
const UNSIGNED_HEADER = 'x-emulator-unsigned';

/**
 * Paths outside `/secapi/` that WeChat Pay serves only to a client presenting the merchant
 * certificate (mutual TLS), as the endpoint catalog marks them (`x-api-cert-required`). Derived
 * from the generated list the client routes by (lib/apiv2/cert-required.ts), so the
 * emulator and the client cannot disagree.
 * @example
 * ```ts
 * CERT_REQUIRED.includes('/mmpaymkttransfers/sendredpack'); // true
 * ```
 */
export const CERT_REQUIRED: readonly string[] = [...CERT_REQUIRED_V2].filter((template) => !template.startsWith('secapi/')).map((template) => `/${template}`);

const certRequired = new Set(CERT_REQUIRED);

/**
 * Whether the emulator (like WeChat Pay) requires the merchant certificate on a path: all of
 * `/secapi/`, and {@link CERT_REQUIRED}.
 * @example
 * ```ts
 * needsCertificate('/secapi/pay/refund'); // true
 * needsCertificate('/pay/micropay');      // false
 * ```
 */
export function needsCertificate(pathname: string): boolean {
  return pathname.startsWith('/secapi/') || certRequired.has(pathname);
}

/**
 * Whether a request path is APIv2 (anything not under `/v3/`, `/hk/v3/` or `/global/v3/`).
 * @example
 * ```ts
 * isApiV2Path('/pay/micropay'); // true
 * ```
 */
export function isApiV2Path(pathname: string): boolean {
  return !/^\/(?:hk\/|global\/)?v3\//.test(pathname);
}

/**
 * An APIv2 answer from a handler: the fields, unsigned (the emulator adds `nonce_str` and `sign`).
 * `return_code: 'SUCCESS'` and `return_msg: 'OK'` are filled in when absent.
 * @example
 * ```ts
 * http.post('*\/pay/orderquery', () => v2Reply({ result_code: 'SUCCESS', trade_state: 'SUCCESS' }));
 * ```
 */
export function v2Reply(fields: Readonly<Record<string, unknown>>, init: { unsigned?: boolean } = {}): Response {
  const body = toXml({ return_code: 'SUCCESS', return_msg: 'OK', ...fields });
  return msw().HttpResponse.xml(body, { headers: init.unsigned ? { [UNSIGNED_HEADER]: '1' } : {} });
}

/**
 * A business failure (`result_code=FAIL`) with `err_code` and `err_code_des`.
 * @example
 * ```ts
 * return v2Fail('ORDERNOTEXIST', '此交易订单号不存在');
 * ```
 */
export function v2Fail(errCode: string, errCodeDes: string, fields: Readonly<Record<string, unknown>> = {}): Response {
  return v2Reply({ ...fields, result_code: 'FAIL', err_code: errCode, err_code_des: errCodeDes });
}

/**
 * A refusal (`return_code=FAIL`): bad sign, bad parameters… never signed.
 * @example
 * ```ts
 * return v2Refuse('invalid bill_date');
 * ```
 */
export function v2Refuse(returnMsg: string, fields: Readonly<Record<string, unknown>> = {}): Response {
  return msw().HttpResponse.xml(toXml({ return_code: 'FAIL', return_msg: returnMsg, ...fields }), { headers: { [UNSIGNED_HEADER]: '1' } });
}

/**
 * The fields of an APIv2 request, for handlers.
 * @example
 * ```ts
 * http.post('*\/pay/micropay', async ({ request }) => { const xml = await v2Fields(request); … });
 * ```
 */
export async function v2Fields(request: Request): Promise<XmlRecord> {
  return parseXml(await request.clone().text());
}

/**
 * What the APIv2 side made of one request.
 * @example
 * ```ts
 * const { status, body, verified }: V2Outcome = await handleApiV2(request, { secret, mchid, handlers, secure: false });
 * ```
 */
export interface V2Outcome {
  status: number;
  headers: Headers;
  body: Buffer;
  /** Whether the request's `sign` verified. */
  verified: boolean;
  requestBody: string;
}

function refuse(message: string, status = 200): V2Outcome {
  return { status, headers: new Headers({ 'content-type': 'text/xml' }), body: Buffer.from(toXml({ return_code: 'FAIL', return_msg: message })), verified: false, requestBody: '' };
}

/**
 * Handles one APIv2 request for the emulator.
 * @param secure whether it came through the mutual-TLS (security) dispatcher
 * @example
 * ```ts
 * const outcome = await handleApiV2(request, { secret, mchid, handlers, secure: true });
 * ```
 */
export async function handleApiV2(
  request: Request,
  options: { secret: string; mchid: string; handlers: readonly RequestHandler[]; secure: boolean },
): Promise<V2Outcome> {
  const pathname = new URL(request.url).pathname;
  const requestBody = await request.clone().text();
  if (needsCertificate(pathname) && !options.secure) {
    return {
      status: 400,
      headers: new Headers({ 'content-type': 'text/html' }),
      body: Buffer.from('<html><head><title>400 No required SSL certificate was sent</title></head><body>400 Bad Request</body></html>'),
      verified: false,
      requestBody,
    };
  }
  let fields: XmlRecord;
  try {
    fields = parseXml(requestBody);
  } catch {
    return { ...refuse('XML格式错误'), requestBody };
  }
  const verified = verifyFields(fields, options.secret) && (fields.sign_type === undefined || isSignType(fields.sign_type));
  if (!verified) return { ...refuse('签名错误'), requestBody };
  const mchId = fields.mch_id ?? fields.mchid ?? fields.combine_mch_id;
  if (mchId !== undefined && mchId !== options.mchid) return { ...refuse('商户号mch_id与appid不匹配'), verified, requestBody };

  const response =
    (await msw().getResponse([...options.handlers], request)) ??
    new Response(`the emulator has no handler for ${request.method} ${pathname}`, { status: 404, headers: { 'content-type': 'text/plain' } });
  const headers = new Headers(response.headers);
  let body = Buffer.from(await response.arrayBuffer());
  const type = headers.get('content-type') ?? '';
  if (headers.has(UNSIGNED_HEADER)) {
    headers.delete(UNSIGNED_HEADER);
  } else if (response.status === 200 && /xml/i.test(type)) {
    const reply = parseXml(body);
    if (reply.return_code === 'SUCCESS') {
      const signType = fields.sign_type === 'HMAC-SHA256' ? 'HMAC-SHA256' : 'MD5';
      const out: Record<string, unknown> = { ...reply, nonce_str: typeof reply.nonce_str === 'string' ? reply.nonce_str : nonce() };
      delete out.sign;
      out.sign = signFields(out, options.secret, signType);
      body = Buffer.from(toXml(out));
    }
  }
  return { status: response.status, headers, body, verified, requestBody };
}
