import { describe, expect, it } from 'vitest';
import { printable, printableJson } from '../lib/printable.js';

// what a terminal or a line-based log would act on: C0, DEL, C1, line/paragraph separators, bidi controls
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('printable: server text made safe for a message, a log line or a terminal', () => {
  it('escapes ESC sequences, newlines and the other C0 controls visibly', () => {
    expect(printable('\u001b]0;pwned\u0007')).toBe('\\x1b]0;pwned\\x07');
    expect(printable('\u001b[2J\u001b[31mred')).toBe('\\x1b[2J\\x1b[31mred');
    expect(printable('ok\nwechatpay 4242: ← 200 GET /v3/pay forged\r\n')).toBe('ok\\nwechatpay 4242: ← 200 GET /v3/pay forged\\r\\n');
    expect(printable('a\tb\u0000c\u007fd')).toBe('a\\tb\\x00c\\x7fd');
  });

  it('escapes C1 controls (a lone 0x9b is CSI to many terminals), separators and bidi overrides', () => {
    expect(printable('\u009b31m')).toBe('\\x9b31m');
    expect(printable('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
    expect(printable('invoice\u202Egpj.exe')).toBe('invoice\\u202egpj.exe');
    expect(printable('x\u2066y\u2069')).toBe('x\\u2066y\\u2069');
    expect(printable('lone \ud800 surrogate')).toBe('lone \\ud800 surrogate');
  });

  it('leaves ordinary text alone, Chinese and emoji included, and is idempotent', () => {
    for (const text of ['订单不存在', 'PARAM_ERROR: 参数错误 (amount)', '👍 ok', 'C:\\path\\n is a backslash and an n']) expect(printable(text)).toBe(text);
    const once = printable('\u001b]0;x\u0007\n\u009b\u202e');
    expect(printable(once)).toBe(once);
    expect(once).not.toMatch(ACTIVE);
  });

  it('cuts long text (default 512 characters) without splitting a surrogate pair, and takes any value', () => {
    expect(printable('x'.repeat(600))).toBe(`${'x'.repeat(512)}…`);
    expect(printable('x'.repeat(600), 10)).toBe(`${'x'.repeat(10)}…`);
    expect(printable(`${'x'.repeat(9)}👍`, 10)).toBe(`${'x'.repeat(9)}…`);
    expect(printable('x'.repeat(600), Infinity)).toHaveLength(600);
    expect(printable(undefined)).toBe('undefined');
    expect(printable(42)).toBe('42');
  });
});

describe('printableJson: JSON for a terminal', () => {
  it('escapes what JSON.stringify leaves raw, as \\u escapes that parse back to the same value', () => {
    const value = { message: 'a\u001b]0;x\u0007\nb\u009b\u202e\u2028c', code: '订单' };
    const text = printableJson(value);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).toContain('\\u009b');
    expect(text.split('\n')).toHaveLength(4); // the indentation's own newlines stay
  });
});
