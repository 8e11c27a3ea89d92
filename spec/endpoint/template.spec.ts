import { describe, expect, it } from 'vitest';
import { expandTemplate, variablesOf } from '../../lib/endpoint/template.js';
import { ArgumentError } from '../../lib/errors.js';

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
