/**
 * APIv2 against the embedded emulator: 付款码支付, 查询订单, 申请退款 over mutual TLS, a business
 * failure, the bill, and the two notifications (payment and refund) with the forgery the refund
 * one must not become. No network, no credentials.
 *
 *   npx tsx examples/apiv2.ts
 */
import { Builder, BusinessError, VerificationError } from '../lib/index.js';
import { ApiV2 } from '../lib/apiv2/index.js';
import { Formatter } from '../lib/crypto/index.js';
import { Emulator } from '../lib/testing/index.js';

const emulator = Emulator.create({ mchid: '1900000109' });
const client = Builder.factory(emulator.clientConfig()); // carries the APIv2 secret and a security dispatcher
const appid = 'wxd678efh567hg6787';
const mch_id = '1900000109';

try {
  const paid = await client.v2.pay.micropay.post({
    xml: { appid, mch_id, body: 'image形象店-深圳腾大- QQ公仔', out_trade_no: '1217752501201407033233368018', total_fee: 888, spbill_create_ip: '8.8.8.8', auth_code: '120061098828009406' },
  });
  console.log('# POST /pay/micropay\n ', paid.data);

  // the catalog marks transaction_id and out_trade_no both required where either one is enough,
  // so these calls name the path as a plain string, which gives the loose chain type
  const queried = await client.chain('v2/pay/orderquery' as string).post({ xml: { appid, mch_id, out_trade_no: '1217752501201407033233368018', sign_type: 'HMAC-SHA256' } });
  console.log('# POST /pay/orderquery (HMAC-SHA256)\n ', queried.data);

  // the refund needs the merchant certificate: mutual TLS is used without `security: true`
  const refunded = await client.chain('v2/secapi/pay/refund' as string).post({
    xml: { appid, mch_id, out_trade_no: '1217752501201407033233368018', out_refund_no: 'R1', total_fee: 888, refund_fee: 888 },
  });
  console.log('# POST /secapi/pay/refund (mutual TLS)\n ', refunded.data);

  try {
    await client.chain('v2/secapi/pay/refund' as string).post({ xml: { appid, mch_id, out_trade_no: '1217752501201407033233368018', out_refund_no: 'R2', total_fee: 888, refund_fee: 1 } });
  } catch (e) {
    if (!(e instanceof BusinessError)) throw e;
    console.log(`# a second refund: BusinessError ${e.errCode} (${e.errCodeDes}), verified=${e.verified}`);
  }

  const bill = await client.v2.pay.downloadbill.post({ xml: { appid, mch_id, bill_date: '20261122', bill_type: 'ALL' } });
  console.log('# POST /pay/downloadbill\n' + String(bill.data));

  // notifications, as WeChat Pay would POST them to your notify_url: each route says its kind
  const secret = emulator.secret;
  const paidFields = { return_code: 'SUCCESS', result_code: 'SUCCESS', appid, mch_id, out_trade_no: '1217752501201407033233368018', total_fee: '888', nonce_str: Formatter.nonce() };
  const paidBody = ApiV2.toXml({ ...paidFields, sign: ApiV2.sign(paidFields, secret) });
  const paid2 = ApiV2.parseNotification(paidBody, { kind: 'payment', secret, mchid: mch_id });
  console.log('# payment notification (sign verified)\n ', paid2.data.out_trade_no, paid2.data.total_fee);

  const reqInfo = ApiV2.encryptReqInfo({ out_trade_no: '1217752501201407033233368018', out_refund_no: 'R1', refund_fee: '888', refund_status: 'SUCCESS' }, secret);
  const refundBody = ApiV2.toXml({ return_code: 'SUCCESS', appid, mch_id, nonce_str: Formatter.nonce(), req_info: reqInfo });
  const refund = ApiV2.parseNotification(refundBody, { kind: 'refund', secret, mchid: mch_id, appid });
  console.log('# refund notification (req_info decrypted)\n ', refund.data);

  // the forgery: that genuine req_info in an unsigned envelope claiming a payment
  const forged = ApiV2.toXml({ return_code: 'SUCCESS', result_code: 'SUCCESS', appid, mch_id, out_trade_no: 'ATTACKER', total_fee: '99999900', nonce_str: Formatter.nonce(), req_info: reqInfo });
  try {
    ApiV2.parseNotification(forged, { kind: 'payment', secret, mchid: mch_id });
  } catch (e) {
    if (!(e instanceof VerificationError)) throw e;
    console.log(`# the forged envelope on the payment route: ${e.name} (${e.message})`);
  }
  const asRefund = ApiV2.parseNotification(forged, { kind: 'refund', secret, mchid: mch_id, appid });
  console.log('# …and on the refund route only the decrypted fields count\n ', asRefund.data, '\n  unverified:', asRefund.unverified);
} finally {
  await client.close();
}
