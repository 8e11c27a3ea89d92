import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../lib/index.js';
import { Formatter } from '../lib/crypto/index.js';

// checked against wechatpay-php's Formatter semantics
describe('Formatter', () => {
  it('nonce: 32 characters of [0-9A-Za-z] by default, any size, and not repeating', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const nonce = Formatter.nonce();
      expect(nonce).toMatch(/^[0-9A-Za-z]{32}$/);
      seen.add(nonce);
    }
    expect(seen.size).toBe(200);
    expect(Formatter.nonce(12)).toMatch(/^[0-9A-Za-z]{12}$/);
  });

  // wechatpay-php src/Formatter.php nonce(int $size): `if ($size < 1) throw new InvalidArgumentException('Size must be a
  // positive integer.')`, its parameter typed `int` under strict_types (so 1.5 or '32' is refused too);
  // tests/FormatterTest.php nonceRulesProvider refuses 0, -1, -16, -32 and accepts 1, 16, 32, 100
  it('nonce refuses a size that is not a positive integer, as wechatpay-php does', () => {
    for (const size of [0, -1, -16, -32, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '32', null, {}] as unknown[]) {
      expect(() => Formatter.nonce(size as number), String(size)).toThrow(ArgumentError);
      expect(() => Formatter.nonce(size as number)).toThrow(/size: must be a positive integer/);
    }
    for (const size of [1, 16, 32, 100]) expect(Formatter.nonce(size)).toMatch(new RegExp(`^[0-9A-Za-z]{${size}}$`));
    expect(Formatter.nonce(undefined)).toHaveLength(32);
  });

  it('nonce draws every character of the alphabet (no modulo-biased gaps)', () => {
    const characters = new Set(Formatter.nonce(20_000));
    expect(characters.size).toBe(62);
  });

  it('timestamp is whole unix seconds', () => {
    const before = Math.floor(Date.now() / 1000);
    const ts = Formatter.timestamp();
    expect(Number.isInteger(ts)).toBe(true);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(before + 1);
  });

  it('request and response messages end every line, body included, with \\n', () => {
    expect(Formatter.request('GET', '/v3/certificates', 1554208460, '593BEC0C930BF1AFEB40B4A08C8FB242')).toBe('GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n');
    expect(Formatter.request('POST', '/v3/x?a=1', '1', 'n', '{"a":1}')).toBe('POST\n/v3/x?a=1\n1\nn\n{"a":1}\n');
    expect(Formatter.response(1554209980, 'c5ac7061fccab6bf3e254dcf98995b8c', '{"data":[]}')).toBe('1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{"data":[]}\n');
    expect(Formatter.joinedByLineFeed()).toBe('');
  });

  it('authorization has the documented layout', () => {
    expect(Formatter.authorization('1900009191', 'NONCE', 'SIG==', 1554208460, '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C')).toBe(
      'WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="NONCE",signature="SIG==",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"',
    );
  });

  it('ksort sorts keys by bytes (upper case before lower case) like PHP ksort SORT_STRING, without changing the input', () => {
    const input = { b: 1, a: 2, B: 3, _: 4, a1: 5 };
    expect(Object.keys(Formatter.ksort(input))).toEqual(['B', '_', 'a', 'a1', 'b']);
    expect(Object.keys(input)).toEqual(['b', 'a', 'B', '_', 'a1']);
  });

  it('queryStringLike skips sign, null, undefined and empty strings but keeps 0, and does not URL-encode', () => {
    expect(Formatter.queryStringLike({ a: 'x y', sign: 'S', b: null, c: undefined, d: '', e: 0, f: '&' })).toBe('a=x y&e=0&f=&');
    // the APIv2 sample signing string
    const md5 = createHash('md5').update(`${Formatter.queryStringLike(Formatter.ksort({ nonce_str: 'ibuaiVcKdpRxkhJA', mch_id: '10000100', device_info: '1000', body: 'test', appid: 'wxd930ea5d5a258f4f' }))}&key=192006250b4c09247ec02edce69f6a2d`);
    expect(md5.digest('hex').toUpperCase()).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });
});
