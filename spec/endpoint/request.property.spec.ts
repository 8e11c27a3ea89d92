import { describe, expect, it } from 'vitest';
import { joinTemplate, normalizeLiteral, normalizeProperty } from '../../lib/chain/segments.js';
import { buildRequest, checkHeaders, encodeQuery } from '../../lib/endpoint/request.js';
import { expandTemplate } from '../../lib/endpoint/template.js';
import { ArgumentError } from '../../lib/errors.js';
import { anyString, fc } from '../support/property.js';

/** The outcome of building: a typed refusal, or a request. Any other exception fails the property. */
function attempt<T>(build: () => T): T | ArgumentError {
  try {
    return build();
  } catch (error) {
    if (error instanceof ArgumentError) {
      expect(error.message.length).toBeGreaterThan(0);
      return error;
    }
    throw error;
  }
}

/** What must hold of every request path the client would sign and send. */
function expectSafePath(path: string) {
  // URL path characters only: no CR/LF (request splitting), no space, no '#', nothing undici would refuse later
  expect(path).toMatch(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/);
  const pathname = path.split('?')[0] as string;
  for (const segment of pathname.split('/')) {
    expect(['.', '..']).not.toContain(decodeURIComponentSafe(segment));
  }
  // what a server resolves is what was signed
  expect(new URL(path, 'http://127.0.0.1').pathname).toBe(pathname);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

describe('chain segments and literal paths (any string)', () => {
  it('normalization never throws and never produces a leading slash', () => {
    fc.assert(
      fc.property(anyString(), anyString(), (a, b) => {
        const property = normalizeProperty(a);
        const literal = normalizeLiteral(b);
        expect(typeof property).toBe('string');
        expect(literal.startsWith('/')).toBe(false);
        expect(typeof joinTemplate(joinTemplate('v3', property), literal)).toBe('string');
      }),
    );
  });

  it('a template built from any property or literal either is refused or yields a safe path', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), anyString()), { maxLength: 4 }), fc.dictionary(anyString(10), anyString()), (parts, variables) => {
        let template = 'v3';
        for (const [literal, text] of parts) template = joinTemplate(template, literal ? normalizeLiteral(text) : normalizeProperty(text));
        const built = attempt(() => buildRequest('GET', template, variables));
        if (!(built instanceof ArgumentError)) expectSafePath(built.path);
      }),
    );
  });
});

describe('path variables (any value)', () => {
  it('stay inside their own segment or are refused', () => {
    fc.assert(
      fc.property(fc.oneof(anyString(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.object()), anyString(), (refund_id, sub) => {
        const built = attempt(() => buildRequest('POST', 'v3/ecommerce/refunds/{refund_id}/return-advance', { refund_id, json: { sub } }));
        if (built instanceof ArgumentError) {
          expect(built.field).toBe('refund_id');
          return;
        }
        expectSafePath(built.path);
        const segments = new URL(built.path, 'http://127.0.0.1').pathname.split('/');
        expect(segments).toHaveLength(6);
        expect(segments.slice(0, 4)).toEqual(['', 'v3', 'ecommerce', 'refunds']);
        expect(segments[5]).toBe('return-advance');
        expect(decodeURIComponent(segments[4] as string)).toBe(String(refund_id));
      }),
    );
  });

  it('any template and value: refused or encoded', () => {
    fc.assert(
      fc.property(anyString(), anyString(), fc.constantFrom('', '{x}', '{?x}', '{/x}', '{&x}', '{+x}'), (template, value, expression) => {
        const built = attempt(() => buildRequest('GET', `v3/${template}${expression}`, { x: value, [template]: value }));
        if (!(built instanceof ArgumentError)) expectSafePath(built.path);
      }),
    );
  });

  it('an unpaired surrogate in any variable → ArgumentError', () => {
    expect(() => buildRequest('GET', 'v3/x/{id}', { id: 'a\uD800' })).toThrow(/path variable "id" holds an unpaired surrogate/);
    expect(() => buildRequest('GET', 'v3/x{?q}', { q: 'a\uDC00' })).toThrow(ArgumentError);
    expect(expandTemplate('v3/x/{id}', { id: '支付' })).toBe('v3/x/%E6%94%AF%E4%BB%98');
  });
});

describe('query (any keys and values)', () => {
  it('is refused, or encoded once so that a server decodes exactly what was given', () => {
    fc.assert(
      fc.property(fc.dictionary(anyString(12), fc.oneof(anyString(), fc.integer(), fc.boolean(), fc.array(anyString(), { maxLength: 3 }))), (query) => {
        const built = attempt(() => buildRequest('GET', 'v3/x', { query }));
        if (built instanceof ArgumentError) {
          expect(built.field).toBe('query');
          return;
        }
        expectSafePath(built.path);
        const expected = Object.entries(query).flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => [key, String(v)]) : [[key, String(value)]]));
        const search = built.path.includes('?') ? built.path.slice(built.path.indexOf('?')) : '';
        expect([...new URLSearchParams(search)]).toEqual(expected);
      }),
    );
  });

  it('encodeQuery refuses unpaired surrogates with a typed error naming the key', () => {
    expect(() => encodeQuery({ note: 'a\uD800b' })).toThrow(/query: "note"/);
  });
});

describe('headers (any names and values)', () => {
  it('are refused or free of CR, LF and NUL', () => {
    fc.assert(
      fc.property(fc.dictionary(anyString(12), anyString()), (headers) => {
        const checked = attempt(() => checkHeaders(headers));
        if (checked instanceof ArgumentError) {
          expect(checked.field).toBe('headers');
          return;
        }
        for (const [name, value] of Object.entries(checked)) {
          expect(name).toMatch(/^[!#$%&'*+\-.^_`|~0-9a-z]+$/);
          expect(value).not.toMatch(/[\r\n\0]/);
        }
      }),
    );
  });

  it('a CR/LF smuggled through a variable, a query or a header never reaches a header line', () => {
    const evil = 'x\r\nAuthorization: forged';
    expect(buildRequest('GET', 'v3/x/{id}', { id: evil }).path).toBe('/v3/x/x%0D%0AAuthorization%3A%20forged');
    expect(buildRequest('GET', 'v3/x', { query: { q: evil } }).path).toBe('/v3/x?q=x%0D%0AAuthorization%3A%20forged');
    expect(() => buildRequest('GET', 'v3/x', { headers: { 'x-trace': evil } })).toThrow(ArgumentError);
    expect(() => buildRequest('GET', `v3/x${evil}`)).toThrow(ArgumentError);
  });
});
