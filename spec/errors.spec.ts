import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ArgumentError, Builder, BusinessError, type ClientConfig, HttpError, NetworkError, type RedactedRequest, TimeoutError } from '../lib/index.js';
import { describeValue, nameForMessage } from '../lib/validate.js';
import { buildRequest, checkHeaders, encodeQuery } from '../lib/endpoint/request.js';
import { Emulator } from '../lib/testing/index.js';
import { argumentErrorOf } from './support/failure.js';

const emulator = Emulator.create();

// an APIv3 key and an APIv2 secret are 32 characters: short enough that a "cut long values" rule echoed them whole
const apiv3Key = randomBytes(16).toString('hex');
const apiv2Secret = randomBytes(24).toString('base64url').slice(0, 32);

const refused = argumentErrorOf;

/** Every printable view of an error, searched for any 8-character chunk of `secret`. */
function expectNotEchoed(error: ArgumentError, secret: string) {
  const views = [error.message, String(error.stack), JSON.stringify(error), inspect(error, { showHidden: true, depth: 8 }), String(error.field)];
  for (const view of views) {
    for (let at = 0; at + 8 <= secret.length; at++) expect(view, view).not.toContain(secret.slice(at, at + 8));
  }
}

describe('describeValue: what a refused value was, never the value', () => {
  it('names the kind, the length and the character classes', () => {
    expect(describeValue(apiv3Key)).toMatch(/^a string of 32 characters \((lower-case letters, )?digits|lower-case letters\)/);
    expect(describeValue('ab-C 1\n')).toBe('a string of 7 characters (lower-case letters, upper-case letters, digits, punctuation, spaces, line breaks)');
    expect(describeValue('支付')).toBe('a string of 2 characters (non-ASCII)');
    expect(describeValue('')).toBe('an empty string');
    expect(describeValue(Buffer.alloc(5))).toBe('a Buffer of 5 bytes');
    expect(describeValue(new Uint8Array(3))).toBe('a Uint8Array of 3 bytes');
    expect(describeValue(emulator.merchant.privateKey)).toBe('a private KeyObject');
    expect(describeValue([1, 2])).toBe('an array of 2 items');
    expect(describeValue(new URL('https://x/'))).toBe('a URL object');
    expect(describeValue({ d: apiv3Key })).toBe('an object');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(12)).toBe('a number (12)');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(apiv3Key)).not.toContain(apiv3Key.slice(0, 8));
  });

  it('nameForMessage shows word-like names and describes anything that may be a secret', () => {
    for (const name of ['hk', 'global', 'x-request-id', 'Wechatpay-Serial', 'sub_mchid', 'transferdownload', 'x-b3-traceid', 'applyment4sub', 'apply4subject', 'T20261122001', 'backupUrl', 'recoverAfter']) expect(nameForMessage(name)).toBe(`"${name}"`);
    expect(nameForMessage(apiv3Key)).toBe('a name of 32 characters');
    expect(nameForMessage(apiv2Secret)).toBe('a name of 32 characters');
    expect(nameForMessage('ab1cd2ef')).toBe('a name of 8 characters');
    expect(nameForMessage('hkiG9w0BAQEF')).toBe('a name of 12 characters');
    expect(nameForMessage('xYzAbQrT')).toBe('a name of 8 characters');
    expect(nameForMessage('1'.repeat(25))).toBe('a name of 25 characters');
    expect(nameForMessage('bad name')).toBe('a name of 8 characters');
    expect(nameForMessage(emulator.merchant.privateKeyPem)).toMatch(/^a name of \d+ characters$/);
  });
});

describe('no configuration value is echoed in an error', () => {
  const base = emulator.clientConfig();
  const factory = (config: Partial<ClientConfig>) => () => Builder.factory({ ...base, ...config } as ClientConfig);

  it.each([
    ['APIv3 key', apiv3Key],
    ['APIv2 secret', apiv2Secret],
  ])('a %s pasted into baseURL or hosts', (_kind, secret) => {
    const asBaseURL = refused(factory({ baseURL: secret }));
    expect(asBaseURL.field).toBe('baseURL');
    expect(asBaseURL.message).toMatch(/^baseURL: expected an absolute http\(s\) URL such as https:\/\/api\.mch\.weixin\.qq\.com\/; a string of 32 characters \(.*\) is not an absolute URL/);
    expectNotEchoed(asBaseURL, secret);
    expectNotEchoed(refused(factory({ hosts: { 'https://apihk.mch.weixin.qq.com': secret } })), secret);
    expectNotEchoed(refused(factory({ hosts: { [secret]: 'nope' } })), secret);
    expectNotEchoed(refused(factory({ hosts: { [secret]: 3 } as never })), secret);
  });

  it.each([
    ['APIv3 key', apiv3Key],
    ['APIv2 secret', apiv2Secret],
  ])('a %s in headers (name or value), a query key or a literal path', (_kind, secret) => {
    expectNotEchoed(refused(() => checkHeaders({ [`${secret} x`]: '1' })), secret);
    expectNotEchoed(refused(() => checkHeaders({ [secret]: 'a\r\nb' })), secret);
    expectNotEchoed(refused(() => checkHeaders({ [secret]: {} as never })), secret);
    expectNotEchoed(refused(factory({ headers: { [secret]: 'a\nb' } })), secret);
    expectNotEchoed(refused(() => encodeQuery({ [`${secret}\ud800`]: '1' })), secret);
    expectNotEchoed(refused(() => encodeQuery({ [secret]: { a: 1 } as never })), secret);
    expectNotEchoed(refused(() => buildRequest('GET', `v3/${secret}/x y`)), secret);
    expectNotEchoed(refused(() => buildRequest('GET', `v3/${secret}/../x`)), secret);
  });

  // found by the secrets spec with random keys: base64 splits at "/" into short pieces that each read
  // like a name; shown side by side ("v3/x/0NQJq/<…>"), they spelled 8 characters of the key
  it('a literal path holding key text shows no piece of it, however short its pieces', () => {
    for (const pasted of ['x/0NQJq/Rk+zT1 u', 'MII/7qkqfc/ab/c d', 'ab/cd/ef/gh/ij/k l']) {
      expectNotEchoed(refused(() => buildRequest('GET', `v3/${pasted}`)), pasted);
      expectNotEchoed(refused(() => buildRequest('GET', `v3/boom/-----BEGIN PRIVATE KEY-----/${pasted}`)), pasted);
    }
    expect(refused(() => buildRequest('GET', 'v3/x/0NQJq/Rk+zT1 u')).message).toMatch(/^template "v3\/<16 characters>": a literal path may hold only/);
  });

  it('still names the option and what was expected', () => {
    const error = refused(factory({ hosts: { 'https://apihk.mch.weixin.qq.com': apiv3Key } }));
    expect(error.field).toBe("hosts['https://apihk.mch.weixin.qq.com']");
    expect(error.message).toMatch(/^hosts\['https:\/\/apihk\.mch\.weixin\.qq\.com'\]: expected an absolute http\(s\) URL such as https:\/\/api\.mch\.weixin\.qq\.com\/; a string of 32 characters \(.*\) is not an absolute URL$/);
    expect(refused(() => checkHeaders({ 'x-trace': 'a\r\nb' })).message).toMatch(/^headers: the value of "x-trace" /);
    expect(refused(factory({ hosts: { [apiv3Key]: 'nope' } }))).toMatchObject({ field: 'hosts', message: expect.stringMatching(/^hosts: a key \(a string of 32 characters \(.*\)\) is not a WeChat Pay origin/) });
  });
});

const request: RedactedRequest = { method: 'GET', url: 'https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/T1?mchid=1900000109', headers: {} };
const v2Request: RedactedRequest = { method: 'POST', url: 'https://api.mch.weixin.qq.com/pay/orderquery', headers: {} };

describe('HttpError: business codes only from verified answers', () => {
  const body = { code: 'ORDER_NOT_EXIST', message: '订单不存在', detail: { field: 'out_trade_no' } };

  it('fills code and detail from a verified answer, and nothing unverified', () => {
    const e = new HttpError({ status: 404, headers: {}, data: body }, request, true);
    expect(e).toMatchObject({ code: 'ORDER_NOT_EXIST', detail: { field: 'out_trade_no' }, verified: true });
    expect(e.unverifiedCode).toBeUndefined();
    expect(e.unverifiedMessage).toBeUndefined();
    expect(e.unverifiedDetail).toBeUndefined();
    expect(e.message).toBe(`GET ${request.url} answered 404 ORDER_NOT_EXIST: 订单不存在`);
  });

  it('keeps the text of an unverified answer only under unverified* names and in response, and says so', () => {
    const e = new HttpError({ status: 404, headers: {}, data: body }, request, false);
    expect(e.code).toBeUndefined();
    expect(e.detail).toBeUndefined();
    expect(e).toMatchObject({ unverifiedCode: 'ORDER_NOT_EXIST', unverifiedMessage: '订单不存在', unverifiedDetail: { field: 'out_trade_no' }, verified: false });
    expect(e.response.data).toEqual(body);
    expect(e.message).toMatch(/answered 404, unverified \(no valid WeChat Pay signature\): ORDER_NOT_EXIST: 订单不存在$/);
    // the README's check cannot be fooled by it
    expect(e instanceof HttpError && e.code === 'ORDER_NOT_EXIST').toBe(false);
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ verified: false, unverifiedCode: 'ORDER_NOT_EXIST', unverifiedMessage: '订单不存在' });
    expect(JSON.parse(JSON.stringify(e))).not.toHaveProperty('code');
  });

  it('says nothing about text an unverified answer did not have', () => {
    const e = new HttpError({ status: 502, headers: {}, data: '<html>502 Bad Gateway</html>' }, request, false);
    expect(e.message).toBe(`GET ${request.url} answered 502`);
    expect(e.unverifiedCode).toBeUndefined();
  });
});

describe('BusinessError: err_code only from verified answers', () => {
  const reply = { return_code: 'SUCCESS', return_msg: 'OK', result_code: 'FAIL', err_code: 'ORDERNOTEXIST', err_code_des: '此交易订单号不存在' };

  it('fills errCode, errCodeDes, code and returnMsg from a verified answer', () => {
    const e = new BusinessError({ status: 200, headers: {}, data: reply }, v2Request, true);
    expect(e).toMatchObject({ returnCode: 'SUCCESS', resultCode: 'FAIL', returnMsg: 'OK', errCode: 'ORDERNOTEXIST', errCodeDes: '此交易订单号不存在', code: 'ORDERNOTEXIST', verified: true });
    expect(e.unverifiedErrCode).toBeUndefined();
    expect(e.message).toBe(`POST ${v2Request.url} answered result_code=FAIL ORDERNOTEXIST: 此交易订单号不存在`);
  });

  it('keeps the text of an unsigned (or stripped) answer only under unverified* names', () => {
    const e = new BusinessError({ status: 200, headers: {}, data: reply }, v2Request, false);
    for (const field of ['errCode', 'errCodeDes', 'code', 'returnMsg'] as const) expect(e[field], field).toBeUndefined();
    expect(e).toMatchObject({
      returnCode: 'SUCCESS',
      resultCode: 'FAIL',
      unverifiedReturnMsg: 'OK',
      unverifiedErrCode: 'ORDERNOTEXIST',
      unverifiedErrCodeDes: '此交易订单号不存在',
      unverifiedCode: 'ORDERNOTEXIST',
      verified: false,
    });
    expect(e.reply).toEqual(reply);
    expect(e.message).toBe(`POST ${v2Request.url} answered result_code=FAIL, unverified (no sign that verified): ORDERNOTEXIST: 此交易订单号不存在`);
    const json = JSON.parse(JSON.stringify(e)) as Record<string, unknown>;
    expect(json).toMatchObject({ unverifiedErrCode: 'ORDERNOTEXIST', verified: false });
    expect(json).not.toHaveProperty('errCode');
  });

  it('marks a return_code=FAIL (which WeChat Pay never signs) as unverified text', () => {
    const e = new BusinessError({ status: 200, headers: {}, data: { return_code: 'FAIL', return_msg: '签名错误' } }, v2Request, false);
    expect(e.returnMsg).toBeUndefined();
    expect(e.unverifiedReturnMsg).toBe('签名错误');
    expect(e.message).toBe(`POST ${v2Request.url} answered return_code=FAIL, unverified (no sign that verified): 签名错误`);
  });
});

describe('one meaning per field name', () => {
  it('keeps `code` for WeChat Pay business codes: a NetworkError says how the transport failed as transportCode', () => {
    const refused = new NetworkError('connect ECONNREFUSED 127.0.0.1:1', { transportCode: 'ECONNREFUSED' });
    expect(refused.transportCode).toBe('ECONNREFUSED');
    expect('code' in refused).toBe(false);
    expect(refused.toJSON()).toMatchObject({ name: 'NetworkError', transportCode: 'ECONNREFUSED' });
    const timedOut = new TimeoutError(1_000);
    expect(timedOut.transportCode).toBe('ETIMEDOUT');
    expect('code' in timedOut).toBe(false);
  });
});
