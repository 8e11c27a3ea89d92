import { describe, expect, it } from 'vitest';
import { SANDBOX_RULES } from '../../../lib/testing/sandbox/rules.js';
import { validateRequest } from '../../../lib/testing/sandbox/validate.js';

const native = SANDBOX_RULES['POST v3/pay/transactions/native']!;
const order = {
  appid: 'wxd678efh567hg6787',
  mchid: '1900000109',
  description: 'Image形象店-深圳腾大-QQ公仔',
  out_trade_no: 'T20260101000001',
  notify_url: 'https://example.com/notify',
  amount: { total: 100, currency: 'CNY' },
};

describe('validateRequest (the catalog rules of lib/testing/sandbox/rules.ts)', () => {
  it('accepts a complete order', () => {
    expect(validateRequest(native, { body: order })).toBeUndefined();
  });

  it('names a missing nested field the way the service does', () => {
    // wording of live answers quoted in Javen205/IJPay#79 and hpyer/node-easywechat#69
    expect(validateRequest(native, { body: { ...order, amount: { currency: 'CNY' } } })).toEqual({
      field: 'amount.total',
      location: 'body',
      value: '',
      message: '输入源“/body/amount/total”映射到字段“总金额”必填性规则校验失败，此字段为必填项',
    });
    for (const absent of [undefined, null, '']) {
      expect(validateRequest(native, { body: { ...order, notify_url: absent } })?.field).toBe('notify_url');
    }
  });

  it('refuses a value of the wrong JSON type', () => {
    // a live answer quoted in TheNorthMemory/wechatpay-axios-plugin#38
    expect(validateRequest(native, { body: { ...order, amount: { total: 0.01, currency: 'CNY' } } })).toEqual({
      field: 'amount.total',
      location: 'body',
      value: 0.01,
      message: '无法将 JSON 输入源“/body/amount/total”映射到目标字段“总金额”中，此字段需要一个合法的 64 位有符号整数',
    });
    expect(validateRequest(native, { body: { ...order, description: 7 } })?.message).toMatch(/“\/body\/description”.*“商品描述”.*合法的字符串/);
    expect(validateRequest(native, { body: { ...order, amount: 100 } })?.message).toMatch(/“订单金额”中，此字段需要一个 JSON 对象/);
  });

  it('checks enums, inside arrays too', () => {
    const problem = validateRequest(native, { body: { ...order, limit_pay: ['no_credit', 'everything'] } });
    expect(problem).toMatchObject({ field: 'limit_pay[1]', value: 'everything' });
    expect(problem?.message).toBe('输入源“/body/limit_pay/1”映射到字段“支付方式”枚举值规则校验失败，可选值为 no_balance、no_credit、no_debit、balance_only');
    const apply = SANDBOX_RULES['POST v3/ecommerce/refunds/apply']!;
    const refund = { sp_appid: 'wx8888888888888888', out_refund_no: 'R1', transaction_id: '4200', amount: { refund: 1, total: 1 }, funds_account: 'AVAILABLE' };
    expect(validateRequest(apply, { body: refund })).toBeUndefined();
    expect(validateRequest(apply, { body: { ...refund, refund_account: 'REFUND_SOURCE_NOBODY' } })).toMatchObject({ field: 'refund_account', location: 'body' });
  });

  it('checks required items of arrays', () => {
    const problem = validateRequest(native, { body: { ...order, detail: { goods_detail: [{ merchant_goods_id: 'G1', quantity: 1 }] } } });
    expect(problem).toMatchObject({ field: 'detail.goods_detail[0].unit_price', location: 'body' });
    expect(problem?.message).toMatch(/^输入源“\/body\/detail\/goods_detail\/0\/unit_price”映射到字段“商品单价”必填性规则校验失败/);
  });

  it('asks for one of transaction_id or out_trade_no where the service takes either', () => {
    const refunds = SANDBOX_RULES['POST v3/refund/domestic/refunds']!;
    const refund = { out_refund_no: 'R1', amount: { refund: 1, total: 1, currency: 'CNY' } };
    expect(validateRequest(refunds, { body: { ...refund, out_trade_no: 'T1' } })).toBeUndefined();
    expect(validateRequest(refunds, { body: { ...refund, transaction_id: '4200' } })).toBeUndefined();
    expect(validateRequest(refunds, { body: refund })).toMatchObject({ field: 'transaction_id|out_trade_no', location: 'body' });
  });

  it('checks required query parameters, and that a body is an object', () => {
    const query = SANDBOX_RULES['GET v3/pay/transactions/out-trade-no/{out_trade_no}']!;
    expect(validateRequest(query, { query: new URLSearchParams('mchid=1900000109') })).toBeUndefined();
    expect(validateRequest(query, { query: new URLSearchParams('') })).toEqual({
      field: 'mchid',
      location: 'query',
      value: '',
      message: '输入源“/query/mchid”映射到字段“直连商户号”必填性规则校验失败，此字段为必填项',
    });
    for (const body of [[], 'text', 7, null]) expect(validateRequest(native, { body })).toMatchObject({ location: 'body', message: '请求体必须是一个 JSON 对象' });
  });
});
