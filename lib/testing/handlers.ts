/**
 * The emulator's built-in msw handlers: the seed scenario (电商收付通 refund apply, then
 * 垫付退款回补 POST and GET). Each validates its input like the service (400 `PARAM_ERROR`).
 * @module
 */
import type { RequestHandler } from 'msw';
import { msw } from '../lazy.js';

/**
 * The first refund id the emulator hands out (the seed scenario prints it).
 * @example
 * ```ts
 * const { data } = await client.v3.ecommerce.refunds.apply.post({ json });
 * expect(data.refund_id).toBe(FIRST_REFUND_ID);
 * ```
 */
export const FIRST_REFUND_ID = '50000000382019052709732678859';

function paramError(message: string, field?: string) {
  return msw().HttpResponse.json(
    { code: 'PARAM_ERROR', message, ...(field ? { detail: { field, location: 'body', issue: message } } : {}) },
    { status: 400 },
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

async function jsonBody(request: Request): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed: unknown = await request.json();
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function advance(refundId: string, subMchid: string) {
  return {
    refund_id: refundId,
    advance_return_id: '1215562501201407033233368018',
    return_amount: 888,
    payer_mchid: subMchid,
    payer_account: 'BASIC',
    payee_mchid: '1900000108',
    payee_account: 'BASIC',
    result: 'SUCCESS',
    success_time: '2018-06-08T10:34:56+08:00',
  };
}

/**
 * Fresh seed handlers (each emulator keeps its own refund counter).
 * @example
 * ```ts
 * const emulator = Emulator.create(); // already includes seedHandlers()
 * ```
 */
export function seedHandlers(): RequestHandler[] {
  const { http, HttpResponse } = msw();
  let next = BigInt(FIRST_REFUND_ID);
  return [
    http.post('*/v3/ecommerce/refunds/apply', async ({ request }) => {
      const body = await jsonBody(request);
      if (!body) return paramError('请求体必须是 JSON 对象');
      for (const field of ['sub_mchid', 'out_refund_no', 'amount']) {
        if (body[field] === undefined || body[field] === '') return paramError(`${field} 为必填参数`, field);
      }
      const amount = body.amount;
      if (!isObject(amount) || typeof amount.refund !== 'number' || typeof amount.total !== 'number') {
        return paramError('amount.refund 与 amount.total 必须是整数', 'amount');
      }
      const refundId = String(next);
      next += 1n;
      return HttpResponse.json({
        refund_id: refundId,
        out_refund_no: body.out_refund_no,
        create_time: '2018-06-08T10:34:56+08:00',
        amount: { refund: amount.refund, payer_refund: amount.refund, discount_refund: 0, currency: amount.currency ?? 'CNY', advance: 0 },
        promotion_detail: [],
        refund_account: 'REFUND_SOURCE_SUB_MERCHANT',
      });
    }),
    http.post('*/v3/ecommerce/refunds/:refund_id/return-advance', async ({ request, params }) => {
      const body = await jsonBody(request);
      if (!body || typeof body.sub_mchid !== 'string' || body.sub_mchid === '') return paramError('sub_mchid 为必填参数', 'sub_mchid');
      return HttpResponse.json(advance(String(params.refund_id), body.sub_mchid));
    }),
    http.get('*/v3/ecommerce/refunds/:refund_id/return-advance', ({ request, params }) => {
      const subMchid = new URL(request.url).searchParams.get('sub_mchid');
      if (!subMchid) return paramError('sub_mchid 为必填参数', 'sub_mchid');
      return HttpResponse.json(advance(String(params.refund_id), subMchid));
    }),
  ];
}
