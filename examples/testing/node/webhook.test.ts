// examples/testing/node/webhook.test.ts
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { Builder } from 'wechatpay-chain';
import { downloadCertificates } from 'wechatpay-chain/certificates';
import { createNotification, Emulator } from 'wechatpay-chain/testing';
import { shopOn } from '../fixtures.js';
import { onNotification } from '../shop.js';

describe('the webhook', () => {
  const emulator = Emulator.create();
  const shop = shopOn(emulator);
  after(() => shop.client.close());

  it('records a genuine payment, answers 401 to a forged one', () => {
    const paid = createNotification(emulator, { resource: { out_trade_no: 'T1', trade_state: 'SUCCESS' } });
    assert.equal(onNotification(shop, paid).status, 200);
    const forged = createNotification(emulator, { resource: { out_trade_no: 'T2', trade_state: 'SUCCESS' } });
    assert.equal(onNotification(shop, { ...forged, body: forged.body.replace('"id":"', '"id":"x') }).status, 401);
    assert.deepEqual([...shop.paid], ['T1']);
  });
});

describe('certificate mode', () => {
  it('downloads the platform certificate the emulator issued', async () => {
    const emulator = Emulator.create();
    const certificate = await emulator.addPlatformCertificate();
    const { certs: _publicKey, ...bootstrap } = emulator.clientConfig();
    const client = Builder.factory(bootstrap);
    const [downloaded] = await downloadCertificates(client, { apiv3Key: emulator.apiv3Key });
    assert.equal(downloaded?.serial, certificate.serial);
    await client.close();
  });
});
