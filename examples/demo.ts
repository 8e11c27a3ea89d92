/**
 * The whole story against the embedded sandbox: no network beyond loopback, no credentials.
 *
 *  1. a native order (Native下单), queried NOTPAY;
 *  2. the payer pays it; TRANSACTION.SUCCESS arrives on a local webhook, verified and decrypted
 *     with parseNotification (the sandbox's first delivery is refused with 500, to show the retry);
 *  3. 电商收付通 refund apply, advanced by the platform (REFUND_SOURCE_PARTNER_ADVANCE);
 *     REFUND.SUCCESS arrives on the webhook;
 *  4. 垫付退款回补 (return-advance), POST and GET, in the three access styles, each with
 *     `await …post()` and `…postAsync().then()`.
 *
 *   npm ci && npm run demo
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Builder, type ChainResponse } from '../lib/index.js';
import { type Notification, notificationReply, parseNotification } from '../lib/webhook/index.js';
import { Emulator } from '../lib/testing/index.js';

// 1 ms stands for 1 s: the retry after a refused delivery comes after 15 ms, the refund succeeds after 10 ms
const emulator = Emulator.create({ mchid: '1900000109', sandbox: { timeScale: 0.001 } });
const client = Builder.factory(emulator.clientConfig());
const certs = { [emulator.platform.serial]: emulator.platform.publicKeyPem };

const mchid = emulator.merchant.mchid;
const sub_mchid = mchid; // the sandbox plays the platform and its sub-merchant
const sp_appid = 'wx8888888888888888';

// the webhook: parseNotification on the raw body; the first delivery of each notification is refused
const seen = new Set<string>();
const waiting = new Map<string, (notification: Notification) => void>();
const webhook = createServer(async (req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const id = (JSON.parse(body.toString('utf8')) as { id: string }).id;
  if (!seen.has(id)) {
    seen.add(id);
    console.log(`  webhook: refusing the first delivery of ${id} with 500 (WeChat Pay will retry)`);
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"code":"FAIL","message":"try again"}');
    return;
  }
  let reply;
  try {
    const notification = parseNotification({ headers: req.headers, body }, { certs, apiv3Key: emulator.apiv3Key });
    console.log(`  webhook: ${notification.event_type} verified and decrypted (${notification.summary})`);
    waiting.get(notification.event_type)?.(notification);
    reply = notificationReply();
  } catch (error) {
    reply = notificationReply(error);
  }
  res.writeHead(reply.status, reply.headers).end(reply.body);
});
await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
const notify_url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/notify`;
const arrival = (event_type: string) => new Promise<Notification>((resolve) => waiting.set(event_type, resolve));

function show(title: string, res: ChainResponse): void {
  console.log(`\n# ${title}\n  HTTP ${res.status}, verified with ${String(res.headers['wechatpay-serial'])}`);
  console.log(`  ${JSON.stringify(res.data)}`);
}

try {
  show(
    'POST v3/pay/transactions/native',
    await client.v3.pay.transactions.native.post({
      json: { appid: 'wxd678efh567hg6787', mchid, description: 'Image形象店-深圳腾大-QQ公仔', out_trade_no: 'T20261122000001', notify_url, amount: { total: 888, currency: 'CNY' } },
    }),
  );
  show('GET v3/pay/transactions/out-trade-no/{out_trade_no}', await client.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: 'T20261122000001', query: { mchid } }));

  console.log('\n# the payer pays (emulator.pay; from any language: POST {baseURL}_sandbox/pay)');
  const paid = arrival('TRANSACTION.SUCCESS');
  emulator.pay('T20261122000001');
  const transaction = (await paid).resource as { transaction_id: string; trade_state: string; amount: { total: number } };
  console.log(`  ${JSON.stringify(transaction)}`);

  const refunded = arrival('REFUND.SUCCESS');
  const applied = await client.v3.ecommerce.refunds.apply.post({
    json: {
      sub_mchid,
      sp_appid,
      // the catalog lists both order ids and the funds account as required
      transaction_id: transaction.transaction_id,
      combine_transaction_id: transaction.transaction_id,
      out_refund_no: 'R20261122000001',
      amount: { refund: 888, total: 888, currency: 'CNY' },
      refund_account: 'REFUND_SOURCE_PARTNER_ADVANCE',
      funds_account: 'AVAILABLE',
    },
  });
  show('POST v3/ecommerce/refunds/apply (the platform advances it)', applied);
  const refund_id = (applied.data as { refund_id: string }).refund_id;
  await refunded;
  show('GET v3/ecommerce/refunds/id/{refund_id}', await client.v3.ecommerce.refunds.id._refund_id_.get({ refund_id, query: { sub_mchid } }));

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

  await emulator.sandbox?.idle();
  console.log('\n# deliveries (emulator.deliveries, or GET {baseURL}_sandbox/deliveries)');
  for (const d of emulator.deliveries) console.log(`  ${d.event_type} attempt ${d.attempt} → ${d.status ?? d.error}`);
  console.log(`\n${emulator.requests.length} requests, all signed and verified: ${emulator.requests.every((r) => r.verified)}`);
} finally {
  await client.close();
  await emulator.close();
  webhook.closeAllConnections();
  webhook.close();
}
