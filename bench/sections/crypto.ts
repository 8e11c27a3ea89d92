/**
 * Bench section (issue 3): the crypto toolkit and webhook parsing, operations per second on this
 * machine. Run by `npm run bench` (owned by the bench runner); numbers vary with load.
 */
import { performance } from 'node:perf_hooks';
import { AesGcm, Hash, Rsa } from '../../lib/crypto/index.js';
import { parseNotification } from '../../lib/webhook/index.js';
import { createNotification, Emulator } from '../../lib/testing/index.js';

let BUDGET = 400;

async function rate(run: () => unknown, budgetMs = BUDGET): Promise<number> {
  for (let i = 0; i < 20; i++) await run(); // warm up
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs) {
    await run();
    count++;
  }
  return Math.round((count * 1000) / (performance.now() - started));
}

async function concurrentRate(run: () => Promise<unknown>, concurrency: number, budgetMs = BUDGET * 1.5): Promise<number> {
  let count = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - started < budgetMs) {
        await run();
        count++;
      }
    }),
  );
  return Math.round((count * 1000) / (performance.now() - started));
}

export default async (options: { quick?: boolean } = {}) => {
  BUDGET = options.quick ? 150 : 400;
  const emulator = Emulator.create();
  const certs = { [emulator.platform.serial]: emulator.platform.publicKeyPem };
  const transaction = { out_trade_no: 'T1', transaction_id: '4200000000000000000000000001', trade_state: 'SUCCESS', amount: { total: 100, currency: 'CNY' }, payer: { openid: 'o'.repeat(28) } };
  const incoming = createNotification(emulator, { resource: transaction });
  const resource = JSON.parse(incoming.body).resource as { ciphertext: string; nonce: string; associated_data: string };
  const message = `POST\n/v3/pay/transactions/native\n1700000000\n${'n'.repeat(32)}\n${JSON.stringify(transaction)}\n`;
  const signature = await Rsa.sign(message, emulator.merchant.privateKey);
  const fields = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' };

  const webhook = await rate(() => parseNotification(incoming, { certs, apiv3Key: emulator.apiv3Key }));
  const rows = [
    { operation: 'parseNotification (verify + AES-GCM decrypt + JSON)', 'ops/s': webhook },
    { operation: 'AesGcm.decrypt (notification resource)', 'ops/s': await rate(() => AesGcm.decrypt(resource.ciphertext, emulator.apiv3Key, resource.nonce, resource.associated_data)) },
    { operation: 'Rsa.verify (RSA-2048, SHA-256)', 'ops/s': await rate(() => Rsa.verify(message, signature, emulator.merchant.publicKey)) },
    { operation: 'Rsa.sign, 1 at a time (thread pool)', 'ops/s': await rate(() => Rsa.sign(message, emulator.merchant.privateKey)) },
    { operation: 'Rsa.sign, 8 concurrent (thread pool)', 'ops/s': await concurrentRate(() => Rsa.sign(message, emulator.merchant.privateKey), 8) },
    { operation: 'Rsa.encrypt (OAEP, sensitive field)', 'ops/s': await rate(() => Rsa.encrypt('13800138000', emulator.platform.publicKey)) },
    { operation: 'Hash.sign MD5 (APIv2 sample)', 'ops/s': await rate(() => Hash.sign('MD5', fields, '192006250b4c09247ec02edce69f6a2d')) },
  ];
  return {
    title: 'Crypto toolkit and webhooks',
    rows,
    goals: [
      // a notification endpoint should never be CPU-bound by verification: 1 000/s leaves ample room
      { name: 'parseNotification throughput', value: `${webhook}/s`, target: '>= 1000/s', pass: webhook >= 1000 },
    ],
  };
};
