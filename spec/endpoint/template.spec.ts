import { describe, expect, it } from 'vitest';
import { expandTemplate, nearSpelling, variablesOf } from '../../lib/endpoint/template.js';
import { ArgumentError } from '../../lib/errors.js';
import { Builder } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';

describe('expandTemplate', () => {
  const template = 'v3/ecommerce/refunds/{refund_id}/return-advance';

  it('expands path variables from the options object', () => {
    expect(expandTemplate(template, { refund_id: '50000000382019052709732678859', json: {} })).toBe(
      'v3/ecommerce/refunds/50000000382019052709732678859/return-advance',
    );
    expect(expandTemplate('v3/x/{id}', { id: 42 })).toBe('v3/x/42');
    expect(variablesOf('v3/x/{a}/y/{b}')).toEqual(['a', 'b']);
  });

  it.each([
    ['missing', {}],
    ['null', { refund_id: null }],
    ['empty', { refund_id: '' }],
  ])('refuses a %s variable, naming it', (_kind, values) => {
    let error: unknown;
    try {
      expandTemplate(template, values);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).field).toBe('refund_id');
    expect((error as Error).message).toContain('"refund_id"');
    expect((error as Error).message).toContain(template);
  });

  // issue 16: `{ refundId: '1' }` said refund_id was missing and nothing more
  it.each([['refundId'], ['refund-id'], ['RefundId'], ['REFUND_ID'], ['refundid']])('names the variable meant when it is spelled %s', (given) => {
    let error: unknown;
    try {
      expandTemplate(template, { [given]: '1', json: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).field).toBe('refund_id');
    expect((error as Error).message).toBe(
      `path variable "refund_id" is missing, null or empty (template "${template}"); you gave "${given}" — did you mean refund_id?`,
    );
  });

  it('suggests nothing when no option is spelled like the variable (nearSpelling folds case, - and _ only)', () => {
    expect(() => expandTemplate(template, { refund: '1', json: {} })).toThrow(/^path variable "refund_id" is missing, null or empty \(template "[^"]+"\)$/);
    expect(nearSpelling('out_trade_no', { outTradeNo: 'T1', json: {} })).toBe('outTradeNo');
    expect(nearSpelling('out_trade_no', { out_trade_no: 'T1' })).toBeUndefined(); // the variable itself is no misspelling
    expect(nearSpelling('out_trade_no', { 'out-trade-no': undefined })).toBeUndefined(); // nothing given under it
  });

  it('a client call says it too, and sends nothing', async () => {
    const emulator = Emulator.create();
    const client = Builder.factory(emulator.clientConfig());
    const loose = client.v3.ecommerce.refunds._refund_id_.returnAdvance as unknown as { post(options: object): Promise<unknown> };
    await expect(loose.post({ refundId: '1', json: { sub_mchid: '1900000109' } })).rejects.toThrow(/you gave "refundId" — did you mean refund_id\?/);
    await expect((client.chain('v3/ecommerce/refunds/{refund_id}/return-advance') as unknown as typeof loose).post({ 'refund-id': '1', json: {} })).rejects.toThrow(/you gave "refund-id" — did you mean refund_id\?/);
    expect(emulator.requests).toHaveLength(0);
    await client.close();
  });

  it('refuses objects and dot segments', () => {
    expect(() => expandTemplate('v3/x/{id}', { id: { a: 1 } })).toThrow(/must be a string or a number/);
    expect(() => expandTemplate('v3/x/{id}', { id: '.' })).toThrow(ArgumentError);
    expect(() => expandTemplate('v3/x/{id}/y', { id: '..' })).toThrow(/must not be "\." or "\.\."/);
  });

  it('percent-encodes values so they stay inside their segment', () => {
    expect(expandTemplate('v3/x/{id}/y', { id: '../x?y#z' })).toBe('v3/x/..%2Fx%3Fy%23z/y');
    expect(expandTemplate('v3/x/{id}', { id: 'a b\r\nc' })).toBe('v3/x/a%20b%0D%0Ac');
    expect(expandTemplate('v3/x/{id}', { id: '订单1' })).toBe('v3/x/%E8%AE%A2%E5%8D%951');
    expect(expandTemplate('v3/x/{id}', { id: "it's(1)!" })).toBe('v3/x/it%27s%281%29%21');
  });

  it('lets optional query expressions be absent', () => {
    expect(expandTemplate('v3/x{?limit,offset}', { limit: 10 })).toBe('v3/x?limit=10');
    expect(expandTemplate('v3/x{?limit}', {})).toBe('v3/x');
  });
});
