/**
 * Text that came from a server, made safe to put into an error message, a log line or a terminal:
 * the ONE function every such place uses. A server (or anything on the path) chooses that text;
 * raw, an ESC sequence retitles or clears the terminal that prints it and a newline forges a log
 * line. Controls are escaped visibly instead: C0 and DEL as `\n`, `\r`, `\t` or `\xNN`, C1 (0x80–0x9f;
 * 0x9b is CSI to many terminals) as `\xNN`, line/paragraph separators, bidi controls (which
 * reorder what a reader sees) and lone surrogates as `\uNNNN`. Backslashes are left alone, so
 * applying it twice changes nothing.
 * @module
 */

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// what JSON.stringify leaves raw (it escapes C0 and lone surrogates itself; its own newlines are layout)
const ACTIVE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Longest server text a message carries by default (characters); the whole text stays in the error's fields.
 * @example
 * ```ts
 * printable(longText, MAX_PRINTED * 2);
 * ```
 */
export const MAX_PRINTED = 512;

function hex(char: string, width: 2 | 4): string {
  return char.charCodeAt(0).toString(16).padStart(width, '0');
}

/**
 * `text` (any value, through `String`) with its control characters escaped visibly, cut to
 * `maxLength` characters (then ending in `…`).
 * @example
 * ```ts
 * import { printable } from 'wechatpay-chain';
 * logger.warn(`unverified answer: ${printable(error.unverifiedMessage)}`);
 * printable('\u001b]0;pwned\u0007\nforged line'); // '\\x1b]0;pwned\\x07\\nforged line'
 * printable('订单不存在');                          // '订单不存在'
 * ```
 */
export function printable(text: unknown, maxLength: number = MAX_PRINTED): string {
  let value = String(text);
  if (value.length > maxLength) {
    let end = maxLength;
    // do not split a surrogate pair
    if (end > 0 && /[\ud800-\udbff]/.test(value.charAt(end - 1))) end -= 1;
    value = `${value.slice(0, end)}…`;
  }
  return value.replace(ACTIVE, (char) => NAMED[char] ?? (char.charCodeAt(0) <= 0xff ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`));
}

/**
 * `JSON.stringify(value, null, space)` with the characters JSON leaves raw (DEL, C1, separators,
 * bidi controls) written as `\uNNNN` escapes: the same JSON value, safe for a terminal.
 * @example
 * ```ts
 * printableJson({ message: 'a\u009bb' }, 0); // '{"message":"a\\u009bb"}'
 * ```
 */
export function printableJson(value: unknown, space = 2): string {
  return (JSON.stringify(value, null, space) ?? 'undefined').replace(ACTIVE_IN_JSON, (char) => `\\u${hex(char, 4)}`);
}
