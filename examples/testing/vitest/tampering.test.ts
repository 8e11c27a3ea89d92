// examples/testing/vitest/tampering.test.ts
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, expect, it } from 'vitest';
import { HttpError, VerificationError } from 'wechatpay-chain';
import { Emulator } from 'wechatpay-chain/testing';
import { shopOn } from '../fixtures.js';
import { checkout, isPaid } from '../shop.js';

const emulator = Emulator.create({
  handlers: [
    http.post('*/v3/pay/transactions/native', () => HttpResponse.json({ code_url: 'weixin://wxpay/bizpayurl?pr=genuine' })),
    http.get('*/v3/pay/transactions/out-trade-no/:out_trade_no', () => HttpResponse.json({ code: 'ORDER_NOT_EXIST', message: '订单不存在' }, { status: 404 })),
  ],
});
const shop = shopOn(emulator);
afterEach(() => emulator.resetHandlers()); // also drops a tamperNext() no request used
afterAll(() => shop.client.close());

it('refuses an answer changed after WeChat Pay signed it', async () => {
  // tamperNext changes the next answer after it was signed: status, headers, body
  emulator.tamperNext((res) => {
    res.body = Buffer.from('{"code_url":"weixin://wxpay/bizpayurl?pr=forged"}');
  });
  const error = await checkout(shop, 'T1', 1).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(VerificationError);
  expect((error as VerificationError).reason).toBe('bad-signature');
});

it("does not take an unsigned error page for WeChat Pay's word", async () => {
  // a gateway's 404 with WeChat Pay's wording, but no signature
  emulator.tamperNext((res) => {
    for (const name of ['wechatpay-signature', 'wechatpay-serial', 'wechatpay-nonce', 'wechatpay-timestamp']) res.headers.delete(name);
  });
  const error = await isPaid(shop, 'T1').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HttpError);
  expect(error).toMatchObject({ status: 404, verified: false, code: undefined, unverifiedCode: 'ORDER_NOT_EXIST' });
});

it('refuses answers signed with a platform key the shop does not trust', async () => {
  // emulators share their keys within a process; freshKeys gives this one keys of its own
  const impostor = Emulator.create({ freshKeys: true, handlers: [http.post('*/v3/pay/transactions/native', () => HttpResponse.json({ code_url: 'weixin://wxpay/bizpayurl?pr=impostor' }))] });
  // the shop holds the genuine platform key under the serial the impostor signs with
  const trusting = shopOn(impostor, { certs: { [impostor.platform.serial]: emulator.platform.publicKeyPem } });
  const error = await checkout(trusting, 'T2', 1).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'VerificationError', reason: 'bad-signature' });
  await trusting.client.close();
});

it('refuses an answer whose timestamp is stale (a clock 10 minutes off)', async () => {
  const late = Emulator.create({ now: () => Date.now() - 10 * 60_000 });
  const skewed = shopOn(late);
  const error = await checkout(skewed, 'T3', 1).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'VerificationError', reason: 'stale-timestamp' });
  await skewed.client.close();
});
