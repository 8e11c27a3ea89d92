// examples/testing/vitest/in-process.test.ts
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Emulator } from 'wechatpay-chain/testing';
import { shopOn } from '../fixtures.js';
import { checkout, isPaid } from '../shop.js';

// handlers given at creation: what every test starts from
const emulator = Emulator.create({
  handlers: [http.post('*/v3/pay/transactions/native', () => HttpResponse.json({ code_url: 'weixin://wxpay/bizpayurl?pr=test' }))],
});
const shop = shopOn(emulator);

afterEach(() => emulator.reset()); // handlers back to those above, request log emptied
afterAll(() => shop.client.close());

describe('checkout', () => {
  it('places a signed Native order and returns its code_url', async () => {
    expect(await checkout(shop, 'T1', 888)).toBe('weixin://wxpay/bizpayurl?pr=test');

    // what the emulator received: method, path, headers, body, and whether the signature verified
    const [request] = emulator.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v3/pay/transactions/native', verified: true });
    expect(JSON.parse(request!.body)).toMatchObject({ mchid: shop.mchid, out_trade_no: 'T1', amount: { total: 888 } });
  });
});

describe('isPaid', () => {
  it('is true for an order WeChat Pay says is SUCCESS', async () => {
    emulator.use(http.get('*/v3/pay/transactions/out-trade-no/:out_trade_no', ({ params }) => HttpResponse.json({ out_trade_no: params.out_trade_no, trade_state: 'SUCCESS' })));
    expect(await isPaid(shop, 'T1')).toBe(true);
  });

  it('is false for an order WeChat Pay does not know (a signed 404 ORDER_NOT_EXIST)', async () => {
    emulator.use(http.get('*/v3/pay/transactions/out-trade-no/:out_trade_no', () => HttpResponse.json({ code: 'ORDER_NOT_EXIST', message: '订单不存在' }, { status: 404 })));
    expect(await isPaid(shop, 'T404')).toBe(false);
  });

  it('starts from the creation handlers again: no handler for the query now (404 from the emulator)', async () => {
    await expect(isPaid(shop, 'T1')).rejects.toMatchObject({ status: 404 });
  });
});
