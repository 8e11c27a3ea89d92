import { gunzipSync } from 'node:zlib';
import { http } from 'msw';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, BusinessError, type ChainResponse, HttpError, VerificationError } from '../../lib/index.js';
import { Rsa } from '../../lib/crypto/index.js';
import { Emulator, FIRST_TRANSACTION_ID, needsCertificate, v2Fields, v2Reply } from '../../lib/testing/index.js';
import { loose } from '../support/loose.js';

const appid = 'wxd678efh567hg6787';
const emulator = Emulator.create({ mchid: '1900000109' });
const client = Builder.factory(emulator.clientConfig());
const mch_id = emulator.merchant.mchid;
const pay = (out_trade_no: string, auth_code = '134567890123456789') =>
  client.v2.pay.micropay.post({ xml: { appid, mch_id, body: '测试商品', out_trade_no, total_fee: 100, spbill_create_ip: '127.0.0.1', auth_code } });

afterAll(async () => {
  await client.close();
  await emulator.close();
});

describe('the emulator speaks APIv2', () => {
  it('pays by micropay, queries the order and refunds it over mutual TLS', async () => {
    const paid = await pay('T20261122001');
    expect(paid.data).toMatchObject({ result_code: 'SUCCESS', transaction_id: FIRST_TRANSACTION_ID, total_fee: '100', trade_type: 'MICROPAY' });
    expect(emulator.requests.at(-1)).toMatchObject({ path: '/pay/micropay', verified: true });

    const query = await loose(client).v2.pay.orderquery.post({ xml: { appid, mch_id, out_trade_no: 'T20261122001', sign_type: 'HMAC-SHA256' } });
    expect(query.data).toMatchObject({ trade_state: 'SUCCESS', transaction_id: FIRST_TRANSACTION_ID });
    expect((query.data as { sign: string }).sign).toHaveLength(64);

    const refund = await loose(client).v2.secapi.pay.refund.post({
      xml: { appid, mch_id, transaction_id: FIRST_TRANSACTION_ID, out_refund_no: 'R1', total_fee: 100, refund_fee: 60 },
      security: true,
    });
    expect(refund.data).toMatchObject({ result_code: 'SUCCESS', refund_fee: '60', out_refund_no: 'R1' });
    await expect(
      loose(client).v2.secapi.pay.refund.post({ xml: { appid, mch_id, out_trade_no: 'T20261122001', out_refund_no: 'R2', total_fee: 100, refund_fee: 60 }, security: true }),
    ).rejects.toMatchObject({ name: 'BusinessError', errCode: 'INVALID_REQUEST', verified: true });
  });

  it('requires the merchant certificate on /secapi/, as WeChat Pay does (security: false skips it)', async () => {
    const error = await loose(client).v2.secapi.pay.refund.post({ xml: { mch_id, out_trade_no: 'x', out_refund_no: 'R', total_fee: 1, refund_fee: 1 }, security: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
  });

  it('answers business failures and refusals like the service', async () => {
    await expect(pay('T-bad-code', '999')).rejects.toMatchObject({ name: 'BusinessError', errCode: 'AUTH_CODE_INVALID' });
    await expect(loose(client).v2.pay.orderquery.post({ xml: { mch_id, out_trade_no: 'nope' } })).rejects.toMatchObject({ errCode: 'ORDERNOTEXIST' });
    const wrongKey = Builder.factory({ ...emulator.clientConfig(), secret: 'x'.repeat(32) });
    try {
      const refused = await loose(wrongKey).v2.pay.orderquery.post({ xml: { mch_id, out_trade_no: 'T' } }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(BusinessError);
      // WeChat Pay never signs return_code=FAIL: its text is only under the unverified name
      expect(refused).toMatchObject({ returnCode: 'FAIL', returnMsg: undefined, unverifiedReturnMsg: '签名错误', verified: false });
      expect(emulator.requests.at(-1)?.verified).toBe(false);
    } finally {
      await wrongKey.close();
    }
  });

  it('lets a test forge an answer: the client rejects it', async () => {
    await pay('T-forged');
    emulator.tamperNext((res) => {
      res.body = Buffer.from(res.body.toString('utf8').replace('<total_fee>100</total_fee>', '<total_fee>1</total_fee>'));
    });
    await expect(loose(client).v2.pay.orderquery.post({ xml: { mch_id, out_trade_no: 'T-forged' } })).rejects.toBeInstanceOf(VerificationError);
  });

  it('serves bills as text or gzip', async () => {
    const text = await loose(client).v2.pay.downloadbill.post({ xml: { appid, mch_id, bill_date: '20261122', bill_type: 'ALL' } });
    expect(text.data).toMatch(/^交易时间,公众账号ID/);
    expect(text.data).toContain(FIRST_TRANSACTION_ID);
    const gz = (await loose(client).v2.pay.downloadbill.post({ xml: { appid, mch_id, bill_date: '20261122', bill_type: 'ALL', tar_type: 'GZIP' } })) as ChainResponse<Buffer>;
    expect(gunzipSync(gz.data).toString('utf8')).toBe(text.data);
  });

  it('pays to a bank card with fields encrypted for the getpublickey key', async () => {
    const { data } = (await loose(client).v2.risk.getpublickey.post({ xml: { mch_id, sign_type: 'MD5' }, security: true })) as ChainResponse<{ pub_key: string }>;
    const xml = { mch_id, partner_trade_no: 'P1', enc_bank_no: Rsa.encrypt('6225760000000000', data.pub_key), enc_true_name: Rsa.encrypt('张三', data.pub_key), bank_code: '1002', amount: 100 };
    const res = await client.v2.mmpaysptrans.pay_bank.post({ xml, security: true });
    expect(res.data).toMatchObject({ result_code: 'SUCCESS', partner_trade_no: 'P1' });
    // pay_bank answers are never signed (UNSIGNED_ANSWERS): its err_code is unverified text
    await expect(client.v2.mmpaysptrans.pay_bank.post({ xml: { ...xml, enc_bank_no: Rsa.encrypt('6225760000000000', data.pub_key, 'pkcs1') }, security: true })).rejects.toMatchObject({
      errCode: undefined,
      unverifiedErrCode: 'ENCRYPT_ERROR',
      verified: false,
    });
  });

  it('takes user handlers for other APIv2 endpoints and signs their answers', async () => {
    emulator.use(http.post('*/pay/closeorder', async ({ request }) => v2Reply({ result_code: 'SUCCESS', mch_id: (await v2Fields(request)).mch_id })));
    const res = await client.v2.pay.closeorder.post({ xml: { appid, mch_id, out_trade_no: 'T20261122001' } });
    expect(res.data).toMatchObject({ result_code: 'SUCCESS', mch_id });
  });

  it('still refuses security: true without a certificate or security dispatcher', async () => {
    const plain = Builder.factory({ ...emulator.clientConfig(), securityDispatcher: undefined });
    try {
      await expect(loose(plain).v2.secapi.pay.refund.post({ xml: { mch_id }, security: true })).rejects.toBeInstanceOf(ArgumentError);
    } finally {
      await plain.close();
    }
  });

  it('works over the loopback server too', async () => {
    const { baseURL, close } = await emulator.listen();
    const viaSocket = Builder.factory(emulator.clientConfig({ baseURL }));
    try {
      const res = await loose(viaSocket).v2.pay.orderquery.post({ xml: { mch_id, out_trade_no: 'T20261122001' } });
      expect(res.data).toMatchObject({ result_code: 'SUCCESS' });
    } finally {
      await viaSocket.close();
      await close();
    }
  });
});

describe('needsCertificate', () => {
  it('covers /secapi/ and the catalog endpoints marked as needing the certificate', () => {
    expect(needsCertificate('/secapi/pay/refund')).toBe(true);
    expect(needsCertificate('/mmpaymkttransfers/sendredpack')).toBe(true);
    expect(needsCertificate('/pay/downloadfundflow')).toBe(true);
    expect(needsCertificate('/mmpaymkttransfers/query_coupon_stock')).toBe(false);
    expect(needsCertificate('/pay/downloadbill')).toBe(false);
  });
});
