import { createHash } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { afterAll, describe, expect, it } from 'vitest';
import { Builder, DecodeError, HttpError, UNSIGNED_ANSWERS, VerificationError } from '../../../lib/index.js';
import { Emulator, UNSIGNED } from '../../../lib/testing/index.js';
import { failure } from '../../support/failure.js';

const emulator = Emulator.create();
emulator.use(
  http.get('*/v3/demo/ok', () => HttpResponse.json({ ok: true, text: '中文' })),
  http.get('*/v3/demo/empty', () => new HttpResponse(null, { status: 204 })),
  http.get('*/v3/demo/html', () => new HttpResponse('<html>hi</html>', { headers: { 'content-type': 'text/html' } })),
  http.post('*/v3/demo/bad-request', () =>
    HttpResponse.json({ code: 'PARAM_ERROR', message: '参数错误', detail: { field: 'amount', issue: 'too small' } }, { status: 400 }),
  ),
  http.get('*/v3/demo/gateway', () => new HttpResponse('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html', [UNSIGNED]: '1' } })),
  http.get('*/v3/billdownload/file', () => new HttpResponse('交易时间,公众账号ID\n', { headers: { 'content-type': 'text/plain', [UNSIGNED]: '1' } })),
  http.get('*/v3/demo/unsigned', () => HttpResponse.json({ ok: true }, { headers: { [UNSIGNED]: '1' } })),
  http.get('*/v3/demo/unsigned-not-found', () =>
    HttpResponse.json({ code: 'ORDER_NOT_EXIST', message: '订单不存在', detail: { field: 'out_trade_no' } }, { status: 404, headers: { [UNSIGNED]: '1' } }),
  ),
);
const statement = Buffer.from('Date,Merchant ID\n2026-11-21,1900000109\n');
const statementSha1 = createHash('sha1').update(statement).digest('hex');
let announcedSha1 = statementSha1;
emulator.use(
  http.get('*/v3/global/statements', () =>
    new HttpResponse(new Uint8Array(statement), {
      headers: { 'content-type': 'text/plain', [UNSIGNED]: '1', 'wechatpay-statement-sha1': announcedSha1, ...emulator.signResponse(`{"sha1":"${announcedSha1}"}`) },
    }),
  ),
);
const client = Builder.factory(emulator.clientConfig());
afterAll(() => client.close());


describe('APIv3 response verification', () => {
  it('returns verified JSON', async () => {
    const res = await client.chain('v3/demo').ok.get();
    expect(res.data).toEqual({ ok: true, text: '中文' });
    expect(res.headers['wechatpay-serial']).toBe(emulator.platform.serial);
  });

  it('returns undefined data for an empty signed answer', async () => {
    const res = await client.chain('v3/demo').empty.get();
    expect(res.status).toBe(204);
    expect(res.data).toBeUndefined();
  });

  const cases: Array<[string, VerificationError['reason'], (r: { headers: Headers; body: Buffer }) => void]> = [
    ['a tampered body', 'bad-signature', (r) => void (r.body = Buffer.from('{"ok":false}'))],
    ['a missing signature', 'missing-header', (r) => r.headers.delete('wechatpay-signature')],
    ['a missing serial', 'missing-header', (r) => r.headers.delete('wechatpay-serial')],
    ['a missing nonce', 'missing-header', (r) => r.headers.delete('wechatpay-nonce')],
    ['a missing timestamp', 'missing-header', (r) => r.headers.delete('wechatpay-timestamp')],
    ['a non-numeric timestamp', 'bad-timestamp', (r) => r.headers.set('wechatpay-timestamp', '12a')],
    ['an unknown serial', 'unknown-serial', (r) => r.headers.set('wechatpay-serial', 'PUB_KEY_ID_0000000000000000000000000001')],
    ['a garbage signature', 'bad-signature', (r) => r.headers.set('wechatpay-signature', '!!!not base64!!!')],
    ['a changed nonce', 'bad-signature', (r) => r.headers.set('wechatpay-nonce', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')],
    [
      'a stale timestamp (re-signed 301 s ago)',
      'stale-timestamp',
      (r) => {
        for (const [k, v] of Object.entries(emulator.signResponse(r.body, Math.floor(Date.now() / 1000) - 301))) r.headers.set(k, v);
      },
    ],
    [
      'a future timestamp (re-signed 301 s ahead)',
      'stale-timestamp',
      (r) => {
        for (const [k, v] of Object.entries(emulator.signResponse(r.body, Math.floor(Date.now() / 1000) + 301))) r.headers.set(k, v);
      },
    ],
  ];

  it.each(cases)('rejects %s and never returns the data', async (_name, reason, tamper) => {
    emulator.tamperNext(tamper);
    const error = await failure(client.chain('v3/demo').ok.get());
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).reason).toBe(reason);
    expect((error as VerificationError).status).toBe(200);
    expect(JSON.stringify(error)).not.toContain('"ok":true');
    expect((error as VerificationError).request?.headers.authorization).toBe('WECHATPAY2-SHA256-RSA2048 [REDACTED]');
  });

  it('accepts a timestamp 299 s old', async () => {
    emulator.tamperNext((r) => {
      for (const [k, v] of Object.entries(emulator.signResponse(r.body, Math.floor(Date.now() / 1000) - 299))) r.headers.set(k, v);
    });
    await expect(client.chain('v3/demo').ok.get()).resolves.toMatchObject({ status: 200 });
  });

  it('rejects an unsigned success on a signed endpoint', async () => {
    const error = await failure(client.chain('v3/demo').unsigned.get());
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).reason).toBe('missing-header');
  });

  it('lets exempt downloads through unsigned, bytes as received', async () => {
    const res = await client.v3.billdownload.file.get({ query: { token: 'abc' } });
    expect(res.status).toBe(200);
    expect(String(res.body)).toBe('交易时间,公众账号ID\n');
    expect(res.data).toBeUndefined();
  });

  it('verifies an overseas statement by its signed SHA-1 digest', async () => {
    announcedSha1 = statementSha1;
    const res = await client.v3.global.statements.get({ query: { date: '2026-11-21' } });
    expect(Buffer.compare(res.body as Buffer, statement)).toBe(0);
    announcedSha1 = createHash('sha1').update('another file').digest('hex');
    const error = await failure(client.v3.global.statements.get({ query: { date: '2026-11-21' } }));
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).reason).toBe('digest-mismatch');
  });

  it('refuses an overseas statement that comes back without a signature (nothing vouches for its SHA-1)', async () => {
    // Outside facts: the catalog's statements.yaml (vendor/wechatpay-openapi, v3/global and hk/v3)
    // lists Wechatpay-Serial / -Nonce / -Timestamp / -Statement-Sha1 on the 200 answer, and
    // wechatpay-php v1.4.12 src/ClientJsonTrait.php exempts only /v3/billdownload/file and
    // /v3/merchant-service/images/* from the signature check: statements must be signed.
    emulator.use(
      http.get('*/v3/global/statements', () => new HttpResponse(new Uint8Array(statement), { headers: { 'content-type': 'text/plain', [UNSIGNED]: '1', 'wechatpay-statement-sha1': statementSha1 } }), { once: true }),
      http.get('*/v3/statements', () => new HttpResponse('forged,statement\n', { headers: { 'content-type': 'text/plain', [UNSIGNED]: '1' } }), { once: true }),
    );
    const global = await failure(client.v3.global.statements.get({ query: { date: '2026-11-21' } }));
    expect(global).toBeInstanceOf(VerificationError);
    expect((global as VerificationError).reason).toBe('missing-header');
    const hk = await failure(client.chain('v3/statements').get({ query: { statement_date: '2026-11-21' }, stream: true }));
    expect(hk).toBeInstanceOf(VerificationError);
    expect(UNSIGNED_ANSWERS.some((re) => re.test('/v3/statements') || re.test('/v3/global/statements'))).toBe(false);
  });

  it('turns a signed 4xx into an HttpError with code, message and detail', async () => {
    const error = await failure(client.chain('v3/demo').badRequest.post({ json: { amount: 0 } }));
    expect(error).toBeInstanceOf(HttpError);
    const e = error as HttpError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('PARAM_ERROR');
    expect(e.detail).toEqual({ field: 'amount', issue: 'too small' });
    expect(e.verified).toBe(true);
    expect(e.message).toBe(`POST ${e.request?.url} answered 400 PARAM_ERROR: 参数错误`);
    expect(e.response.data).toMatchObject({ code: 'PARAM_ERROR' });
  });

  it('marks an unsigned gateway error as unverified', async () => {
    const error = await failure(client.chain('v3/demo').gateway.get());
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(502);
    expect((error as HttpError).verified).toBe(false);
    expect((error as HttpError).code).toBeUndefined();
    expect((error as HttpError).response.data).toBe('<html>502 Bad Gateway</html>');
  });

  it('keeps the business code of an unsigned error answer out of code and detail', async () => {
    const error = await failure(client.chain('v3/demo').unsignedNotFound.get());
    expect(error).toBeInstanceOf(HttpError);
    const e = error as HttpError;
    expect(e).toMatchObject({ status: 404, verified: false, code: undefined, detail: undefined });
    expect(e).toMatchObject({ unverifiedCode: 'ORDER_NOT_EXIST', unverifiedMessage: '订单不存在', unverifiedDetail: { field: 'out_trade_no' } });
    expect(e.response.data).toMatchObject({ code: 'ORDER_NOT_EXIST' });
    expect(e.message).toMatch(/unverified/);
  });

  it('rejects a signed error answer whose signature is wrong', async () => {
    emulator.tamperNext((r) => void (r.body = Buffer.from('{"code":"ORDER_NOT_EXIST","message":"forged"}')));
    const error = await failure(client.chain('v3/demo').badRequest.post({ json: {} }));
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).status).toBe(400);
  });

  it('answers a 404 for an endpoint the emulator does not know, as an HttpError', async () => {
    const error = await failure(client.chain('v3/no').such.endpoint.get());
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).code).toBe('NOT_FOUND');
  });

  it('turns a signed non-JSON success into a DecodeError', async () => {
    const error = await failure(client.chain('v3/demo').html.get());
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).message).toContain('expected JSON');
  });

  it('turns a body over maxBodySize into a DecodeError', async () => {
    const small = Builder.factory(emulator.clientConfig({ maxBodySize: 8 }));
    const error = await failure(small.chain('v3/demo').ok.get());
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toContain('maxBodySize (8 bytes)');
  });

  it('gets a 401 SIGN_ERROR when the merchant key does not match the serial the service knows', async () => {
    const other = Emulator.create({ modulusLength: 1024 });
    const forged = Builder.factory({ ...emulator.clientConfig(), privateKey: other.merchant.privateKeyPem });
    const error = await failure(forged.chain('v3/demo').ok.get());
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(401);
    expect((error as HttpError).code).toBe('SIGN_ERROR');
    expect((error as HttpError).verified).toBe(true);
  });
});
