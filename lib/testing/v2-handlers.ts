/**
 * Built-in APIv2 handlers of the emulator: 付款码支付 (micropay), 查询订单 (orderquery), 申请退款
 * (secapi refund, mutual TLS), 下载对账单 (downloadbill, text or gzip), and 付款到银行卡
 * (getpublickey + pay_bank, which really decrypts `enc_bank_no` / `enc_true_name` with RSA-OAEP).
 * Each keeps its own orders, validates its input like the service and answers with
 * {@link v2Reply} / {@link v2Fail} / {@link v2Refuse}; the emulator signs.
 * @module
 */
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { RequestHandler } from 'msw';
import { msw } from '../lazy.js';
import { v2Fail, v2Fields, v2Refuse, v2Reply } from './v2.js';

/**
 * The first transaction id the APIv2 emulator hands out.
 * @example
 * ```ts
 * const { data } = await client.v2.pay.micropay.post({ xml }); // data.transaction_id === FIRST_TRANSACTION_ID
 * ```
 */
export const FIRST_TRANSACTION_ID = '4200000000202611220000000001';

interface Order {
  appid: string;
  out_trade_no: string;
  transaction_id: string;
  total_fee: number;
  refunded: number;
  openid: string;
  time_end: string;
}

const INT = /^[1-9]\d{0,11}$/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function timeEnd(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * Fresh APIv2 handlers (each call keeps its own orders and bank key).
 * @example
 * ```ts
 * const emulator = Emulator.create(); // already includes apiV2Handlers()
 * ```
 */
export function apiV2Handlers(): RequestHandler[] {
  const { http, HttpResponse } = msw();
  const orders = new Map<string, Order>();
  let next = BigInt(FIRST_TRANSACTION_ID);
  let refunds = 50000000382019052709732678859n;
  let bankKeys: ReturnType<typeof generateKeyPairSync> | undefined;
  // made on first use: most tests never pay to a bank card
  const bank = () => (bankKeys ??= generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const find = (xml: Record<string, unknown>) =>
    orders.get(String(xml.out_trade_no ?? '')) ?? [...orders.values()].find((order) => order.transaction_id === xml.transaction_id);

  return [
    http.post('*/pay/micropay', async ({ request }) => {
      const xml = await v2Fields(request);
      for (const field of ['appid', 'mch_id', 'body', 'out_trade_no', 'total_fee', 'spbill_create_ip', 'auth_code']) {
        if (!text(xml[field])) return v2Refuse(`${field}参数缺失`);
      }
      if (!INT.test(String(xml.total_fee))) return v2Refuse('total_fee参数格式错误');
      if (!/^1[0-5]\d{16}$/.test(String(xml.auth_code))) return v2Fail('AUTH_CODE_INVALID', '每个二维码仅限使用一次，请刷新再试', { appid: xml.appid, mch_id: xml.mch_id });
      const existing = orders.get(String(xml.out_trade_no));
      if (existing) return v2Fail('ORDERPAID', '该订单已支付', { appid: xml.appid, mch_id: xml.mch_id });
      const order: Order = {
        appid: String(xml.appid),
        out_trade_no: String(xml.out_trade_no),
        transaction_id: String(next),
        total_fee: Number(xml.total_fee),
        refunded: 0,
        openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
        time_end: timeEnd(),
      };
      next += 1n;
      orders.set(order.out_trade_no, order);
      return v2Reply({
        appid: order.appid,
        mch_id: xml.mch_id,
        result_code: 'SUCCESS',
        openid: order.openid,
        is_subscribe: 'N',
        trade_type: 'MICROPAY',
        bank_type: 'OTHERS',
        fee_type: 'CNY',
        total_fee: order.total_fee,
        cash_fee: order.total_fee,
        transaction_id: order.transaction_id,
        out_trade_no: order.out_trade_no,
        time_end: order.time_end,
      });
    }),

    http.post('*/pay/orderquery', async ({ request }) => {
      const xml = await v2Fields(request);
      if (!text(xml.out_trade_no) && !text(xml.transaction_id)) return v2Refuse('out_trade_no与transaction_id不能同时为空');
      const order = find(xml);
      if (!order) return v2Fail('ORDERNOTEXIST', '此交易订单号不存在', { mch_id: xml.mch_id });
      return v2Reply({
        appid: order.appid,
        mch_id: xml.mch_id,
        result_code: 'SUCCESS',
        trade_state: order.refunded > 0 ? 'REFUND' : 'SUCCESS',
        trade_state_desc: '支付成功',
        total_fee: order.total_fee,
        transaction_id: order.transaction_id,
        out_trade_no: order.out_trade_no,
        time_end: order.time_end,
      });
    }),

    http.post('*/secapi/pay/refund', async ({ request }) => {
      const xml = await v2Fields(request);
      for (const field of ['out_refund_no', 'total_fee', 'refund_fee']) if (!text(xml[field])) return v2Refuse(`${field}参数缺失`);
      if (!text(xml.out_trade_no) && !text(xml.transaction_id)) return v2Refuse('out_trade_no与transaction_id不能同时为空');
      const order = find(xml);
      if (!order) return v2Fail('ORDERNOTEXIST', '订单不存在', { mch_id: xml.mch_id });
      const refundFee = Number(xml.refund_fee);
      if (!INT.test(String(xml.refund_fee)) || Number(xml.total_fee) !== order.total_fee || order.refunded + refundFee > order.total_fee) {
        return v2Fail('INVALID_REQUEST', '退款金额大于支付金额', { mch_id: xml.mch_id });
      }
      order.refunded += refundFee;
      const refundId = String(refunds);
      refunds += 1n;
      return v2Reply({
        appid: order.appid,
        mch_id: xml.mch_id,
        result_code: 'SUCCESS',
        transaction_id: order.transaction_id,
        out_trade_no: order.out_trade_no,
        out_refund_no: xml.out_refund_no,
        refund_id: refundId,
        refund_fee: refundFee,
        total_fee: order.total_fee,
        cash_fee: order.total_fee,
      });
    }),

    http.post('*/pay/downloadbill', async ({ request }) => {
      const xml = await v2Fields(request);
      if (!/^\d{8}$/.test(String(xml.bill_date ?? ''))) return v2Refuse('invalid bill_date', { error_code: '20001' });
      const rows = [...orders.values()].map((o) => `\`${o.time_end},\`${o.appid},\`${String(xml.mch_id)},\`${o.transaction_id},\`${o.out_trade_no},\`SUCCESS,\`${(o.total_fee / 100).toFixed(2)}`);
      const bill = `交易时间,公众账号ID,商户号,微信订单号,商户订单号,交易状态,订单金额\n${rows.join('\n')}${rows.length ? '\n' : ''}总交易单数,应结订单总金额\n\`${rows.length},\`${([...orders.values()].reduce((s, o) => s + o.total_fee, 0) / 100).toFixed(2)}\n`;
      const gzip = xml.tar_type === 'GZIP';
      return new HttpResponse(gzip ? gzipSync(bill) : bill, {
        headers: { 'content-type': gzip ? 'application/x-gzip' : 'text/plain;charset=utf-8', 'x-emulator-unsigned': '1' },
      });
    }),

    http.post('*/risk/getpublickey', async ({ request }) => {
      const xml = await v2Fields(request);
      return v2Reply({ result_code: 'SUCCESS', mch_id: xml.mch_id, pub_key: bank().publicKey.export({ type: 'pkcs1', format: 'pem' }).toString() }, { unsigned: true });
    }),

    http.post('*/mmpaysptrans/pay_bank', async ({ request }) => {
      const xml = await v2Fields(request);
      for (const field of ['partner_trade_no', 'enc_bank_no', 'enc_true_name', 'bank_code', 'amount']) if (!text(xml[field])) return v2Refuse(`${field}参数缺失`);
      const decrypt = (value: unknown) => {
        try {
          return privateDecrypt({ key: bank().privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(String(value), 'base64')).toString('utf8');
        } catch {
          return undefined;
        }
      };
      const bankNo = decrypt(xml.enc_bank_no);
      const name = decrypt(xml.enc_true_name);
      if (!bankNo || !/^\d{12,19}$/.test(bankNo) || !name) return v2Fail('ENCRYPT_ERROR', '加密失败：请使用 getpublickey 的公钥以 RSA-OAEP 加密', { mch_id: xml.mch_id });
      return v2Reply(
        { result_code: 'SUCCESS', mch_id: xml.mch_id, partner_trade_no: xml.partner_trade_no, amount: xml.amount, payment_no: '10000600500852017030900000020006012', cmms_amt: 0 },
        { unsigned: true },
      );
    }),
  ];
}
