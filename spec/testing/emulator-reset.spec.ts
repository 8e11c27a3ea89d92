/**
 * Issue 16: between tests, as with msw's `server.resetHandlers()`:
 * - `emulator.resetHandlers()` drops what a test added at run time (`use()`, a pending
 *   `tamperNext`) and goes back to the handlers given at creation; `resetHandlers(...next)`
 *   replaces those, as msw's does. It touches nothing else: the request log, the sandbox's
 *   orders, the signing key stay.
 * - `emulator.reset()` is the state: handlers as above, the request log emptied, the built-in
 *   handlers' own records (refund ids, APIv2 orders) and, in sandbox mode, orders, refunds,
 *   deliveries and pending timers dropped. Keys, serials, platform certificates and loopback
 *   servers stay, so clients built from `clientConfig()` keep working.
 * - `POST _sandbox/reset` (the standalone sandbox's door): the sandbox's state only.
 */
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ArgumentError, Builder, HttpError, VerificationError, type WeChatPayClient } from '../../lib/index.js';
import { Emulator, FIRST_REFUND_ID } from '../../lib/testing/index.js';
import { loose } from '../support/loose.js';
import { webhook, type Webhook } from '../support/webhook.js';

const ORDER = { appid: 'wxd678efh567hg6787', description: 'reset', notify_url: 'https://example.com/notify', amount: { total: 100 } };

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => error,
  );
}

describe('emulator.resetHandlers()', () => {
  const created = http.get('*/v3/pay/transactions/id/:id', () => HttpResponse.json({ trade_state: 'NOTPAY', from: 'creation' }));
  const emulator = Emulator.create({ handlers: [created] });
  const client = Builder.factory(emulator.clientConfig());
  const mchid = emulator.merchant.mchid;
  const query = () => client.v3.pay.transactions.id._transaction_id_.get({ transaction_id: '4200000001', query: { mchid } }).then((res) => res.data);
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  it('drops the handlers use() added and goes back to those given at creation', async () => {
    expect(await query()).toEqual({ trade_state: 'NOTPAY', from: 'creation' });
    emulator.use(http.get('*/v3/pay/transactions/id/:id', () => HttpResponse.json({ trade_state: 'SUCCESS', from: 'use' })));
    emulator.use(http.get('*/v3/merchant/fund/balance/:type', () => HttpResponse.json({ available_amount: 1 })));
    expect(await query()).toEqual({ trade_state: 'SUCCESS', from: 'use' });
    expect(emulator.handlers).toHaveLength(emulator.handlers.length);
    const before = emulator.handlers.length;

    expect(emulator.resetHandlers()).toBe(emulator);
    expect(emulator.handlers).toHaveLength(before - 2);
    expect(await query()).toEqual({ trade_state: 'NOTPAY', from: 'creation' });
    const gone = await failure(client.v3.merchant.fund.balance._account_type_.get({ account_type: 'BASIC' }));
    expect((gone as HttpError).status).toBe(404);
  });

  it('drops a pending tamperNext', async () => {
    emulator.tamperNext((res) => {
      res.body = Buffer.from('{"forged":true}');
    });
    emulator.resetHandlers();
    expect(await query()).toEqual({ trade_state: 'NOTPAY', from: 'creation' });
    // and a tamperNext set after the reset applies as usual
    emulator.tamperNext((res) => {
      res.body = Buffer.from('{"forged":true}');
    });
    expect(await failure(query())).toBeInstanceOf(VerificationError);
  });

  it('with handlers, replaces those given at creation (as msw does)', async () => {
    const next = http.get('*/v3/pay/transactions/id/:id', () => HttpResponse.json({ trade_state: 'CLOSED', from: 'next' }));
    emulator.resetHandlers(next);
    expect(await query()).toEqual({ trade_state: 'CLOSED', from: 'next' });
    emulator.use(http.get('*/v3/pay/transactions/id/:id', () => HttpResponse.json({ trade_state: 'SUCCESS', from: 'use' })));
    emulator.resetHandlers();
    expect(await query()).toEqual({ trade_state: 'CLOSED', from: 'next' });
  });

  it('refuses a list of handlers not spread (as msw does), naming the call', () => {
    const handler = http.get('*/v3/x', () => HttpResponse.json({}));
    expect(() => emulator.resetHandlers([handler] as never)).toThrow(/resetHandlers\(\): expected msw handlers, got an array among them \(spread it/);
    expect(() => emulator.use([handler] as never)).toThrow(ArgumentError);
    expect(() => Emulator.create({ handlers: [[handler]] as never })).toThrow(ArgumentError);
  });

  it('keeps the request log (reset() empties it)', async () => {
    const seen = emulator.requests.length;
    expect(seen).toBeGreaterThan(0);
    emulator.resetHandlers();
    expect(emulator.requests).toHaveLength(seen);
    await emulator.reset();
    expect(emulator.requests).toHaveLength(0);
    await query();
    expect(emulator.requests.map((r) => r.path)).toEqual([`/v3/pay/transactions/id/4200000001?mchid=${mchid}`]);
  });
});

describe('emulator.reset()', () => {
  it("restarts the built-in handlers' records (the seed refund ids) and keeps the keys and certificates", async () => {
    const emulator = Emulator.create();
    const certificate = await emulator.addPlatformCertificate();
    const client = Builder.factory(emulator.clientConfig({ certs: { [certificate.serial]: certificate.certificatePem } }));
    try {
      const apply = () => loose(client).v3.ecommerce.refunds.apply.post({ json: { sub_mchid: '1900000109', out_refund_no: 'R1', amount: { refund: 1, total: 1, currency: 'CNY' } } }).then((res) => (res.data as { refund_id: string }).refund_id);
      expect(await apply()).toBe(FIRST_REFUND_ID);
      expect(await apply()).not.toBe(FIRST_REFUND_ID);
      await emulator.reset();
      expect(await apply()).toBe(FIRST_REFUND_ID);
      // still certificate mode, answers signed by the certificate the client trusts
      expect(emulator.signingSerial).toBe(certificate.serial);
      expect(emulator.platformCertificates).toHaveLength(1);
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

describe('sandbox mode', () => {
  const emulator = Emulator.create({ sandbox: { timeScale: 0.001, refundDelay: 3_600_000_000 } });
  const mchid = emulator.merchant.mchid;
  let client: WeChatPayClient;
  let hook: Webhook;
  let server: { baseURL: string; close: () => Promise<void> };
  let overLoopback: WeChatPayClient;
  const place = (c: WeChatPayClient, out_trade_no: string) => c.v3.pay.transactions.native.post({ json: { ...ORDER, mchid, out_trade_no, notify_url: hook.url() } });
  const state = (c: WeChatPayClient, out_trade_no: string) => c.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no, query: { mchid } }).then((res) => (res.data as { trade_state: string }).trade_state);

  beforeAll(async () => {
    // every notification refused: a retry is always pending
    hook = await webhook(() => 500);
    client = Builder.factory(emulator.clientConfig());
    server = await emulator.listen();
    overLoopback = Builder.factory(emulator.clientConfig({ baseURL: server.baseURL }));
  });
  afterAll(async () => {
    await client.close();
    await overLoopback.close();
    await emulator.close();
    await hook.close();
  });

  it('resetHandlers() keeps the orders', async () => {
    await place(client, 'S1');
    emulator.use(http.get('*/v3/merchant/fund/balance/:type', () => HttpResponse.json({ available_amount: 1 })));
    emulator.resetHandlers();
    expect(await state(client, 'S1')).toBe('NOTPAY');
  });

  it('reset() drops orders, refunds, deliveries and pending retries and refund timers; the emulator serves on', async () => {
    emulator.pay('S1');
    await hook.next((r) => r.arrival === 2); // a retry happened, another is scheduled
    await client.v3.refund.domestic.refunds.post({ json: { out_trade_no: 'S1', out_refund_no: 'RS1', amount: { refund: 100, total: 100, currency: 'CNY' } } });
    expect(emulator.deliveries.length).toBeGreaterThan(1);
    expect(emulator.sandbox?.store.refunds).toHaveLength(1);

    await emulator.reset();
    expect(emulator.sandbox?.store.orders).toEqual([]);
    expect(emulator.sandbox?.store.refunds).toEqual([]);
    expect(emulator.deliveries).toEqual([]);
    expect(emulator.requests).toEqual([]);
    // nothing pending: idle() resolves at once, and no retry of the old notification arrives
    await emulator.sandbox?.idle();
    const arrived = hook.received.length;
    await new Promise((resolve) => setTimeout(resolve, 100)); // 100 s of the retry schedule at this scale
    expect(hook.received.length).toBe(arrived);

    const gone = await failure(state(client, 'S1'));
    expect((gone as HttpError).code).toBe('ORDER_NOT_EXIST');
    // the same number can be placed again, in process and over the loopback server that stayed up
    await place(overLoopback, 'S1');
    expect(await state(client, 'S1')).toBe('NOTPAY');
    emulator.pay('S1');
    await hook.next((r) => r.arrival === 1 && hook.received.indexOf(r) >= arrived);
    // the attempt is recorded once the webhook's answer is in
    await vi.waitFor(() => expect(emulator.deliveries[0]?.out_trade_no).toBe('S1'));
  });

  it('POST _sandbox/reset resets the sandbox for callers in any language (unsigned, body optional)', async () => {
    await place(client, 'S2');
    const res = await fetch(`${server.baseURL}_sandbox/reset`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(emulator.sandbox?.store.orders).toEqual([]);
    expect(emulator.deliveries).toEqual([]);
    // the sandbox only: the emulator's own request log (not served over HTTP) keeps the call
    expect(emulator.requests.at(-1)?.path).toBe('/_sandbox/reset');
    expect(emulator.requests.at(-1)?.verified).toBe(false);
    await place(client, 'S2');
    expect(emulator.sandbox?.store.orders).toHaveLength(1);
  });
});
