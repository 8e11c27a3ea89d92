import { describe, expect, it } from 'vitest';
import { joinTemplate, normalizeLiteral, normalizeProperty } from '../../lib/chain/segments.js';

describe('normalizeProperty (wechatpay-php rules)', () => {
  it.each([
    ['returnAdvance', 'return-advance'],
    ['ComplaintsV2', 'complaints-v2'],
    ['v3', 'v3'],
    ['video_upload', 'video_upload'],
    ['applyment4sub', 'applyment4sub'],
    ['_refund_id_', '{refund_id}'],
    ['$refund_id$', '{refund_id}'],
    ['_outTradeNo_', '{outTradeNo}'],
    ['delete', 'delete'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeProperty(input)).toBe(expected);
  });
});

describe('normalizeLiteral', () => {
  it.each([
    ['v3/pay/transactions/out-trade-no/N123Abc', 'v3/pay/transactions/out-trade-no/N123Abc'],
    ['/v3/refunds/{refund_id}', 'v3/refunds/{refund_id}'],
    ['v3/refunds/<refund_id>/x', 'v3/refunds/{refund_id}/x'],
    ['v3/refunds/_refund_id_/x', 'v3/refunds/{refund_id}/x'],
    ['v3/applyment4sub/applyment/', 'v3/applyment4sub/applyment/'],
    ['v2/secapi/mch/addInstitutionsub', 'v2/secapi/mch/addInstitutionsub'],
    ['v3/a_b_c/x', 'v3/a_b_c/x'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeLiteral(input)).toBe(expected);
  });
});

describe('joinTemplate', () => {
  it('joins with one slash', () => {
    expect(joinTemplate('', 'v3')).toBe('v3');
    expect(joinTemplate('v3', 'pay')).toBe('v3/pay');
    expect(joinTemplate('v3/applyment4sub/applyment/', 'x')).toBe('v3/applyment4sub/applyment/x');
  });
});
