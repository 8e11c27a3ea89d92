import { verify } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { afterAll, describe, expect, it } from 'vitest';
import { Builder } from '../../../lib/index.js';
import { Emulator } from '../../../lib/testing/index.js';

const emulator = Emulator.create();
emulator.use(http.all('*/v3/echo/*', () => HttpResponse.json({})));
const client = Builder.factory(emulator.clientConfig());
afterAll(() => client.close());

const AUTH = /^WECHATPAY2-SHA256-RSA2048 mchid="(\d+)",nonce_str="([0-9A-Za-z]{32})",signature="([A-Za-z0-9+/=]+)",timestamp="(\d+)",serial_no="([0-9A-F]+)"$/;

describe('APIv3 request signing', () => {
  it.each([
    ['GET', () => client.chain('v3/echo').a.get({ query: { b: '1 2', c: '中' } }), '/v3/echo/a?b=1%202&c=%E4%B8%AD', ''],
    ['POST', () => client.chain('v3/echo').b.post({ json: { n: 1, s: '退款' } }), '/v3/echo/b', '{"n":1,"s":"退款"}'],
    ['PUT', () => client.chain('v3/echo').c.put({ json: [] }), '/v3/echo/c', '[]'],
    ['PATCH', () => client.chain('v3/echo').d.patch({ json: { a: null } }), '/v3/echo/d', '{"a":null}'],
    ['DELETE', () => client.chain('v3/echo').e.delete(), '/v3/echo/e', ''],
  ])('%s signs METHOD\\nPATH?QUERY\\nTS\\nNONCE\\nBODY\\n with the merchant key', async (method, send, path, body) => {
    await send();
    const seen = emulator.requests.at(-1)!;
    expect(seen.method).toBe(method);
    expect(seen.path).toBe(path);
    expect(seen.body).toBe(body);
    const match = AUTH.exec(seen.headers.authorization ?? '');
    expect(match).not.toBeNull();
    const [, mchid, nonce, signature, timestamp, serial] = match!;
    expect(mchid).toBe(emulator.merchant.mchid);
    expect(serial).toBe(emulator.merchant.serial);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
    const message = `${method}\n${path}\n${timestamp}\n${nonce}\n${body}\n`;
    expect(verify('sha256', Buffer.from(message), emulator.merchant.publicKey, Buffer.from(signature!, 'base64'))).toBe(true);
    expect(seen.verified).toBe(true);
  });

  it('uses a fresh nonce per request', async () => {
    for (let i = 0; i < 20; i++) await client.chain('v3/echo').n.get();
    const nonces = emulator.requests.slice(-20).map((r) => AUTH.exec(r.headers.authorization ?? '')?.[2]);
    expect(new Set(nonces).size).toBe(20);
  });

  it('sends a User-Agent and Accept, and the caller headers', async () => {
    await client.chain('v3/echo').h.get({ headers: { 'X-Trace': 't-1' } });
    const seen = emulator.requests.at(-1)!;
    expect(seen.headers['user-agent']).toMatch(/^wechatpay-chain\/\d+\.\d+\.\d+ node\//);
    expect(seen.headers.accept).toContain('application/json');
    expect(seen.headers['x-trace']).toBe('t-1');
  });
});
