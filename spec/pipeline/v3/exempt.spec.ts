/**
 * The one list of APIv3 file downloads exempt from response verification on success, and the
 * client matching it on the path after the base URL's own path.
 * `/hk/v3/statements` is one: wechatpay-php src/ClientJsonTrait.php treats '/hk/v3/statements' and
 * '/v3/global/statements' as the overseas statements (verified by their Wechatpay-Statement-Sha1
 * digest), and its tests/OpenAPI/V3/StatementsTest.php sends chain('v3/statements') with base_uri
 * https://api.mch.weixin.qq.com/hk/.
 */
import { http, HttpResponse } from 'msw';
import { afterAll, describe, expect, it } from 'vitest';
import { Builder, EXEMPT_FROM_VERIFICATION, isExempt } from '../../../lib/index.js';
import { Emulator, UNSIGNED } from '../../../lib/testing/index.js';
import { loose } from '../../support/loose.js';

describe('isExempt', () => {
  it.each(['/v3/billdownload/file?token=t', '/v3/statements?date=20180103', '/v3/global/statements', '/hk/v3/statements?date=20180103', '/v3/merchant-service/images/abc'])(
    'exempts %s',
    (path) => expect(isExempt(path)).toBe(true),
  );

  it.each(['/v3/merchant-service/images/upload', '/hk/v3/statements/x', '/proxy/v3/billdownload/file', '/v3/certificates', '/global/v3/statements'])('does not exempt %s', (path) => {
    expect(isExempt(path)).toBe(false);
  });

  it('lists /hk/v3/statements', () => {
    expect(EXEMPT_FROM_VERIFICATION.some((re) => re.test('/hk/v3/statements'))).toBe(true);
  });
});

describe('exempt downloads, whatever base URL path they travel under', () => {
  const emulator = Emulator.create();
  const csv = 'Date,Merchant ID\n2026-11-21,1900000109\n';
  emulator.use(
    http.get('*/v3/statements', () => new HttpResponse(csv, { headers: { 'content-type': 'text/plain', [UNSIGNED]: '1' } })),
    http.get('*/v3/billdownload/file', () => new HttpResponse(csv, { headers: { 'content-type': 'text/plain', [UNSIGNED]: '1' } })),
  );
  const clients: Array<{ close(): Promise<void> }> = [];
  afterAll(() => Promise.all([...clients.map((c) => c.close()), emulator.close()]));

  it('passes an unsigned /hk/v3/statements file, by the hk/ path and by a per-request base URL', async () => {
    const client = Builder.factory(emulator.clientConfig());
    clients.push(client);
    const byPath = await client.hk.v3.statements.get({ query: { date: '20180103' } });
    expect(String(byPath.body)).toBe(csv);
    const byBase = await loose(client).v3.statements.get({ query: { date: '20180103' }, baseURL: 'https://api.mch.weixin.qq.com/hk/' });
    expect(String(byBase.body)).toBe(csv);
    expect(emulator.requests.slice(-2).map((r) => r.path)).toEqual(['/hk/v3/statements?date=20180103', '/hk/v3/statements?date=20180103']);
  });

  it('matches the list after the base URL path (a forward proxy at /proxy)', async () => {
    const { baseURL } = await emulator.listen();
    const client = Builder.factory(emulator.clientConfig({ baseURL: `${baseURL}proxy/` }));
    clients.push(client);
    const res = await client.v3.billdownload.file.get({ query: { token: 't' } });
    expect(String(res.body)).toBe(csv);
    expect(emulator.requests.at(-1)).toMatchObject({ path: '/proxy/v3/billdownload/file?token=t', verified: true });
  });
});
