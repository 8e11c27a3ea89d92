import { describe, expect, it } from 'vitest';
import { ArgumentError, DecodeError } from '../../lib/errors.js';
import { parseXml, toXml } from '../../lib/apiv2/xml.js';
import { anyString, fc } from '../support/property.js';

/** parseXml must return a record or throw a DecodeError — nothing else. */
function parsed(input: string | Uint8Array): unknown {
  try {
    return parseXml(input);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).message.length).toBeGreaterThan(0);
    return error;
  }
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

describe('APIv2 XML with hostile input', () => {
  it('any string or bytes: a record or a DecodeError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyString(200),
          fc.uint8Array({ maxLength: 200 }),
          fc.array(fc.constantFrom('<xml>', '</xml>', '<a>', '</a>', '<![CDATA[', ']]>', '&amp;', '&#0;', '&#x110000;', '&foo;', '<!DOCTYPE x>', '<!ENTITY', '<?xml version="1.0"?>', 'text', '<a b="1">', '<', '&'), { maxLength: 12 }).map((parts) => parts.join('')),
        ),
        (input) => {
          parsed(input);
        },
      ),
    );
  });

  it('toXml then parseXml gives every field back exactly, or toXml refuses the input', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.stringMatching(FIELD), anyString(8), fc.constantFrom('constructor', 'toString', 'valueOf', '__proto__')), fc.oneof(anyString(60), fc.integer())), (data) => {
        let xml: string;
        try {
          xml = toXml(data);
        } catch (error) {
          expect(error).toBeInstanceOf(ArgumentError);
          return;
        }
        const back = parseXml(xml);
        for (const [key, value] of Object.entries(data)) expect(back[key]).toBe(String(value));
      }),
    );
  });

  it('toXml refuses field names the parser would refuse or rename', () => {
    for (const name of ['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty']) {
      expect(() => toXml(JSON.parse(`{"${name}":"1"}`) as Record<string, unknown>)).toThrow(/reserved name/);
    }
  });

  it('XXE (external entity) → DecodeError, nothing read', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>';
    expect(() => parseXml(xxe)).toThrow(/DTD or entity declaration is refused/);
  });

  it('billion laughs → DecodeError before any expansion', () => {
    let entities = '<!ENTITY lol0 "lol">';
    for (let i = 1; i < 10; i++) entities += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    expect(() => parseXml(`<!DOCTYPE xml [${entities}]><xml><a>&lol9;</a></xml>`)).toThrow(DecodeError);
  });

  it('deep nesting → DecodeError, no stack overflow', () => {
    const depth = 20_000;
    expect(() => parseXml(`<xml>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</xml>`)).toThrow(DecodeError);
  });

  it('huge attributes or bodies → DecodeError naming the limit', () => {
    expect(() => parseXml(`<xml a="${'x'.repeat(2 * 1024 * 1024)}"><b>1</b></xml>`)).toThrow(/exceeds the \d+-byte limit/);
    const many = Array.from({ length: 5000 }, (_, i) => `a${i}="${'y'.repeat(100)}"`).join(' ');
    const result = parsed(`<xml ${many}><b>1</b></xml>`);
    if (!(result instanceof DecodeError)) expect(result).toEqual({ b: '1' });
  });

  it('undeclared entities and bare ampersands → DecodeError', () => {
    expect(() => parseXml('<xml><a>&nbsp;</a></xml>')).toThrow(DecodeError);
    expect(() => parseXml('<xml><a>a & b</a></xml>')).toThrow(DecodeError);
  });
});
