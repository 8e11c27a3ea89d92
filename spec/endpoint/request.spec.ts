import { describe, expect, it } from 'vitest';
import { buildRequest, checkHeaders, encodeQuery } from '../../lib/endpoint/request.js';
import { ArgumentError } from '../../lib/errors.js';

describe('buildRequest', () => {
  it('builds method, path, headers and the exact JSON bytes that are signed', () => {
    const json = { sub_mchid: '1900000109', amount: { refund: 888, total: 888, currency: 'CNY' }, note: '退款 "x"' };
    const req = buildRequest('POST', 'v3/ecommerce/refunds/{refund_id}/return-advance', { refund_id: '5000', json }, { accept: 'application/json' });
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v3/ecommerce/refunds/5000/return-advance');
    expect(req.body).toBe(JSON.stringify(json));
    expect(req.signBody).toBe(req.body);
    expect(req.headers).toEqual({ accept: 'application/json', 'content-type': 'application/json' });
  });

  it('encodes the query once and makes it part of the signed path', () => {
    const req = buildRequest('GET', 'v3/x/{id}', { id: '1', query: { sub_mchid: '1900000109', limit: 10, offset: 0, s: 'a b&c=d', skip: undefined } });
    expect(req.path).toBe('/v3/x/1?sub_mchid=1900000109&limit=10&offset=0&s=a%20b%26c%3Dd');
    expect(req.body).toBeUndefined();
    expect(req.signBody).toBe('');
  });

  it('keeps a trailing slash and literal case', () => {
    expect(buildRequest('POST', 'v3/applyment4sub/applyment/', { json: {} }).path).toBe('/v3/applyment4sub/applyment/');
    expect(buildRequest('GET', 'v3/pay/transactions/out-trade-no/N123Abc').path).toBe('/v3/pay/transactions/out-trade-no/N123Abc');
  });

  it('passes a raw string body through and signs it', () => {
    const req = buildRequest('POST', 'v3/x', { body: '{"a":1}', headers: { 'Content-Type': 'application/json' } });
    expect(req.body).toBe('{"a":1}');
    expect(req.signBody).toBe('{"a":1}');
    expect(req.headers['content-type']).toBe('application/json');
  });

  it('refuses bad input with ArgumentError', () => {
    expect(() => buildRequest('POST', 'v3/x/{id}', { json: {} })).toThrow(ArgumentError);
    expect(() => buildRequest('POST', 'v3/x', { json: {}, body: 'x' })).toThrow(/json and body/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => buildRequest('POST', 'v3/x', { json: cyclic })).toThrow(/cannot be serialized/);
    expect(() => buildRequest('POST', 'v3/x', { json: () => 1 })).toThrow(/cannot be serialized/);
    expect(() => buildRequest('GET', 'v3/x', { headers: { Authorization: 'x' } })).toThrow(/Authorization/);
    expect(() => buildRequest('GET', 'v3/x', { query: { a: { b: 1 } as never } })).toThrow(/scalar/);
    expect(() => buildRequest('GET', 'v3/x', null as never)).toThrow(ArgumentError);
  });
});

describe('checkHeaders', () => {
  it('refuses CR, LF and NUL (header injection) and bad names', () => {
    expect(() => checkHeaders({ 'x-a': 'ok\r\nx-evil: 1' })).toThrow(/CR, LF or NUL/);
    expect(() => checkHeaders({ 'x-a': 'a\nb' })).toThrow(ArgumentError);
    expect(() => checkHeaders({ 'x-a': 'a\0b' })).toThrow(ArgumentError);
    expect(() => checkHeaders({ 'bad name': 'v' })).toThrow(/not a valid header name/);
    expect(() => checkHeaders({ 'x-a': {} as never })).toThrow(/must be a string/);
    expect(checkHeaders({ 'X-Request-ID': 'abc', 'x-n': 1 as never })).toEqual({ 'x-request-id': 'abc', 'x-n': '1' });
  });
});

describe('checkHeaders refuses what undici would refuse after signing', () => {
  // undici 7 lib/core/util.js isValidHeaderValue: /[^\t\x20-\x7e\x80-\xff]/ is invalid, i.e. any
  // control character but TAB, DEL, and anything above U+00FF; lib/core/request.js processHeader
  // throws for transfer-encoding, keep-alive, upgrade, expect (NotSupportedError), a connection
  // header that is not a token list and a content-length that is not digits
  it.each([
    ['Chinese text', '商户'],
    ['an emoji', '💳'],
    ['U+0100 (just above Latin-1)', 'Ā'],
    ['ESC', 'a\x1b[31mb'],
    ['BEL', 'a\x07'],
    ['DEL', 'a\x7f'],
    ['vertical tab', 'a\x0bb'],
  ])('a value holding %s', (_kind, value) => {
    expect(() => checkHeaders({ 'x-note': value })).toThrow(ArgumentError);
    expect(() => checkHeaders({ 'x-note': value })).toThrow(/headers: the value of "x-note" .*(control character|non-Latin-1)/);
  });

  it('accepts what undici sends: printable ASCII, TAB and Latin-1 (as bytes)', () => {
    expect(checkHeaders({ 'x-note': 'a\tb ~ café ÿ' })).toEqual({ 'x-note': 'a\tb ~ café ÿ' });
  });

  it.each(['Transfer-Encoding', 'keep-alive', 'upgrade', 'expect'])('the %s header, which undici never sends', (name) => {
    expect(() => checkHeaders({ [name]: 'x' })).toThrow(new RegExp(`headers: "${name}" cannot be set`));
  });

  it('a connection header that is not a token list, a content-length that is not digits', () => {
    expect(checkHeaders({ connection: 'close' })).toEqual({ connection: 'close' });
    expect(() => checkHeaders({ connection: 'close, a b' })).toThrow(/connection/);
    expect(checkHeaders({ 'content-length': 12 as never })).toEqual({ 'content-length': '12' });
    expect(() => checkHeaders({ 'Content-Length': '1.5' })).toThrow(/content-length/);
  });
});

describe('encodeQuery', () => {
  it('repeats keys for arrays and skips null', () => {
    expect(encodeQuery({ a: [1, 2], b: null, c: true })).toBe('a=1&a=2&c=true');
    expect(encodeQuery({})).toBe('');
  });
});
