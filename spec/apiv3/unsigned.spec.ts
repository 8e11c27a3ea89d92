/**
 * The lists of APIv3 file answers (lib/apiv3/unsigned.ts), matched on the path after the base
 * URL's own path. `/hk/v3/statements` is an overseas statement like `/v3/global/statements`:
 * wechatpay-php src/ClientJsonTrait.php verifies '/hk/v3/statements' and '/v3/global/statements'
 * by their Wechatpay-Statement-Sha1 digest, and its tests/OpenAPI/V3/StatementsTest.php sends
 * chain('v3/statements') with base_uri https://api.mch.weixin.qq.com/hk/ and a signed
 * `{"sha1":"…"}` answer.
 */
import { createHash } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { afterAll, describe, expect, it } from 'vitest';
import { Builder, UNSIGNED_ANSWERS, VerificationError } from '../../lib/index.js';
import { isUnsignedAnswer } from '../../lib/apiv3/unsigned.js';
import { isFileAnswer, SIGNED_FILE_ANSWERS } from '../../lib/apiv3/unsigned.js';
import { Emulator, UNSIGNED } from '../../lib/testing/index.js';
import { loose } from '../support/loose.js';

describe('the file lists', () => {
  it.each(['/v3/billdownload/file?token=t', '/v3/merchant-service/images/abc'])('exempts %s', (path) => expect(isUnsignedAnswer(path)).toBe(true));

  it.each(['/v3/merchant-service/images/upload', '/hk/v3/statements', '/proxy/v3/billdownload/file', '/v3/certificates'])('does not exempt %s', (path) => {
    expect(isUnsignedAnswer(path)).toBe(false);
  });

  it('lists /hk/v3/statements with the signed overseas statements', () => {
    expect(SIGNED_FILE_ANSWERS.some((re) => re.test('/hk/v3/statements'))).toBe(true);
    expect(UNSIGNED_ANSWERS.some((re) => re.test('/hk/v3/statements'))).toBe(false);
    expect(isFileAnswer('/hk/v3/statements?date=20180103')).toBe(true);
    expect(isFileAnswer('/hk/v3/statements/x')).toBe(false);
  });
});

describe('file answers, whatever base URL path they travel under', () => {
  const emulator = Emulator.create();
  const csv = Buffer.from('Date,Merchant ID\n2026-11-21,1900000109\n');
  const sha1 = createHash('sha1').update(csv).digest('hex');
  let signed = true;
  emulator.use(
    http.get('*/v3/statements', () =>
      new HttpResponse(new Uint8Array(csv), {
        headers: { 'content-type': 'text/plain', [UNSIGNED]: '1', 'wechatpay-statement-sha1': sha1, ...(signed ? emulator.signResponse(`{"sha1":"${sha1}"}`) : {}) },
      }),
    ),
    http.get('*/v3/billdownload/file', () => new HttpResponse(new Uint8Array(csv), { headers: { 'content-type': 'text/plain', [UNSIGNED]: '1' } })),
  );
  const clients: Array<{ close(): Promise<void> }> = [];
  afterAll(() => Promise.all([...clients.map((c) => c.close()), emulator.close()]));

  it('returns a signed /hk/v3/statements file as bytes, by the hk/ path and by a per-request base URL, and refuses an unsigned one', async () => {
    const client = Builder.factory(emulator.clientConfig());
    clients.push(client);
    signed = true;
    const byPath = await client.hk.v3.statements.get({ query: { date: '20180103' } });
    expect(Buffer.compare(byPath.body as Buffer, csv)).toBe(0);
    const byBase = await loose(client).v3.statements.get({ query: { date: '20180103' }, baseURL: 'https://api.mch.weixin.qq.com/hk/' });
    expect(Buffer.compare(byBase.body as Buffer, csv)).toBe(0);
    expect(emulator.requests.slice(-2).map((r) => r.path)).toEqual(['/hk/v3/statements?date=20180103', '/hk/v3/statements?date=20180103']);
    signed = false;
    await expect(client.hk.v3.statements.get({ query: { date: '20180103' } })).rejects.toBeInstanceOf(VerificationError);
  });

  it('matches the lists after the base URL path (a forward proxy at /proxy)', async () => {
    const { baseURL } = await emulator.listen();
    const client = Builder.factory(emulator.clientConfig({ baseURL: `${baseURL}proxy/` }));
    clients.push(client);
    const res = await client.v3.billdownload.file.get({ query: { token: 't' } });
    expect(Buffer.compare(res.body as Buffer, csv)).toBe(0);
    expect(emulator.requests.at(-1)).toMatchObject({ path: '/proxy/v3/billdownload/file?token=t', verified: true });
    signed = true;
    const statement = await client.hk.v3.statements.get({ query: { date: '20180103' } });
    expect(Buffer.compare(statement.body as Buffer, csv)).toBe(0);
    expect(emulator.requests.at(-1)).toMatchObject({ path: '/proxy/hk/v3/statements?date=20180103', verified: true });
  });
});
