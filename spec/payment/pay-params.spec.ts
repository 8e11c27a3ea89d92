import { verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArgumentError, buildAppPayParams, buildJsapiPayParams, buildMiniProgramPayParams } from '../../lib/index.js';
import { generateKeyPair } from '../../lib/testing/index.js';

const merchant = generateKeyPair();
const prepayId = 'wx201410272009395522657a690389285100';

function verifies(message: string, signature: string): boolean {
  return verify('sha256', Buffer.from(message), merchant.publicKey, Buffer.from(signature, 'base64'));
}

describe('payment-sign helpers', () => {
  it('JSAPI / mini-program: the documented field set, paySign over appId\\ntimeStamp\\nnonceStr\\npackage\\n', async () => {
    const params = await buildJsapiPayParams({ appId: 'wx8888888888888888', prepayId, privateKey: merchant.privateKeyPem });
    expect(Object.keys(params)).toEqual(['appId', 'timeStamp', 'nonceStr', 'package', 'signType', 'paySign']);
    expect(params.package).toBe(`prepay_id=${prepayId}`);
    expect(params.signType).toBe('RSA');
    expect(params.timeStamp).toMatch(/^\d{10}$/);
    expect(params.nonceStr).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(verifies(`wx8888888888888888\n${params.timeStamp}\n${params.nonceStr}\nprepay_id=${prepayId}\n`, params.paySign)).toBe(true);
    expect(verifies(`wx8888888888888889\n${params.timeStamp}\n${params.nonceStr}\nprepay_id=${prepayId}\n`, params.paySign)).toBe(false);
  });

  it('accepts a prepay_id= prefix, fixed timestamp and nonce; mini-program is the same set', async () => {
    const fixed = { appId: 'wx8888888888888888', privateKey: merchant.privateKey, timestamp: 1414561699, nonce: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS' };
    const a = await buildJsapiPayParams({ ...fixed, prepayId: `prepay_id=${prepayId}` });
    const b = await buildMiniProgramPayParams({ ...fixed, prepayId });
    expect(a).toEqual(b);
    expect(a.timeStamp).toBe('1414561699');
  });

  it('APP: the documented field set, sign over appid\\ntimestamp\\nnoncestr\\nprepayid\\n', async () => {
    const params = await buildAppPayParams({ appid: 'wxd678efh567hg6787', partnerid: '1900000109', prepayId, privateKey: merchant.privateKeyPem });
    expect(Object.keys(params)).toEqual(['appid', 'partnerid', 'prepayid', 'package', 'noncestr', 'timestamp', 'sign']);
    expect(params.package).toBe('Sign=WXPay');
    expect(params.partnerid).toBe('1900000109');
    expect(verifies(`wxd678efh567hg6787\n${params.timestamp}\n${params.noncestr}\n${prepayId}\n`, params.sign)).toBe(true);
  });

  it('refuses missing inputs and public keys', async () => {
    await expect(buildJsapiPayParams({ appId: '', prepayId, privateKey: merchant.privateKey })).rejects.toBeInstanceOf(ArgumentError);
    await expect(buildAppPayParams({ appid: 'wx1', partnerid: '1900000109', prepayId: 'a\nb', privateKey: merchant.privateKey })).rejects.toThrow(/line breaks/);
    await expect(buildJsapiPayParams({ appId: 'wx1', prepayId, privateKey: merchant.publicKeyPem })).rejects.toBeInstanceOf(ArgumentError);
  });
});
