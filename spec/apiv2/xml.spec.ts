import { describe, expect, it } from 'vitest';
import { ArgumentError, DecodeError } from '../../lib/errors.js';
import { looksLikeXml, parseXml, toXml } from '../../lib/apiv2/xml.js';

describe('toXml', () => {
  it('writes plain text as is and wraps text with markup characters in CDATA', () => {
    expect(toXml({ appid: 'wx1', total_fee: 1, body: 'A&B <c>', skipped: undefined, none: null })).toBe(
      '<xml><appid>wx1</appid><total_fee>1</total_fee><body><![CDATA[A&B <c>]]></body></xml>',
    );
  });

  it('splits "]]>" across CDATA sections so it cannot close the section early', () => {
    const xml = toXml({ attach: 'x]]><injected>1</injected>' });
    expect(xml).toBe('<xml><attach><![CDATA[x]]]]><![CDATA[><injected>1</injected>]]></attach></xml>');
    expect(parseXml(xml)).toEqual({ attach: 'x]]><injected>1</injected>' });
  });

  it('round-trips tricky text exactly', () => {
    const fields = { a: ' lead and trail ', b: '中文 & "quotes" \'apos\'', c: '0001', d: 'line\nbreak\ttab', e: '' };
    expect(parseXml(toXml(fields))).toEqual(fields);
  });

  it('keeps carriage returns through a parser by escaping them instead of using CDATA', () => {
    const xml = toXml({ remark: 'a\r\nb <c> & d' });
    expect(xml).toBe('<xml><remark>a&#13;\nb &lt;c&gt; &amp; d</remark></xml>');
    expect(parseXml(xml)).toEqual({ remark: 'a\r\nb <c> & d' });
  });

  it('refuses bad names, nested objects, booleans and control characters', () => {
    expect(() => toXml({ 'a b': '1' })).toThrow(ArgumentError);
    expect(() => toXml({ '<x>': '1' })).toThrow(ArgumentError);
    expect(() => toXml({ detail: { a: 1 } })).toThrow(/JSON.stringify/);
    expect(() => toXml({ flag: true })).toThrow(ArgumentError);
    expect(() => toXml({ n: Number.NaN })).toThrow(ArgumentError);
    expect(() => toXml({ bell: 'a\u0007b' })).toThrow(/control character/);
    expect(() => toXml({ lone: 'a\uD800b' })).toThrow(ArgumentError);
  });
});

describe('parseXml', () => {
  it('reads CDATA, entities and character references, keeping text exactly', () => {
    expect(parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <a><![CDATA[ x &amp; y ]]></a>\n  <b> 1 &lt; 2 &#x4e2d;&#25991; </b><c></c><d/></xml>\n')).toEqual({
      a: ' x &amp; y ',
      b: ' 1 < 2 中文 ',
      c: '',
      d: '',
    });
  });

  it('accepts a BOM and reads Buffers', () => {
    expect(parseXml(Buffer.from('\uFEFF<xml><a>1</a></xml>'))).toEqual({ a: '1' });
  });

  it('keeps nested elements as objects and repeated ones as arrays', () => {
    expect(parseXml('<xml><n><m>1</m></n><r>1</r><r>2</r></xml>')).toEqual({ n: { m: '1' }, r: ['1', '2'] });
  });

  it.each([
    ['classic XXE', '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>'],
    ['external DTD', '<!DOCTYPE xml SYSTEM "http://127.0.0.1:1/evil.dtd"><xml><a>1</a></xml>'],
    ['parameter entity', '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x"> %p;]><xml/>'],
    ['billion laughs', `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><xml><a>&lol9;</a></xml>`],
    ['lower-case doctype', '<!doctype xml><xml/>'],
  ])('refuses %s', (_name, xml) => {
    expect(() => parseXml(xml)).toThrow(DecodeError);
    expect(() => parseXml(xml)).toThrow(/DTD or entity/);
  });

  it('refuses undeclared entities, bare ampersands and bad character references', () => {
    expect(() => parseXml('<xml><a>&xxe;</a></xml>')).toThrow(DecodeError);
    expect(() => parseXml('<xml><a>a & b</a></xml>')).toThrow(DecodeError);
    expect(() => parseXml('<xml><a>&#0;</a></xml>')).toThrow(DecodeError);
  });

  it('refuses too large and too deep documents', () => {
    expect(() => parseXml(`<xml><a>${'x'.repeat(2048)}</a></xml>`, { maxBytes: 1024 })).toThrow(/exceeds the 1024-byte limit/);
    expect(() => parseXml(`<xml>${'<a>'.repeat(40)}x${'</a>'.repeat(40)}</xml>`)).toThrow(DecodeError);
    expect(parseXml(`<xml>${'<a>'.repeat(3)}x${'</a>'.repeat(3)}</xml>`)).toEqual({ a: { a: { a: 'x' } } });
  });

  it('refuses malformed XML, several roots and prototype-polluting names', () => {
    expect(() => parseXml('<xml><a>1</xml>')).toThrow(DecodeError);
    expect(() => parseXml('<xml/><xml/>')).toThrow(DecodeError);
    expect(() => parseXml('not xml at all')).toThrow(DecodeError);
    expect(() => parseXml('<xml><__proto__><polluted>1</polluted></__proto__></xml>')).toThrow(DecodeError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('looksLikeXml', () => {
  it('tells XML from bill files and gzip', () => {
    expect(looksLikeXml('<xml><return_code>FAIL</return_code></xml>')).toBe(true);
    expect(looksLikeXml('  <?xml version="1.0"?><xml/>')).toBe(true);
    expect(looksLikeXml('交易时间,公众账号ID\n')).toBe(false);
    expect(looksLikeXml(Buffer.from([0x1f, 0x8b, 0x08, 0x00]))).toBe(false);
  });
});
