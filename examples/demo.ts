/**
 * The seed scenario against the embedded emulator: no network, no credentials.
 * 电商收付通: refund apply, then 垫付退款回补 POST and GET — in the three access styles, each with
 * `await …post()` and `…postAsync().then()`.
 *
 *   npm ci && npm run demo
 */
import { Builder, type ChainResponse } from '../lib/index.js';
import { Emulator } from '../lib/testing/index.js';

const emulator = Emulator.create({ mchid: '1900000109' });
const client = Builder.factory(emulator.clientConfig());

const sub_mchid = '1900000109';
const sp_appid = 'wx8888888888888888';

function show(title: string, res: ChainResponse): void {
  console.log(`\n# ${title}\n  HTTP ${res.status}, verified with ${String(res.headers['wechatpay-serial'])}`);
  console.log(`  ${JSON.stringify(res.data)}`);
}

try {
  const applied = await client.v3.ecommerce.refunds.apply.post({
    json: {
      sub_mchid,
      sp_appid,
      // the catalog lists both order ids and the funds account as required
      transaction_id: '4200000000202611220000000001',
      combine_transaction_id: '4200000000202611220000000001',
      out_refund_no: 'R20261122000001',
      amount: { refund: 888, total: 888, currency: 'CNY' },
      funds_account: 'AVAILABLE',
    },
  });
  show('POST v3/ecommerce/refunds/apply', applied);
  const refund_id = (applied.data as { refund_id: string }).refund_id;

  show(
    'property style, await post()',
    await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id, json: { sub_mchid } }),
  );
  show(
    'property style, postAsync().then()',
    await client.v3.ecommerce.refunds._refund_id_.returnAdvance.postAsync({ refund_id, json: { sub_mchid } }).then((res) => res),
  );
  show(
    "chain('…') style, await post()",
    await client.chain('v3/ecommerce/refunds/{refund_id}/return-advance').post({ refund_id, json: { sub_mchid } }),
  );
  show(
    "chain('…') style, postAsync().then()",
    await client.chain('v3/ecommerce/refunds/{refund_id}/return-advance').postAsync({ refund_id, json: { sub_mchid } }).then((res) => res),
  );
  show(
    "bracket ['…'] style, await get()",
    await client['v3/ecommerce/refunds/{refund_id}/return-advance'].get({ refund_id, query: { sub_mchid } }),
  );
  show(
    "bracket ['…'] style, getAsync().then()",
    await client['v3/ecommerce/refunds/{refund_id}/return-advance'].getAsync({ refund_id, query: { sub_mchid } }).then((res) => res),
  );
  console.log(`\n${emulator.requests.length} requests, all signed and verified: ${emulator.requests.every((r) => r.verified)}`);
} finally {
  await client.close();
}
