// examples/testing/node/in-process.test.ts — run: node --import tsx --test examples/testing/node/*.test.ts
import { strict as assert } from 'node:assert';
import { after, afterEach, before, describe, it } from 'node:test';
import { http, HttpResponse } from 'msw';
import { VerificationError } from 'wechatpay-chain';
import { Emulator } from 'wechatpay-chain/testing';
import { shopOn } from '../fixtures.js';
import { checkout, isPaid, type Shop } from '../shop.js';

describe('checkout, in process', () => {
  const emulator = Emulator.create({
    handlers: [http.post('*/v3/pay/transactions/native', () => HttpResponse.json({ code_url: 'weixin://wxpay/bizpayurl?pr=test' }))],
  });
  const shop = shopOn(emulator);
  afterEach(() => emulator.reset());
  after(() => shop.client.close());

  it('places a signed Native order', async () => {
    assert.equal(await checkout(shop, 'T1', 888), 'weixin://wxpay/bizpayurl?pr=test');
    assert.equal(emulator.requests[0]?.verified, true);
  });

  it('asks WeChat Pay whether an order is paid', async () => {
    emulator.use(http.get('*/v3/pay/transactions/out-trade-no/:out_trade_no', () => HttpResponse.json({ trade_state: 'SUCCESS' })));
    assert.equal(await isPaid(shop, 'T1'), true);
  });

  it('refuses a forged answer', async () => {
    emulator.tamperNext((res) => {
      res.body = Buffer.from('{"code_url":"weixin://wxpay/bizpayurl?pr=forged"}');
    });
    await assert.rejects(checkout(shop, 'T2', 1), VerificationError);
  });
});

describe('checkout, over loopback', () => {
  const emulator = Emulator.create({
    handlers: [http.post('*/v3/pay/transactions/native', () => HttpResponse.json({ code_url: 'weixin://wxpay/bizpayurl?pr=socket' }))],
  });
  let server: { baseURL: string; close: () => Promise<void> };
  let shop: Shop;
  before(async () => {
    server = await emulator.listen();
    shop = shopOn(emulator, { baseURL: server.baseURL });
  });
  after(async () => {
    await shop.client.close();
    await server.close();
  });

  it('places a signed Native order over a socket', async () => {
    assert.equal(await checkout(shop, 'T1', 1), 'weixin://wxpay/bizpayurl?pr=socket');
  });
});
