import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecodeError, VerificationError } from '../../../lib/errors.js';
import { signFields } from '../../../lib/pipeline/v2/digest.js';
import { decryptReqInfo, notificationReply, parseNotification } from '../../../lib/pipeline/v2/notification.js';
import { parseXml, toXml } from '../../../lib/pipeline/v2/xml.js';

const secret = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';

// What WeChat Pay does, written independently: AES-256-ECB, key = lower-case hex MD5 of the APIv2 key.
function reqInfo(plainXml: string, key = secret): string {
  const cipher = createCipheriv('aes-256-ecb', Buffer.from(createHash('md5').update(key).digest('hex')), null);
  return Buffer.concat([cipher.update(plainXml), cipher.final()]).toString('base64');
}
const refundXml = '<root><out_refund_no><![CDATA[R1]]></out_refund_no><refund_status><![CDATA[SUCCESS]]></refund_status><settlement_refund_fee><![CDATA[100]]></settlement_refund_fee></root>';

describe('APIv2 notifications', () => {
  it('decrypts a refund notification req_info', () => {
    expect(decryptReqInfo(reqInfo(refundXml), secret)).toEqual({ out_refund_no: 'R1', refund_status: 'SUCCESS', settlement_refund_fee: '100' });
    const body = toXml({ return_code: 'SUCCESS', appid: 'wx1', mch_id: '1900000109', nonce_str: 'n', req_info: reqInfo(refundXml) });
    const parsed = parseNotification(body, { secret, mchid: '1900000109' });
    expect(parsed.refund).toMatchObject({ out_refund_no: 'R1' });
    expect(parsed.data.mch_id).toBe('1900000109');
  });

  it('rejects req_info made with another key, or not base64', () => {
    expect(() => decryptReqInfo(reqInfo(refundXml, 'another key'), secret)).toThrow(VerificationError);
    expect(() => decryptReqInfo('%%%', secret)).toThrow(VerificationError);
  });

  it('verifies a signed payment notification and rejects a forged one or one for another merchant', () => {
    const fields = { return_code: 'SUCCESS', result_code: 'SUCCESS', mch_id: '1900000109', out_trade_no: 'T1', total_fee: '1', nonce_str: 'n' };
    const body = toXml({ ...fields, sign: signFields(fields, secret) });
    expect(parseNotification(body, { secret }).data).toMatchObject({ out_trade_no: 'T1' });
    expect(() => parseNotification(body.replace('<total_fee>1<', '<total_fee>100<'), { secret })).toThrow(VerificationError);
    expect(() => parseNotification(body, { secret, mchid: '1900000110' })).toThrow(/mch_id/);
    expect(() => parseNotification('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml>&e;</xml>', { secret })).toThrow(DecodeError);
  });

  it('builds the acknowledgement', () => {
    expect(parseXml(notificationReply())).toEqual({ return_code: 'SUCCESS', return_msg: 'OK' });
    expect(parseXml(notificationReply(false, 'busy'))).toEqual({ return_code: 'FAIL', return_msg: 'busy' });
  });
});
