import { describe, expect, it } from 'vitest';
import { BusinessError, HttpError, type RedactedRequest } from '../lib/index.js';

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
