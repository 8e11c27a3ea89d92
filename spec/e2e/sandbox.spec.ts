/**
 * The sandbox end to end, in process (the emulator's dispatcher) and over loopback: orders,
 * payments, refunds, 电商收付通 refunds and advance returns, notifications delivered over real
 * HTTP to loopback webhooks (verified with parseNotification and with node:crypto alone), retries
 * compressed in time, control endpoints, bad input.
 *
 * Facts pinned from outside the sandbox, by source:
 * - the notification envelope's fields and order, the signed message and the resource
 *   encryption: wechatpay-go core/notify/notify_test.go (its fixture must pass our independent
 *   check, first test below);
 * - the retry schedule and the webhook headers: vendor/wechatpay-openapi/v3/webhooks.yaml;
 * - the transaction resource's fields: wechatpay-go services/payments/models.go `Transaction`;
 *   the refund resource's: wechatpay-java service/refund/model/RefundNotification.java;
 * - refund error codes (RESOURCE_NOT_EXISTS, INVALID_REQUEST, NOT_ENOUGH, PARAM_ERROR):
 *   wechatpay-go services/refunddomestic/api_refunds.go;
 * - PARAM_ERROR wording: live answers quoted in Javen205/IJPay#79, TheNorthMemory/wechatpay-axios-plugin#38;
 * - `201 商户订单号重复` for a reused order number: yansongda/pay#705;
 * - answer fields of refunds and advance returns: the catalog's 200 schemas.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Builder, HttpError, type WeChatPayClient } from '../../lib/index.js';
import { parseNotification } from '../../lib/webhook/index.js';
import { Emulator, RETRY_SCHEDULE, SandboxError } from '../../lib/testing/index.js';
import { ArgumentError } from '../../lib/errors.js';
import { checkNotification } from '../support/independent-notification.js';
import { resources, settle } from '../support/loopback.js';
import { GO_FIXTURE } from '../support/wechatpay-go-notification.js';
import { webhook, type Received, type Webhook } from '../support/webhook.js';

const SCALE = 0.001;

function failure(promise: Promise<unknown>): Promise<HttpError> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => {
      if (!(error instanceof HttpError)) throw error;
      return error;
    },
  );
}

/** The decrypted resource of a notification from `emulator` (undefined for another emulator's). */
function resourceFrom(emulator: Emulator, received: Received): Record<string, unknown> | undefined {
  try {
    return JSON.parse(checkNotification(received.headers, received.body, emulator.platform.publicKeyPem, emulator.apiv3Key).plaintext) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Matches the notifications from `emulator` whose resource has `key: value`. */
const carrying = (emulator: Emulator, key: string, value: string) => (received: Received) => resourceFrom(emulator, received)?.[key] === value;

describe('the independent notification check', () => {
  it("accepts wechatpay-go's notification fixture (so it checks the wire format, not ours)", () => {
    const { envelope, plaintext } = checkNotification(GO_FIXTURE.headers, GO_FIXTURE.body, GO_FIXTURE.certificate, GO_FIXTURE.apiv3Key);
    expect(plaintext).toBe(GO_FIXTURE.plaintext);
    expect(Object.keys(envelope)).toEqual(['id', 'create_time', 'resource_type', 'event_type', 'summary', 'resource']);
    expect(Object.keys(envelope.resource)).toEqual(['original_type', 'algorithm', 'ciphertext', 'associated_data', 'nonce']);
    expect(() => checkNotification(GO_FIXTURE.headers, GO_FIXTURE.body.replace('签约成功', '签约失败'), GO_FIXTURE.certificate, GO_FIXTURE.apiv3Key)).toThrow(/signature/);
  });
});

describe('the sandbox, in process', () => {
  const emulator = Emulator.create({ sandbox: { timeScale: SCALE } });
  const mchid = emulator.merchant.mchid;
  let client: WeChatPayClient;
  let hook: Webhook;
  let refundHook: Webhook;
  const order = (out_trade_no: string, extra: Record<string, unknown> = {}) => ({
    appid: 'wxd678efh567hg6787',
    mchid,
    description: 'Image形象店-深圳腾大-QQ公仔',
    out_trade_no,
    notify_url: hook.url(),
    amount: { total: 888, currency: 'CNY' },
    ...extra,
  });
  const paid = async (out_trade_no: string, total = 888) => {
    await client.v3.pay.transactions.native.post({ json: order(out_trade_no, { amount: { total } }) });
    return emulator.pay(out_trade_no) as { transaction_id: string };
  };
  const about = (key: string, value: string) => carrying(emulator, key, value);
  const resourceOf = (r: Received) => resourceFrom(emulator, r) as Record<string, unknown>;

  beforeAll(async () => {
    // the first arrival of each notification is refused with 500, the next taken with 200
    hook = await webhook((arrival) => (arrival === 1 ? 500 : 200));
    refundHook = await webhook(() => 204);
    client = Builder.factory(emulator.clientConfig());
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
    await hook.close();
    await refundHook.close();
  });

  it('places native, jsapi, app and h5 orders with the answer each names, and queries them NOTPAY', async () => {
    const native = await client.v3.pay.transactions.native.post({ json: order('N1') });
    expect(native.status).toBe(200);
    expect(native.data).toEqual({ code_url: expect.stringMatching(/^weixin:\/\/wxpay\/bizpayurl\?pr=\w/) });
    const jsapi = await client.v3.pay.transactions.jsapi.post({ json: { ...order('J1'), payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } } });
    expect(jsapi.data).toEqual({ prepay_id: expect.stringMatching(/^wx\d{14}[0-9a-f]{20}$/) });
    expect((await client.v3.pay.transactions.app.post({ json: order('A1') })).data).toEqual({ prepay_id: expect.stringMatching(/^wx/) });
    const h5 = await client.v3.pay.transactions.h5.post({ json: { ...order('H1'), scene_info: { h5_info: { type: 'Wap' } } } });
    expect(h5.data).toEqual({ h5_url: expect.stringMatching(/^https:\/\/wx\.tenpay\.com\/cgi-bin\/mmpayweb-bin\/checkmweb\?prepay_id=wx/) });

    const query = await client.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: 'N1', query: { mchid } });
    expect(query.data).toEqual({ appid: 'wxd678efh567hg6787', mchid, out_trade_no: 'N1', trade_state: 'NOTPAY', trade_state_desc: '订单未支付', amount: { total: 888, currency: 'CNY' } });
  });

  it('answers the same request for the same number again, and refuses another body with 201 商户订单号重复', async () => {
    const first = await client.v3.pay.transactions.native.post({ json: order('N2') });
    const again = await client.v3.pay.transactions.native.post({ json: { ...order('N2'), amount: { currency: 'CNY', total: 888 } } });
    expect(again.data).toEqual(first.data);
    const other = await failure(client.v3.pay.transactions.native.post({ json: order('N2', { amount: { total: 1 } }) }));
    expect([other.status, other.code, other.response.data]).toEqual([400, 'INVALID_REQUEST', { code: 'INVALID_REQUEST', message: '201 商户订单号重复' }]);
    // another product with the same number is another request too
    expect((await failure(client.v3.pay.transactions.app.post({ json: order('N2') }))).code).toBe('INVALID_REQUEST');
  });

  it('pays an order and delivers TRANSACTION.SUCCESS to notify_url, again after a 500, as the service sends it', async () => {
    await client.v3.pay.transactions.native.post({ json: order('P1', { attach: '自定义数据' }) });
    const transaction = emulator.pay('P1');
    const second = await hook.next((r) => r.arrival === 2 && about('out_trade_no', 'P1')(r));
    const first = hook.received.find((r) => r.id === second.id && r.arrival === 1) as Received;

    // the same notification twice (same id and body), each attempt signed afresh
    expect(first.body).toBe(second.body);
    for (const received of [first, second]) {
      expect(received.headers['content-type']).toBe('application/json');
      expect(received.headers['wechatpay-serial']).toBe(emulator.platform.serial);
      expect(received.headers['wechatpay-signature-type']).toBe('WECHATPAY2-SHA256-RSA2048');
      expect(received.headers['wechatpay-nonce']).toMatch(/^\w{32}$/);
      expect(Math.abs(Number(received.headers['wechatpay-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(received.headers['request-id']).toMatch(/^\w+$/);
    }

    // independent check: node:crypto only
    const { envelope, plaintext } = checkNotification(second.headers, second.body, emulator.platform.publicKeyPem, emulator.apiv3Key);
    expect(Object.keys(envelope)).toEqual(['id', 'create_time', 'resource_type', 'event_type', 'summary', 'resource']);
    expect(envelope).toMatchObject({ resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功' });
    expect(envelope.create_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(envelope.resource).toEqual({ original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: expect.any(String), associated_data: 'transaction', nonce: expect.stringMatching(/^\w{12}$/) });
    const resource = JSON.parse(plaintext) as Record<string, unknown>;
    expect(Object.keys(resource).sort()).toEqual(['amount', 'appid', 'attach', 'bank_type', 'mchid', 'out_trade_no', 'payer', 'success_time', 'trade_state', 'trade_state_desc', 'trade_type', 'transaction_id']);
    expect(resource).toMatchObject({ out_trade_no: 'P1', trade_state: 'SUCCESS', trade_type: 'NATIVE', attach: '自定义数据', amount: { total: 888, payer_total: 888, currency: 'CNY', payer_currency: 'CNY' } });
    expect(resource).toEqual(transaction);

    // and the library's own parser agrees
    const parsed = parseNotification({ headers: second.headers, body: second.body }, { certs: { [emulator.platform.serial]: emulator.platform.publicKeyPem }, apiv3Key: emulator.apiv3Key });
    expect(parsed.resource).toEqual(resource);
    expect(parsed.event_type).toBe('TRANSACTION.SUCCESS');

    // every attempt is recorded
    await emulator.sandbox?.idle();
    const attempts = emulator.deliveries.filter((d) => d.id === envelope.id);
    expect(attempts.map((d) => [d.attempt, d.status, d.event_type, d.out_trade_no, d.notify_url])).toEqual([
      [1, 500, 'TRANSACTION.SUCCESS', 'P1', hook.url()],
      [2, 200, 'TRANSACTION.SUCCESS', 'P1', hook.url()],
    ]);
    expect(Date.parse(attempts[1]?.time as string)).toBeGreaterThanOrEqual(Date.parse(attempts[0]?.time as string));

    // the order is paid: by out_trade_no and by transaction_id
    const byNo = await client.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: 'P1', query: { mchid } });
    const byId = await client.v3.pay.transactions.id._transaction_id_.get({ transaction_id: String(resource.transaction_id), query: { mchid } });
    expect(byNo.data).toEqual(resource);
    expect(byId.data).toEqual(resource);
  });

  it('keeps a paid order paid: no second payment, no close, no new order under its number', async () => {
    await paid('P2');
    expect(() => emulator.pay('P2')).toThrow(expect.objectContaining({ name: 'SandboxError', status: 400, code: 'ORDERPAID' }));
    const close = await failure(client.v3.pay.transactions.outTradeNo._out_trade_no_.close.post({ out_trade_no: 'P2', json: { mchid } }));
    expect([close.status, close.code]).toEqual([400, 'ORDERPAID']);
    expect((await failure(client.v3.pay.transactions.native.post({ json: order('P2') }))).code).toBe('ORDERPAID');
  });

  it('closes an unpaid order (204), which then cannot be paid or placed again; unknown orders are ORDER_NOT_EXIST', async () => {
    await client.v3.pay.transactions.native.post({ json: order('C1') });
    const closed = await client.v3.pay.transactions.outTradeNo._out_trade_no_.close.post({ out_trade_no: 'C1', json: { mchid } });
    expect(closed.status).toBe(204);
    expect((await client.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: 'C1', query: { mchid } })).data).toMatchObject({ trade_state: 'CLOSED', trade_state_desc: '订单已关闭' });
    expect(() => emulator.pay('C1')).toThrow(expect.objectContaining({ code: 'ORDERCLOSED' }));
    expect((await failure(client.v3.pay.transactions.native.post({ json: order('C1') }))).code).toBe('ORDERCLOSED');
    for (const attempt of [
      () => client.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: 'NOPE', query: { mchid } }),
      () => client.v3.pay.transactions.outTradeNo._out_trade_no_.close.post({ out_trade_no: 'NOPE', json: { mchid } }),
      // an unpaid order has no transaction_id yet
      () => client.v3.pay.transactions.id._transaction_id_.get({ transaction_id: '4200000000000000000000000000', query: { mchid } }),
    ]) {
      const error = await failure(attempt());
      expect([error.status, error.code, error.response.data]).toEqual([404, 'ORDER_NOT_EXIST', { code: 'ORDER_NOT_EXIST', message: '订单不存在' }]);
    }
    expect(() => emulator.pay('NOPE')).toThrow(SandboxError);
  });

  it('closes an order whose time_expire has passed', async () => {
    await client.v3.pay.transactions.native.post({ json: order('E1', { time_expire: '2020-01-01T00:00:00+08:00' }) });
    expect((await client.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: 'E1', query: { mchid } })).data).toMatchObject({ trade_state: 'CLOSED' });
    expect(() => emulator.pay('E1')).toThrow(expect.objectContaining({ code: 'ORDERCLOSED' }));
  });

  it('refunds: PROCESSING, SUCCESS after the (scaled) delay, REFUND.SUCCESS to the refund notify_url or the order one', async () => {
    const { transaction_id } = await paid('R-ORDER');
    const applied = await client.v3.refund.domestic.refunds.post({ json: { transaction_id, out_refund_no: 'RF1', notify_url: refundHook.url('/refund'), amount: { refund: 300, total: 888, currency: 'CNY' } } });
    expect(applied.data).toMatchObject({
      out_refund_no: 'RF1',
      transaction_id,
      out_trade_no: 'R-ORDER',
      status: 'PROCESSING',
      channel: 'ORIGINAL',
      amount: { total: 888, refund: 300, payer_total: 888, payer_refund: 300, settlement_refund: 300, settlement_total: 888, discount_refund: 0, currency: 'CNY' },
    });
    expect((applied.data as { refund_id: string }).refund_id).toMatch(/^\d{29}$/);
    const notified = await refundHook.next(about('out_refund_no', 'RF1'));
    expect(notified.path).toBe('/refund');
    const { envelope } = checkNotification(notified.headers, notified.body, emulator.platform.publicKeyPem, emulator.apiv3Key);
    expect(envelope).toMatchObject({ event_type: 'REFUND.SUCCESS', summary: '退款成功', resource: { original_type: 'refund', associated_data: 'refund' } });
    const resource = resourceOf(notified);
    expect(Object.keys(resource).sort()).toEqual(['amount', 'mchid', 'out_refund_no', 'out_trade_no', 'refund_id', 'refund_status', 'success_time', 'transaction_id', 'user_received_account']);
    expect(resource).toMatchObject({ mchid, out_trade_no: 'R-ORDER', transaction_id, refund_status: 'SUCCESS', amount: { total: 888, refund: 300, payer_total: 888, payer_refund: 300 } });

    const query = await client.v3.refund.domestic.refunds._out_refund_no_.get({ out_refund_no: 'RF1' });
    expect(query.data).toMatchObject({ status: 'SUCCESS', success_time: resource.success_time, amount: { refund: 300, payer_refund: 300 } });
    expect((await client.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: 'R-ORDER', query: { mchid } })).data).toMatchObject({ trade_state: 'REFUND', trade_state_desc: '转入退款' });

    // a refund without its own notify_url notifies the order's; by out_trade_no
    await client.v3.refund.domestic.refunds.post({ json: { out_trade_no: 'R-ORDER', out_refund_no: 'RF2', amount: { refund: 588, total: 888, currency: 'CNY' } } });
    const toOrder = await hook.next((r) => about('out_refund_no', 'RF2')(r) && r.arrival === 2);
    expect(toOrder.path).toBe('/notify');
  });

  it('refuses refunds beyond the refundable amount, of unknown or unpaid orders, and a reused out_refund_no with another body', async () => {
    const { transaction_id } = await paid('R-LIMIT', 100);
    const json = { transaction_id, out_refund_no: 'RL1', amount: { refund: 60, total: 100, currency: 'CNY' } };
    const first = await client.v3.refund.domestic.refunds.post({ json });
    // the same request: the same refund (its status may have moved on since)
    expect((await client.v3.refund.domestic.refunds.post({ json })).data).toMatchObject({ refund_id: (first.data as { refund_id: string }).refund_id, amount: { refund: 60 } });
    const beyond = await failure(client.v3.refund.domestic.refunds.post({ json: { ...json, out_refund_no: 'RL2', amount: { refund: 41, total: 100, currency: 'CNY' } } }));
    expect([beyond.status, beyond.code, beyond.response.data]).toEqual([400, 'INVALID_REQUEST', { code: 'INVALID_REQUEST', message: '申请退款金额 41 超过订单可退金额 40' }]);
    expect((await failure(client.v3.refund.domestic.refunds.post({ json: { ...json, amount: { refund: 1, total: 100, currency: 'CNY' } } }))).code).toBe('INVALID_REQUEST');
    expect((await failure(client.v3.refund.domestic.refunds.post({ json: { ...json, out_refund_no: 'RL3', amount: { refund: 1, total: 99, currency: 'CNY' } } }))).code).toBe('INVALID_REQUEST');
    await client.v3.pay.transactions.native.post({ json: order('R-UNPAID') });
    for (const target of [{ out_trade_no: 'R-UNPAID' }, { out_trade_no: 'R-NOWHERE' }, { transaction_id: '4200000000000000000000000001' }]) {
      const error = await failure(client.v3.refund.domestic.refunds.post({ json: { ...target, out_refund_no: 'RL9', amount: { refund: 1, total: 888, currency: 'CNY' } } }));
      expect([error.status, error.code]).toEqual([404, 'RESOURCE_NOT_EXISTS']);
    }
    const unknown = await failure(client.v3.refund.domestic.refunds._out_refund_no_.get({ out_refund_no: 'NO-SUCH-REFUND' }));
    expect([unknown.status, unknown.code]).toEqual([404, 'RESOURCE_NOT_EXISTS']);
  });

  it('delivers REFUND.ABNORMAL when asked', async () => {
    // a refund that waits for settleRefund(): no race with the refund delay
    const held = Emulator.create({ modulusLength: 1024, sandbox: { timeScale: SCALE, refundDelay: 3_600_000_000 } });
    const heldClient = Builder.factory(held.clientConfig());
    try {
      await heldClient.v3.pay.transactions.native.post({ json: { ...order('R-ABN'), mchid: held.merchant.mchid } });
      const { transaction_id } = held.pay('R-ABN') as { transaction_id: string };
      await heldClient.v3.refund.domestic.refunds.post({ json: { transaction_id, out_refund_no: 'RA1', notify_url: refundHook.url('/abnormal'), amount: { refund: 888, total: 888, currency: 'CNY' } } });
      expect(held.settleRefund('RA1', 'ABNORMAL')).toMatchObject({ status: 'ABNORMAL' });
      const notified = await refundHook.next(carrying(held, 'out_refund_no', 'RA1'));
      expect(JSON.parse(notified.body)).toMatchObject({ event_type: 'REFUND.ABNORMAL', summary: '退款异常' });
      expect(resourceFrom(held, notified)).toMatchObject({ refund_status: 'ABNORMAL' });
      expect(resourceFrom(held, notified)).not.toHaveProperty('success_time');
      expect(() => held.settleRefund('RA1')).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
      expect(() => held.settleRefund('RA-NONE')).toThrow(expect.objectContaining({ status: 404, code: 'RESOURCE_NOT_EXISTS' }));
    } finally {
      await heldClient.close();
      await held.close();
    }
  });

  it('电商收付通: apply by transaction_id or out_trade_no, advanced by the platform, then return-advance (POST once, GET any time)', async () => {
    // refunds that wait for settleRefund(): no race between the delay and the checks before it
    const platform = Emulator.create({ sandbox: { timeScale: SCALE, refundDelay: 3_600_000_000 } });
    const client = Builder.factory(platform.clientConfig());
    const mchid = platform.merchant.mchid;
    const about = (key: string, value: string) => carrying(platform, key, value);
    const resourceOf = (r: Received) => resourceFrom(platform, r) as Record<string, unknown>;
    const paid = async (out_trade_no: string) => {
      await client.v3.pay.transactions.native.post({ json: { ...order(out_trade_no), mchid } });
      return platform.pay(out_trade_no) as { transaction_id: string };
    };
    try {
      const { transaction_id } = await paid('EC1');
      const apply = {
        sub_mchid: mchid,
        sp_appid: 'wx8888888888888888',
        transaction_id,
        combine_transaction_id: transaction_id,
        out_refund_no: 'ECR1',
        amount: { refund: 888, total: 888, currency: 'CNY' },
        refund_account: 'REFUND_SOURCE_PARTNER_ADVANCE',
        funds_account: 'AVAILABLE',
        notify_url: refundHook.url('/ecommerce'),
      } as const;
      const applied = await client.v3.ecommerce.refunds.apply.post({ json: apply });
      expect(applied.data).toMatchObject({ out_refund_no: 'ECR1', refund_account: 'REFUND_SOURCE_PARTNER_ADVANCE', amount: { refund: 888, payer_refund: 888, advance: 888, currency: 'CNY' } });
      const refund_id = (applied.data as { refund_id: string }).refund_id;

      // not before the refund succeeded
      const early = await failure(client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id, json: { sub_mchid: mchid } }));
      expect([early.status, early.code]).toEqual([400, 'INVALID_REQUEST']);
      const none = await failure(client.v3.ecommerce.refunds._refund_id_.returnAdvance.get({ refund_id, query: { sub_mchid: mchid } }));
      expect([none.status, none.code]).toEqual([404, 'RESOURCE_NOT_EXISTS']);

      platform.settleRefund('ECR1');
      const notified = await refundHook.next(about('out_refund_no', 'ECR1'));
      expect(resourceOf(notified)).toMatchObject({ sp_mchid: mchid, sub_mchid: mchid, refund_status: 'SUCCESS', refund_account: 'REFUND_SOURCE_PARTNER_ADVANCE' });
      const byId = await client.v3.ecommerce.refunds.id._refund_id_.get({ refund_id, query: { sub_mchid: mchid } });
      const byNo = await client.v3.ecommerce.refunds.outRefundNo._out_refund_no_.get({ out_refund_no: 'ECR1', query: { sub_mchid: mchid } });
      expect(byId.data).toMatchObject({ refund_id, status: 'SUCCESS', transaction_id, out_trade_no: 'EC1', amount: { advance: 888 } });
      expect(byNo.data).toEqual(byId.data);

      const returned = await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id, json: { sub_mchid: mchid } });
      expect(returned.data).toMatchObject({ refund_id, return_amount: 888, payer_mchid: mchid, payee_mchid: mchid, payer_account: 'BASIC', payee_account: 'BASIC', result: 'SUCCESS' });
      expect((returned.data as { advance_return_id: string }).advance_return_id).toMatch(/^\d{28}$/);
      // a retried POST moves nothing twice: the same return; GET any time
      expect((await client.chain('v3/ecommerce/refunds/{refund_id}/return-advance').post({ refund_id, json: { sub_mchid: mchid } })).data).toEqual(returned.data);
      expect((await client['v3/ecommerce/refunds/{refund_id}/return-advance'].get({ refund_id, query: { sub_mchid: mchid } })).data).toEqual(returned.data);

      // by out_trade_no, paid by the sub-merchant: nothing to return
      await paid('EC2');
      // the typed catalog wants both order ids (see scripts/openapi/emit-sandbox-rules.ts): a loose chain
      const own = await client.chain('v3/ecommerce/refunds/apply' as string).post({ json: { sub_mchid: mchid, sp_appid: 'wx8888888888888888', out_trade_no: 'EC2', out_refund_no: 'ECR2', amount: { refund: 1, total: 888 }, funds_account: 'AVAILABLE' } });
      expect(own.data).toMatchObject({ refund_account: 'REFUND_SOURCE_SUB_MERCHANT', amount: { advance: 0 } });
      platform.settleRefund('ECR2');
      const notAdvanced = await failure(client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id: (own.data as { refund_id: string }).refund_id, json: { sub_mchid: mchid } }));
      expect([notAdvanced.status, notAdvanced.code]).toEqual([400, 'INVALID_REQUEST']);
      const unknown = await failure(client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id: '50300000000000000000000000000', json: { sub_mchid: mchid } }));
      expect([unknown.status, unknown.code]).toEqual([404, 'RESOURCE_NOT_EXISTS']);
      const stranger = await failure(client.v3.ecommerce.refunds.apply.post({ json: { ...apply, sub_mchid: '1900000999', out_refund_no: 'ECR3' } }));
      expect([stranger.status, stranger.code]).toEqual([400, 'INVALID_REQUEST']);
      const { sub_mchid: _none, ...anonymous } = apply;
      const nobody = await failure(client.v3.ecommerce.refunds.apply.post({ json: { ...anonymous, out_refund_no: 'ECR4' } }));
      expect([nobody.status, nobody.code, nobody.detail]).toEqual([400, 'PARAM_ERROR', { field: 'sub_mchid', location: 'body', value: '' }]);
    } finally {
      await client.close();
      await platform.close();
    }
  });

  it('checks bodies against the catalog: a missing amount.total is PARAM_ERROR naming the field; enums too', async () => {
    const missing = await failure(client.v3.pay.transactions.native.post({ json: order('V1', { amount: { currency: 'CNY' } }) }));
    expect([missing.status, missing.code]).toEqual([400, 'PARAM_ERROR']);
    expect(missing.response.data).toEqual({
      code: 'PARAM_ERROR',
      message: '输入源“/body/amount/total”映射到字段“总金额”必填性规则校验失败，此字段为必填项',
      detail: { field: 'amount.total', location: 'body', value: '' },
    });
    expect(missing.detail).toMatchObject({ field: 'amount.total' });
    const type = await failure(client.v3.pay.transactions.native.post({ json: order('V1', { amount: { total: 0.01 } }) }));
    expect(type.response.data).toMatchObject({ message: '无法将 JSON 输入源“/body/amount/total”映射到目标字段“总金额”中，此字段需要一个合法的 64 位有符号整数' });
    const apply = await failure(client.chain('v3/ecommerce/refunds/apply' as string).post({ json: { sub_mchid: mchid, sp_appid: 'wx1', out_trade_no: 'X', out_refund_no: 'X', amount: { refund: 1, total: 1 }, funds_account: 'SOMEWHERE' } }));
    expect(apply.response.data).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'funds_account', value: 'SOMEWHERE' } });
    const query = await failure(client.chain('v3/pay/transactions/out-trade-no/{out_trade_no}' as string).get({ out_trade_no: 'N1' }));
    expect(query.response.data).toMatchObject({ code: 'PARAM_ERROR', detail: { field: 'mchid', location: 'query' } });
    const other = await failure(client.v3.pay.transactions.native.post({ json: order('V2', { mchid: '1230000109' }) }));
    expect([other.status, other.code]).toEqual([400, 'INVALID_REQUEST']);
  });

  it('refuses a refund beyond the merchant balance with NOT_ENOUGH', async () => {
    const poor = Emulator.create({ sandbox: { timeScale: SCALE, balance: 100 } });
    const poorClient = Builder.factory(poor.clientConfig());
    try {
      await poorClient.v3.pay.transactions.native.post({ json: { ...order('B1'), mchid: poor.merchant.mchid, notify_url: refundHook.url('/poor') } });
      poor.pay('B1');
      await poorClient.v3.refund.domestic.refunds.post({ json: { out_trade_no: 'B1', out_refund_no: 'BR1', amount: { refund: 100, total: 888, currency: 'CNY' } } });
      const error = await failure(poorClient.v3.refund.domestic.refunds.post({ json: { out_trade_no: 'B1', out_refund_no: 'BR2', amount: { refund: 1, total: 888, currency: 'CNY' } } }));
      expect([error.status, error.code, error.response.data]).toEqual([403, 'NOT_ENOUGH', { code: 'NOT_ENOUGH', message: '余额不足' }]);
      expect(poor.sandbox?.store.balance).toBe(0);
    } finally {
      await poorClient.close();
      await poor.close();
    }
  });

  it('retries on the service schedule compressed by timeScale, and records no answer within the answer timeout as null', async () => {
    let hang = true;
    const slow = await webhook((arrival) => (arrival === 1 && hang ? 'hang' : arrival < 4 ? 503 : 200));
    const quick = Emulator.create({ sandbox: { timeScale: SCALE, answerTimeout: 1000 } });
    const quickClient = Builder.factory(quick.clientConfig());
    try {
      await quickClient.v3.pay.transactions.native.post({ json: { ...order('S1'), mchid: quick.merchant.mchid, notify_url: slow.url() } });
      quick.pay('S1');
      await slow.next((r) => r.arrival === 4);
      hang = false;
      await quick.sandbox?.idle();
      const attempts = quick.deliveries;
      expect(attempts.map((d) => [d.attempt, d.status])).toEqual([
        [1, null],
        [2, 503],
        [3, 503],
        [4, 200],
      ]);
      expect(attempts[0]?.error).toBe('no answer within 1000 ms');
      expect(attempts[0]?.duration_ms).toBeGreaterThanOrEqual(990);
      // each retry waited at least its scaled interval: 15 s, 15 s, 30 s × 0.001
      const arrivals = slow.received.map((r) => r.at);
      for (let i = 1; i < arrivals.length; i++) expect((arrivals[i] as number) - (arrivals[i - 1] as number)).toBeGreaterThanOrEqual(Math.floor((RETRY_SCHEDULE[i - 1] as number) * SCALE));
    } finally {
      await quickClient.close();
      await quick.close();
      await slow.close();
    }
  });

  it('gives up after the schedule: 1 attempt and 15 retries (24 h 4 min at timeScale 1, under a second here)', async () => {
    // vendor/wechatpay-openapi/v3/webhooks.yaml: 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h - 总计 24h4m
    expect(RETRY_SCHEDULE.reduce((a, b) => a + b, 0)).toBe((24 * 60 + 4) * 60_000);
    const refusing = await webhook(() => 500);
    const stubborn = Emulator.create({ modulusLength: 1024, sandbox: { timeScale: 0.00001 } });
    const stubbornClient = Builder.factory(stubborn.clientConfig());
    try {
      await stubbornClient.v3.pay.transactions.native.post({ json: { ...order('G1'), mchid: stubborn.merchant.mchid, notify_url: refusing.url() } });
      stubborn.pay('G1');
      await stubborn.sandbox?.idle();
      expect(stubborn.deliveries.map((d) => d.attempt)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      expect(new Set(stubborn.deliveries.map((d) => d.status))).toEqual(new Set([500]));
      expect(refusing.received).toHaveLength(16);
    } finally {
      await stubbornClient.close();
      await stubborn.close();
      await refusing.close();
    }
  });

  it('close() cancels scheduled retries and leaves no timer or socket behind', async () => {
    const baseline = resources();
    const refusing = await webhook(() => 500);
    // a large timeScale: the retry waits 15 s, longer than this test
    const stopping = Emulator.create({ sandbox: { timeScale: 1 } });
    const stoppingClient = Builder.factory(stopping.clientConfig());
    await stoppingClient.v3.pay.transactions.native.post({ json: { ...order('K1'), mchid: stopping.merchant.mchid, notify_url: refusing.url() } });
    stopping.pay('K1');
    await vi.waitFor(() => expect(stopping.deliveries).toHaveLength(1), { timeout: 5_000 });
    await stoppingClient.close();
    await stopping.close();
    await refusing.close();
    expect(stopping.deliveries).toHaveLength(1);
    expect(refusing.received).toHaveLength(1);
    await expect(stopping.sandbox?.idle()).resolves.toBeUndefined();
    const after = await settle(baseline);
    expect(after.Timeout).toBeLessThanOrEqual(baseline.Timeout as number);
    expect(after.TCPSocketWrap).toBeLessThanOrEqual(baseline.TCPSocketWrap as number);
  });

  it('refuses sandbox calls outside sandbox mode and bad sandbox options with an ArgumentError', () => {
    const plain = Emulator.create({ modulusLength: 1024 });
    expect(() => plain.pay('T1')).toThrow(ArgumentError);
    expect(() => plain.settleRefund('R1')).toThrow(/needs sandbox mode/);
    expect(plain.deliveries).toEqual([]);
    for (const sandbox of [{ timeScale: 0 }, { timeScale: -1 }, { refundDelay: Number.NaN }, { answerTimeout: 0 }, { balance: -5 }, 'yes'] as never[]) {
      expect(() => Emulator.create({ modulusLength: 1024, sandbox })).toThrow(ArgumentError);
    }
  });
});

describe('the sandbox over loopback: control endpoints from any language, bad input', () => {
  const emulator = Emulator.create({ sandbox: { timeScale: SCALE } });
  const mchid = emulator.merchant.mchid;
  let baseURL = '';
  let close = async () => {};
  let client: WeChatPayClient;
  let hook: Webhook;

  beforeAll(async () => {
    hook = await webhook(() => 200);
    ({ baseURL, close } = await emulator.listen());
    client = Builder.factory(emulator.clientConfig({ baseURL }));
  });
  afterAll(async () => {
    await client.close();
    await close();
    await emulator.close();
    await hook.close();
  });

  const post = (path: string, body: unknown) => fetch(new URL(path, baseURL), { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('pays through POST _sandbox/pay without a signature, lists deliveries through GET _sandbox/deliveries', async () => {
    await client.v3.pay.transactions.native.post({ json: { appid: 'wxd678efh567hg6787', mchid, description: 'd', out_trade_no: 'L1', notify_url: hook.url(), amount: { total: 1 } } });
    const res = await post('_sandbox/pay', { out_trade_no: 'L1', payer: { openid: 'oPayer' } });
    expect(res.status).toBe(200);
    // answers are signed like any other
    expect(res.headers.get('wechatpay-serial')).toBe(emulator.platform.serial);
    expect(await res.json()).toMatchObject({ out_trade_no: 'L1', trade_state: 'SUCCESS', payer: { openid: 'oPayer' } });
    await hook.next(() => true);
    await emulator.sandbox?.idle();
    const list = await fetch(new URL('_sandbox/deliveries?out_trade_no=L1', baseURL));
    expect(list.status).toBe(200);
    const deliveries = (await list.json()) as Array<Record<string, unknown>>;
    expect(deliveries).toEqual([
      { id: expect.any(String), event_type: 'TRANSACTION.SUCCESS', out_trade_no: 'L1', notify_url: hook.url(), attempt: 1, time: expect.any(String), status: 200, duration_ms: expect.any(Number) },
    ]);
    expect(await (await fetch(new URL('_sandbox/deliveries?out_trade_no=NONE', baseURL))).json()).toEqual([]);
  });

  it('takes a signed control call too (the library verifies the answer), and checks its signature', async () => {
    await client.v3.pay.transactions.native.post({ json: { appid: 'wxd678efh567hg6787', mchid, description: 'd', out_trade_no: 'L2', notify_url: hook.url(), amount: { total: 1 } } });
    const res = await client.chain('_sandbox/pay').post({ json: { out_trade_no: 'L2' } });
    expect(res.data).toMatchObject({ trade_state: 'SUCCESS' });
    const forged = await fetch(new URL('_sandbox/pay', baseURL), { method: 'POST', headers: { authorization: 'WECHATPAY2-SHA256-RSA2048 mchid="1900000109",serial_no="X",nonce_str="n",timestamp="1",signature="AAAA"' }, body: '{"out_trade_no":"L2"}' });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { code: string }).code).toBe('SIGN_ERROR');
  });

  it('control endpoints refuse unknown orders with 404, missing fields and malformed JSON with 400, unknown ones with 404', async () => {
    const unknown = await post('_sandbox/pay', { out_trade_no: 'NOPE' });
    expect([unknown.status, await unknown.json()]).toEqual([404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' }]);
    const refund = await post('_sandbox/refund', { out_refund_no: 'NOPE' });
    expect([refund.status, ((await refund.json()) as { code: string }).code]).toEqual([404, 'RESOURCE_NOT_EXISTS']);
    const missing = await post('_sandbox/pay', {});
    expect([missing.status, ((await missing.json()) as { detail: { field: string } }).detail.field]).toEqual([400, 'out_trade_no']);
    const malformed = await post('_sandbox/pay', '{"out_trade_no":');
    expect([malformed.status, ((await malformed.json()) as { code: string }).code]).toEqual([400, 'PARAM_ERROR']);
    const nowhere = await post('_sandbox/teleport', {});
    expect([nowhere.status, ((await nowhere.json()) as { code: string }).code]).toEqual([404, 'NOT_FOUND']);
  });

  it('answers unknown paths with the 404 shape, malformed JSON with PARAM_ERROR and a bad signature with SIGN_ERROR, all signed', async () => {
    const lost = await failure(client.chain('v3/pay/no-such-thing').get());
    expect([lost.status, lost.verified, Object.keys(lost.response.data as object)]).toEqual([404, true, ['code', 'message']]);
    expect(lost.code).toBe('NOT_FOUND');
    // a signed request whose body is not JSON (the library only sends JSON it serialized: sign one by hand)
    const emulatorClient = Builder.factory(emulator.clientConfig({ baseURL }));
    emulatorClient.pipeline.before('sign', async (ctx, next) => {
      ctx.body = Buffer.from('{"appid":');
      ctx.signBody = '{"appid":';
      return next(ctx);
    }, 'garble');
    const malformed = await failure(emulatorClient.chain('v3/pay/transactions/native' as string).post({ json: {} }));
    expect([malformed.status, malformed.verified, malformed.code]).toEqual([400, true, 'PARAM_ERROR']);
    await emulatorClient.close();
    const unsigned = await post('v3/pay/transactions/native', {});
    expect([unsigned.status, ((await unsigned.json()) as { code: string }).code]).toEqual([401, 'SIGN_ERROR']);
    expect(unsigned.headers.get('wechatpay-signature')).toBeTruthy();
  });
});
