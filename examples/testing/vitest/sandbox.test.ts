// examples/testing/vitest/sandbox.test.ts
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Emulator } from 'wechatpay-chain/testing';
import { shopOn } from '../fixtures.js';
import { checkout, isPaid, onNotification, type Shop } from '../shop.js';

// orders, payments and notifications kept by the emulator; waits of the service × 0.001
const emulator = Emulator.create({ sandbox: { timeScale: 0.001 } });
let webhook: Server;
let shop: Shop;

beforeAll(async () => {
  // the shop's webhook on 127.0.0.1: the sandbox POSTs notifications to notify_url over HTTP
  webhook = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = onNotification(shop, { headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(reply.status, reply.headers).end(reply.body);
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  shop = { ...shopOn(emulator), notifyUrl: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/notify` };
});
afterEach(() => emulator.reset()); // orders, refunds, deliveries and the request log, gone
afterAll(async () => {
  await shop.client.close();
  await emulator.close();
  webhook.close();
});

it('a payment reaches the webhook, signed and encrypted like the service sends it', async () => {
  await checkout(shop, 'T1', 888);
  expect(await isPaid(shop, 'T1')).toBe(false); // NOTPAY

  emulator.pay('T1'); // the payer pays: TRANSACTION.SUCCESS goes to notify_url
  await emulator.sandbox!.idle(); // delivered (or given up on)

  expect(shop.paid.has('T1')).toBe(true);
  expect(await isPaid(shop, 'T1')).toBe(true);
  expect(emulator.deliveries.map((d) => [d.event_type, d.status])).toEqual([['TRANSACTION.SUCCESS', 200]]);
});

it('starts each test empty: T1 is unknown again after reset()', async () => {
  expect(await isPaid(shop, 'T1')).toBe(false); // 404 ORDER_NOT_EXIST
  expect(emulator.deliveries).toEqual([]);
});
