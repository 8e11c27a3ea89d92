import { describe, expect, it } from 'vitest';
import { FILE_REPLIES, isFileReply, isUnsignedReply, UNSIGNED_REPLIES } from '../../lib/apiv2/unsigned.js';

describe('the unsigned-reply list', () => {
  it('names the endpoints known to answer without a sign, and nothing that signs', () => {
    for (const path of ['/pay/downloadbill', '/pay/downloadfundflow', '/risk/getpublickey', '/sandboxnew/pay/getsignkey', '/xdc/apiv2getsignkey/sign/getsignkey']) {
      expect(isUnsignedReply(path)).toBe(true);
    }
    for (const path of ['/pay/micropay', '/pay/orderquery', '/secapi/pay/refund', '/pay/unifiedorder', '/pay/downloadbill/x']) {
      expect(isUnsignedReply(path)).toBe(false);
    }
    expect(isUnsignedReply('/pay/downloadbill?x=1')).toBe(true);
  });

  it('is one list without duplicates, and every file reply is in it', () => {
    expect(new Set(UNSIGNED_REPLIES).size).toBe(UNSIGNED_REPLIES.length);
    for (const path of FILE_REPLIES) expect(UNSIGNED_REPLIES).toContain(path);
    expect(isFileReply('/pay/downloadfundflow')).toBe(true);
    expect(isFileReply('/pay/micropay')).toBe(false);
  });
});
