import { describe, expect, it } from 'vitest';
import { FILE_ANSWERS, isFileAnswer, isUnsignedAnswer, UNSIGNED_ANSWERS } from '../../lib/apiv2/unsigned.js';

describe('the unsigned-reply list', () => {
  it('names the endpoints known to answer without a sign, and nothing that signs', () => {
    for (const path of ['/pay/downloadbill', '/pay/downloadfundflow', '/risk/getpublickey', '/sandboxnew/pay/getsignkey', '/xdc/apiv2getsignkey/sign/getsignkey']) {
      expect(isUnsignedAnswer(path)).toBe(true);
    }
    for (const path of ['/pay/micropay', '/pay/orderquery', '/secapi/pay/refund', '/pay/unifiedorder', '/pay/downloadbill/x']) {
      expect(isUnsignedAnswer(path)).toBe(false);
    }
    expect(isUnsignedAnswer('/pay/downloadbill?x=1')).toBe(true);
  });

  it('is one list without duplicates, and every file reply is in it', () => {
    expect(new Set(UNSIGNED_ANSWERS).size).toBe(UNSIGNED_ANSWERS.length);
    for (const path of FILE_ANSWERS) expect(UNSIGNED_ANSWERS).toContain(path);
    expect(isFileAnswer('/pay/downloadfundflow')).toBe(true);
    expect(isFileAnswer('/pay/micropay')).toBe(false);
  });
});
