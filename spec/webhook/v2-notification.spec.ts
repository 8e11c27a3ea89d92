import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArgumentError, DecodeError, VerificationError } from '../../lib/index.js';
import { ApiV2, type V2RefundNotification } from '../../lib/apiv2/index.js';
import { AesEcb } from '../../lib/crypto/index.js';
import { decryptReqInfo, notificationReply, parseNotification } from '../../lib/webhook/v2-notification.js';
import { parseXml, toXml } from '../../lib/apiv2/xml.js';
import { v2SignOf } from '../support/multipart.js';

const secret = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';
const mchid = '1900000109';
const appid = 'wx2421b1c4370ec43b';

// The req_info format, from outside this project (wechatpay-php v1.4.12):
// - tests/Crypto/AesEcbTest.php: AesEcb::encrypt('hello', '0123456789abcdef0123456789abcdef') is
//   'pZwJZBLuy3mDACEQT4YTBw==' — AES-256-ECB ('aes-256-ecb', the key's 32 ASCII bytes as the key),
//   PKCS#7 padding (5 bytes → one 16-byte block), base64;
// - README_APIv2.md "v2回调通知": AesEcb::decrypt($reqInfo, Hash::md5($apiv2Key)), and
//   src/Crypto/Hash.php's md5 returns hash_final(): lower-case hex;
// - tests/fixtures/refund.notification.req_info.sample.xml: the decrypted <root> (below). It holds
//   no appid and no mch_id: those two are only in the unsigned envelope.
const PHP_VECTOR = { plaintext: 'hello', key: '0123456789abcdef0123456789abcdef', ciphertext: 'pZwJZBLuy3mDACEQT4YTBw==' };
const SAMPLE_REFUND = {
  out_refund_no: '131811191610442717309',
  out_trade_no: '71106718111915575302817',
  refund_account: 'REFUND_SOURCE_RECHARGE_FUNDS',
  refund_fee: '3960',
  refund_id: '50000408942018111907145868882',
  refund_recv_accout: '支付用户零钱',
  refund_request_source: 'API',
  refund_status: 'SUCCESS',
  settlement_refund_fee: '3960',
  settlement_total_fee: '3960',
  success_time: '2018-11-19 16:24:13',
  total_fee: '3960',
  transaction_id: '4200000215201811190261405420',
};
const sampleXml = `<root>\n${Object.entries(SAMPLE_REFUND)
  .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
  .join('\n')}\n</root>`;

// What WeChat Pay does, written independently of lib/: AES-256-ECB with PKCS#7, key = md5 hex of the APIv2 key.
function reqInfo(plainXml: string, key = secret, upper = false): string {
  const hex = createHash('md5').update(key).digest('hex');
  const cipher = createCipheriv('aes-256-ecb', Buffer.from(upper ? hex.toUpperCase() : hex), null);
  return Buffer.concat([cipher.update(plainXml), cipher.final()]).toString('base64');
}

/** A refund notification envelope as WeChat Pay sends it: return_code, appid, mch_id, nonce_str, req_info — no sign. */
function refundBody(extra: Record<string, string> = {}, plain = sampleXml): string {
  return toXml({ return_code: 'SUCCESS', appid, mch_id: mchid, nonce_str: 'TeqClE3i0mvn3DrK', req_info: reqInfo(plain), ...extra });
}

/** A payment notification as WeChat Pay sends it, signed with the independent v2SignOf. */
function paymentBody(fields: Record<string, string> = {}, type?: 'MD5' | 'HMAC-SHA256'): string {
  const all: Record<string, string> = { appid, mch_id: mchid, nonce_str: '5d2b6c2a8db53831f7eda20af46e531c', result_code: 'SUCCESS', return_code: 'SUCCESS', out_trade_no: '1409811653', total_fee: '1', transaction_id: '1004400740201409030005092168', ...fields };
  return toXml({ ...all, sign: v2SignOf(all, secret, type ?? all.sign_type ?? 'MD5') });
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('req_info: the format WeChat Pay uses (pinned from wechatpay-php)', () => {
  it('is AES-256-ECB, PKCS#7, base64 (wechatpay-php tests/Crypto/AesEcbTest.php)', () => {
    expect(AesEcb.encrypt(PHP_VECTOR.plaintext, PHP_VECTOR.key)).toBe(PHP_VECTOR.ciphertext);
    expect(AesEcb.decrypt(PHP_VECTOR.ciphertext, PHP_VECTOR.key)).toBe(PHP_VECTOR.plaintext);
  });

  it('is keyed with the lower-case hex md5 of the APIv2 key (README_APIv2 "v2回调通知")', () => {
    expect(decryptReqInfo(reqInfo(sampleXml), secret)).toEqual(SAMPLE_REFUND);
    // the upper-case hex digest is another AES key: it must not decrypt
    expect(() => decryptReqInfo(reqInfo(sampleXml, secret, true), secret)).toThrow(VerificationError);
    expect(() => decryptReqInfo(reqInfo(sampleXml, 'another key'), secret)).toThrow(VerificationError);
    expect(() => decryptReqInfo('%%%', secret)).toThrow(VerificationError);
  });
});

describe('ApiV2.parseNotification: the caller says what it expects', () => {
  it('refuses a call without kind, or with an unknown one, with an ArgumentError (at run time as at compile time)', () => {
    const body = paymentBody();
    for (const kind of [undefined, 'auto', 'Payment', 'signed', '', 1]) {
      // @ts-expect-error kind is required and is 'payment' or 'refund'
      const error = thrown(() => parseNotification(body, { secret, kind }));
      expect(error, String(kind)).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).field).toBe('kind');
      expect((error as Error).message).toMatch(/'payment'.*'refund'/);
    }
    // @ts-expect-error no kind at all
    expect(() => ApiV2.parseNotification(body, { secret })).toThrow(ArgumentError);
    // @ts-expect-error options are required
    expect(() => ApiV2.parseNotification(body)).toThrow(ArgumentError);
    expect(() => ApiV2.parseNotification(body, { kind: 'payment', secret: '' })).toThrow(ArgumentError);
    // @ts-expect-error signType is MD5 or HMAC-SHA256
    expect(() => ApiV2.parseNotification(body, { kind: 'payment', secret, signType: 'SHA1' })).toThrow(ArgumentError);
    // @ts-expect-error the body is raw text or bytes
    expect(() => ApiV2.parseNotification({ xml: body }, { kind: 'payment', secret })).toThrow(ArgumentError);
  });
});

describe("ApiV2.parseNotification({ kind: 'payment' }): the sign, always", () => {
  it('accepts a notification whose MD5 or HMAC-SHA256 sign verifies, and returns every field', () => {
    const md5 = parseNotification(paymentBody(), { kind: 'payment', secret, mchid });
    expect(md5.kind).toBe('payment');
    expect(md5.data).toMatchObject({ out_trade_no: '1409811653', total_fee: '1', result_code: 'SUCCESS', mch_id: mchid });
    expect(parseNotification(paymentBody({ sign_type: 'HMAC-SHA256' }), { kind: 'payment', secret }).data.out_trade_no).toBe('1409811653');
    // no sign_type field: the algorithm follows the sign's length, as wechatpay-php's guide allows
    expect(parseNotification(paymentBody({}, 'HMAC-SHA256'), { kind: 'payment', secret }).data.out_trade_no).toBe('1409811653');
  });

  it('holds the sign to the configured signType and to a declared sign_type', () => {
    expect(parseNotification(paymentBody({ sign_type: 'HMAC-SHA256' }), { kind: 'payment', secret, signType: 'HMAC-SHA256' }).data.out_trade_no).toBe('1409811653');
    expect(() => parseNotification(paymentBody({}, 'HMAC-SHA256'), { kind: 'payment', secret, signType: 'MD5' })).toThrow(VerificationError);
    expect(() => parseNotification(paymentBody(), { kind: 'payment', secret, signType: 'HMAC-SHA256' })).toThrow(VerificationError);
    // declared MD5 but signed with HMAC-SHA256: refused
    const fields = { return_code: 'SUCCESS', result_code: 'SUCCESS', mch_id: mchid, out_trade_no: 'T1', sign_type: 'MD5', nonce_str: 'n' };
    expect(() => parseNotification(toXml({ ...fields, sign: v2SignOf(fields, secret, 'HMAC-SHA256') }), { kind: 'payment', secret })).toThrow(VerificationError);
  });

  it('refuses a missing, forged or stale-looking sign, a tampered field, another merchant, a FAIL envelope', () => {
    const body = paymentBody();
    expect(() => parseNotification(body.replace('<total_fee>1<', '<total_fee>100<'), { kind: 'payment', secret })).toThrow(VerificationError);
    expect(() => parseNotification(body.replace(/<sign>.*<\/sign>/, ''), { kind: 'payment', secret })).toThrow(/no sign/);
    expect(() => parseNotification(body.replace(/<sign>.*<\/sign>/, '<sign>0123456789ABCDEF0123456789ABCDEF</sign>'), { kind: 'payment', secret })).toThrow(VerificationError);
    expect(() => parseNotification(body, { kind: 'payment', secret: 'b'.repeat(32) })).toThrow(VerificationError);
    expect(() => parseNotification(body, { kind: 'payment', secret, mchid: '1900000110' })).toThrow(/mch_id/);
    expect(() => parseNotification(body, { kind: 'payment', secret, appid: 'wx0000000000000000' })).toThrow(/appid/);
    const noMchId = { return_code: 'SUCCESS', result_code: 'SUCCESS', out_trade_no: 'T1', nonce_str: 'n' };
    expect(() => parseNotification(toXml({ ...noMchId, sign: v2SignOf(noMchId, secret) }), { kind: 'payment', secret, mchid })).toThrow(/mch_id/);
    expect(() => parseNotification(toXml({ return_code: 'FAIL', return_msg: '签名失败' }), { kind: 'payment', secret })).toThrow(VerificationError);
    expect(() => parseNotification('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml>&e;</xml>', { kind: 'payment', secret })).toThrow(DecodeError);
  });

  it('never authenticates a payment by a req_info: an unsigned envelope around a genuine one is refused', () => {
    // the attack of issue 13: an old refund notification's genuine req_info, wrapped in an unsigned
    // envelope that claims a paid order of the attacker's choosing (APIv2 has no timestamp: works forever)
    const forged = toXml({ return_code: 'SUCCESS', result_code: 'SUCCESS', appid, mch_id: mchid, out_trade_no: 'ATTACKER-ORDER', total_fee: '99999900', nonce_str: 'x', req_info: reqInfo(sampleXml) });
    const error = thrown(() => parseNotification(forged, { kind: 'payment', secret, mchid }));
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toMatch(/no sign/);
    // nor with a sign made up by the attacker
    expect(() => parseNotification(forged.replace('</xml>', '<sign>C380BEC2BFD727A4B6845133519F3AD6</sign></xml>'), { kind: 'payment', secret })).toThrow(VerificationError);
  });
});

describe("ApiV2.parseNotification({ kind: 'refund' }): only what decrypted", () => {
  it('returns the decrypted fields and return_code; appid and mch_id only when checked', () => {
    const refund: V2RefundNotification = parseNotification(refundBody(), { kind: 'refund', secret, mchid, appid });
    expect(refund.kind).toBe('refund');
    expect(refund.data).toEqual({ ...SAMPLE_REFUND, return_code: 'SUCCESS', appid, mch_id: mchid });
    expect(refund.unverified).toEqual({ nonce_str: 'TeqClE3i0mvn3DrK' });
    // the sample's req_info holds neither appid nor mch_id: undeclared, they stay unverified
    const undeclared = parseNotification(refundBody(), { kind: 'refund', secret });
    expect(undeclared.data).toEqual({ ...SAMPLE_REFUND, return_code: 'SUCCESS' });
    expect(undeclared.unverified).toEqual({ appid, mch_id: mchid, nonce_str: 'TeqClE3i0mvn3DrK' });
  });

  it('checks the envelope appid and mch_id against the decrypted ones and the declared ones', () => {
    const withIds = sampleXml.replace('</root>', `<appid>${appid}</appid><mch_id>${mchid}</mch_id></root>`);
    expect(parseNotification(refundBody({}, withIds), { kind: 'refund', secret }).data).toMatchObject({ appid, mch_id: mchid });
    expect(() => parseNotification(refundBody({ mch_id: '1900000999' }, withIds), { kind: 'refund', secret })).toThrow(/mch_id/);
    expect(() => parseNotification(refundBody({ appid: 'wx0000000000000000' }, withIds), { kind: 'refund', secret })).toThrow(/appid/);
    expect(() => parseNotification(refundBody({}, withIds), { kind: 'refund', secret, mchid: '1900000999' })).toThrow(/mch_id/);
    expect(() => parseNotification(refundBody({ mch_id: '1900000999' }), { kind: 'refund', secret, mchid })).toThrow(/mch_id/);
    expect(() => parseNotification(refundBody({ mch_id: '' }), { kind: 'refund', secret, mchid })).toThrow(/mch_id/);
    expect(thrown(() => parseNotification(refundBody({ mch_id: '1900000999' }, withIds), { kind: 'refund', secret }))).toBeInstanceOf(VerificationError);
  });

  it('refuses a refund notification without req_info, with a foreign one, or with return_code FAIL', () => {
    expect(() => parseNotification(paymentBody(), { kind: 'refund', secret })).toThrow(/req_info/);
    expect(() => parseNotification(toXml({ return_code: 'SUCCESS', mch_id: mchid, req_info: reqInfo(sampleXml, 'another key') }), { kind: 'refund', secret })).toThrow(VerificationError);
    expect(() => parseNotification(refundBody({ return_code: 'FAIL' }), { kind: 'refund', secret })).toThrow(VerificationError);
    expect(() => parseNotification(toXml({ return_code: 'SUCCESS', req_info: reqInfo('not xml at all') }), { kind: 'refund', secret })).toThrow(VerificationError);
  });

  it('yields only the decrypted fields from an envelope that claims a payment (the issue 13 attack)', () => {
    const forged = refundBody({ result_code: 'SUCCESS', out_trade_no: 'ATTACKER-ORDER', total_fee: '99999900', sign: 'C380BEC2BFD727A4B6845133519F3AD6' });
    const refund = parseNotification(forged, { kind: 'refund', secret, mchid, appid });
    expect(refund.data).toEqual({ ...SAMPLE_REFUND, return_code: 'SUCCESS', appid, mch_id: mchid });
    expect(refund.data).not.toHaveProperty('result_code');
    expect(refund.data.out_trade_no).toBe(SAMPLE_REFUND.out_trade_no);
    expect(refund.unverified).toMatchObject({ result_code: 'SUCCESS', out_trade_no: 'ATTACKER-ORDER', total_fee: '99999900' });
  });
});

describe('notificationReply', () => {
  it('builds the acknowledgement', () => {
    expect(parseXml(notificationReply())).toEqual({ return_code: 'SUCCESS', return_msg: 'OK' });
    expect(parseXml(notificationReply(false, 'busy'))).toEqual({ return_code: 'FAIL', return_msg: 'busy' });
  });
});
