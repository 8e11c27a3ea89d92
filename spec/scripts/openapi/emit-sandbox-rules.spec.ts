import { describe, expect, it } from 'vitest';
import type { Catalog, Operation } from '../../../scripts/openapi/catalog.js';
import { ADJUSTMENTS, emitSandboxRules, SANDBOX_ENDPOINTS } from '../../../scripts/openapi/emit-sandbox-rules.js';
import { SANDBOX_RULES } from '../../../lib/testing/sandbox/rules.js';

function operation(key: string, extra: Partial<Operation> = {}): Operation {
  const [method, template] = key.split(' ') as [string, string];
  return {
    template,
    file: template,
    method: method.toLowerCase() as Operation['method'],
    protocol: 'v3',
    summary: '',
    links: [],
    tags: [],
    deprecated: false,
    parameters: [],
    response: undefined,
    multipart: false,
    certRequired: false,
    ...extra,
  };
}

describe('emitSandboxRules', () => {
  it('writes required fields, types, enums, titles and query parameters, and applies the documented corrections', () => {
    const apply = 'POST v3/ecommerce/refunds/apply';
    const catalog: Catalog = {
      origin: 'https://api.mch.weixin.qq.com',
      tags: [],
      operations: SANDBOX_ENDPOINTS.map((key) => operation(key)).map((op) =>
        `${op.method.toUpperCase()} ${op.template}` === apply
          ? {
              ...op,
              body: {
                required: true,
                schema: {
                  type: 'object',
                  required: ['sp_appid', 'combine_transaction_id', 'transaction_id', 'amount'],
                  properties: {
                    sp_appid: { type: 'string', description: '电商平台APPID\n第二行不要' },
                    transaction_id: { type: 'string', description: '微信订单号。说明' },
                    amount: { type: 'object', required: ['refund'], properties: { refund: { type: 'integer', description: '退款金额' } } },
                    funds_account: { type: 'string', enum: ['AVAILABLE', 'UNSETTLED'] },
                    odd: { type: 'unknown' },
                  },
                },
              },
              parameters: [{ name: 'sub_mchid', in: 'query', required: true, schema: { type: 'string', description: '二级商户号' } }],
            }
          : op,
      ),
    };
    const text = emitSandboxRules(catalog);
    expect(text.split('\n', 1)[0]).toMatch(/^\/\/ GENERATED .* DO NOT EDIT/);
    const line = text.split('\n').find((l) => l.startsWith(`  ${JSON.stringify(apply)}`)) as string;
    const rules = JSON.parse(line.slice(line.indexOf(': ') + 2, -1));
    expect(rules).toEqual({
      query: { sub_mchid: { type: 'string', title: '二级商户号', required: true } },
      body: {
        type: 'object',
        // the catalog's two order ids are not both required: one of transaction_id / out_trade_no is
        required: ['sp_appid', 'amount'],
        properties: {
          sp_appid: { type: 'string', title: '电商平台APPID' },
          transaction_id: { type: 'string', title: '微信订单号' },
          amount: { type: 'object', required: ['refund'], properties: { refund: { type: 'integer', title: '退款金额' } } },
          funds_account: { type: 'string', enum: ['AVAILABLE', 'UNSETTLED'] },
          odd: {},
        },
      },
      oneOf: [['transaction_id', 'out_trade_no']],
    });
    expect(ADJUSTMENTS[apply]?.reason).toMatch(/transaction_id or out_trade_no/);
  });

  it('refuses a catalog that lacks an endpoint the sandbox serves', () => {
    expect(() => emitSandboxRules({ origin: 'https://api.mch.weixin.qq.com', tags: [], operations: [operation('POST v3/pay/transactions/native')] })).toThrow(/the sandbox serves .* which the catalog does not have/);
  });

  it('the committed rules carry the catalog facts the sandbox relies on', () => {
    // vendor/wechatpay-openapi/definitions/Transaction.yaml: TransactionDirection (appid, mchid),
    // OrderBase (description, out_trade_no, amount), TransactionBase (notify_url); jsapi adds payer
    expect(SANDBOX_RULES['POST v3/pay/transactions/native']?.body?.required).toEqual(['appid', 'mchid', 'description', 'out_trade_no', 'amount', 'notify_url']);
    expect(SANDBOX_RULES['POST v3/pay/transactions/jsapi']?.body?.required).toContain('payer');
    expect(SANDBOX_RULES['POST v3/pay/transactions/h5']?.body?.required).toContain('scene_info');
    expect(SANDBOX_RULES['POST v3/pay/transactions/native']?.body?.properties?.amount?.properties?.total).toEqual({ type: 'integer', title: '总金额' });
    expect(SANDBOX_RULES['GET v3/pay/transactions/out-trade-no/{out_trade_no}']?.query?.mchid?.required).toBe(true);
    // v3/ecommerce/refunds/apply.yaml: refund_account and funds_account enums
    expect(SANDBOX_RULES['POST v3/ecommerce/refunds/apply']?.body?.properties?.refund_account?.enum).toEqual(['REFUND_SOURCE_SUB_MERCHANT', 'REFUND_SOURCE_PARTNER_ADVANCE']);
    expect(SANDBOX_RULES['POST v3/ecommerce/refunds/apply']?.body?.properties?.funds_account?.enum).toEqual(['AVAILABLE', 'UNSETTLED', 'PREPAID']);
    expect(SANDBOX_RULES['POST v3/refund/domestic/refunds']?.body?.properties?.amount?.required).toEqual(['refund', 'total', 'currency']);
    expect(Object.keys(SANDBOX_RULES)).toEqual([...SANDBOX_ENDPOINTS]);
  });
});
