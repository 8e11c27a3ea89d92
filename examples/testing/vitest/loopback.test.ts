// examples/testing/vitest/loopback.test.ts
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Emulator } from 'wechatpay-chain/testing';
import { shopOn } from '../fixtures.js';
import { checkout } from '../shop.js';
import type { Shop } from '../shop.js';

const emulator = Emulator.create({
  handlers: [http.post('*/v3/pay/transactions/native', () => HttpResponse.json({ code_url: 'weixin://wxpay/bizpayurl?pr=socket' }))],
});
let server: { baseURL: string; close: () => Promise<void> };
let shop: Shop;

beforeAll(async () => {
  // a real HTTP server on 127.0.0.1 (random port): for code that builds its own client from a
  // base URL, another process, or another language's SDK
  server = await emulator.listen();
  shop = shopOn(emulator, { baseURL: server.baseURL }); // every WeChat Pay origin mapped there
});
afterAll(async () => {
  await shop.client.close();
  await server.close();
});

it('talks to the emulator over a socket', async () => {
  expect(await checkout(shop, 'T1', 1)).toBe('weixin://wxpay/bizpayurl?pr=socket');
  expect(emulator.requests.at(-1)?.headers.host).toBe(new URL(server.baseURL).host);
});
