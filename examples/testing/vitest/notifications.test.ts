// examples/testing/vitest/notifications.test.ts
import { afterAll, describe, expect, it } from 'vitest';
import { createNotification, Emulator } from 'wechatpay-chain/testing';
import { shopOn } from '../fixtures.js';
import { onNotification } from '../shop.js';

const emulator = Emulator.create();
const shop = shopOn(emulator);
afterAll(() => shop.client.close());

// a paid transaction, as the TRANSACTION.SUCCESS resource carries it
const transaction = { mchid: shop.mchid, appid: shop.appid, out_trade_no: 'T1', transaction_id: '4200000001201905280000000000', trade_state: 'SUCCESS', amount: { total: 888, payer_total: 888, currency: 'CNY', payer_currency: 'CNY' } };

describe('the webhook', () => {
  it('records a genuine payment notification and answers 200 SUCCESS', () => {
    // signed with the emulator's platform key, the resource encrypted with its APIv3 key
    const { headers, body } = createNotification(emulator, { event_type: 'TRANSACTION.SUCCESS', resource: transaction });
    const reply = onNotification(shop, { headers, body });
    expect(reply.status).toBe(200);
    expect(shop.paid.has('T1')).toBe(true);
  });

  it('answers 401 to a notification changed on the way, and records nothing', () => {
    const { headers, body } = createNotification(emulator, { resource: { ...transaction, out_trade_no: 'T2' } });
    const reply = onNotification(shop, { headers, body: body.replace('"summary":"支付成功"', '"summary":"支付成功 "') });
    expect(reply.status).toBe(401);
    expect(shop.paid.has('T2')).toBe(false);
  });

  it('answers 401 to a notification encrypted with another APIv3 key', () => {
    const { headers, body } = createNotification(emulator, { resource: { ...transaction, out_trade_no: 'T3' }, apiv3Key: 'another-apiv3-key-of-32-bytes!!!' });
    expect(onNotification(shop, { headers, body }).status).toBe(401);
    expect(shop.paid.has('T3')).toBe(false);
  });
});
