/**
 * APIv2 CPU costs per request: signing + XML building, and safe parsing + sign verification of a
 * typical answer. Section of `npm run bench` (runner owned by the bench area).
 */
import { signedFields, signFields, verifyFields } from '../../lib/apiv2/signature.js';
import { parseXml, toXml } from '../../lib/apiv2/xml.js';

const secret = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';
const request = { appid: 'wxd678efh567hg6787', mch_id: '1900000109', body: 'image形象店-深圳腾大- QQ公仔', out_trade_no: '1217752501201407033233368018', total_fee: 888, spbill_create_ip: '8.8.8.8', auth_code: '120061098828009406' };
const replyFields = { return_code: 'SUCCESS', return_msg: 'OK', appid: request.appid, mch_id: request.mch_id, nonce_str: 'abc', result_code: 'SUCCESS', openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', trade_type: 'MICROPAY', bank_type: 'CMC', total_fee: '888', cash_fee: '888', transaction_id: '4200000000202611220000000001', out_trade_no: request.out_trade_no, time_end: '20261122083000' };

function opsPerSecond(fn: () => void, ms = 300): number {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return Math.round((n * 1000) / (performance.now() - start));
}

export default async () => {
  const replyMd5 = toXml({ ...replyFields, sign: signFields(replyFields, secret) });
  const replyHmac = toXml({ ...replyFields, sign: signFields(replyFields, secret, 'HMAC-SHA256') });
  const rows = [
    { step: 'sign (MD5) + build XML', 'ops/s': opsPerSecond(() => toXml(signedFields(request, { mchid: '1900000109', secret }))) },
    { step: 'sign (HMAC-SHA256) + build XML', 'ops/s': opsPerSecond(() => toXml(signedFields({ ...request, sign_type: 'HMAC-SHA256' }, { mchid: '1900000109', secret }))) },
    { step: 'parse + verify reply (MD5)', 'ops/s': opsPerSecond(() => verifyFields(parseXml(replyMd5), secret)) },
    { step: 'parse + verify reply (HMAC-SHA256)', 'ops/s': opsPerSecond(() => verifyFields(parseXml(replyHmac), secret)) },
  ];
  const slowest = Math.min(...rows.map((row) => row['ops/s']));
  return {
    title: 'APIv2 sign / XML',
    rows,
    goals: [{ name: 'slowest APIv2 CPU step', value: `${slowest} ops/s`, target: '>= 1000 ops/s (under 1 ms of CPU per request, against tens of ms on the wire)', pass: slowest >= 1000 }],
  };
};
