/**
 * APIv2 XML, both ways — wechatpay-php's `Transformer::toXml` / `Transformer::toArray`.
 *
 * Building: a flat `<xml>` of scalar fields; text holding `<`, `>`, `&`, `'` or `"` goes in a
 * CDATA section (a `]]>` inside is split across two sections), text holding a carriage return is
 * escaped with character references instead (parsers would turn a raw CR into LF), names are
 * checked, characters XML 1.0 cannot carry are refused.
 *
 * Parsing is for answers from the network, so it assumes hostility: no DTD at all (`<!DOCTYPE`
 * and `<!ENTITY` are refused before parsing, which rules out XXE, external loading and
 * billion-laughs expansion), no entity processing beyond the five predefined ones and character
 * references, a size cap and a nesting cap. fast-xml-parser does the tokenizing.
 * @module
 */
import type { XMLParser } from 'fast-xml-parser';
import { fastXmlParser } from '../lazy.js';
import { ArgumentError, DecodeError } from '../errors.js';
import { isObject, nameForMessage } from '../validate.js';
import { printable } from '../printable.js';

/**
 * A scalar an APIv2 field may hold. `null`/`undefined` fields are left out.
 * @example
 * ```ts
 * const total_fee: XmlScalar = 888;
 * ```
 */
export type XmlScalar = string | number | bigint;

/**
 * What {@link parseXml} returns: text leaves; nested elements become objects, repeated ones arrays.
 * @example
 * ```ts
 * const reply: XmlRecord = parseXml(body);
 * if (reply.result_code === 'SUCCESS') console.log(reply.transaction_id);
 * ```
 */
export interface XmlRecord {
  [field: string]: string | XmlRecord | Array<string | XmlRecord>;
}

/**
 * Largest XML document {@link parseXml} accepts by default, in bytes (APIv2 answers are a few KiB).
 * @example
 * ```ts
 * parseXml(body, { maxBytes: MAX_XML_BYTES / 4 });
 * ```
 */
export const MAX_XML_BYTES = 1024 * 1024;
/**
 * Deepest element nesting {@link parseXml} accepts by default (APIv2 answers are 2 deep).
 * @example
 * ```ts
 * parseXml(body, { maxDepth: MAX_XML_DEPTH });
 * ```
 */
export const MAX_XML_DEPTH = 16;

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// XML 1.0 Char production minus what is representable (tab, LF, CR, U+0020…); lone surrogates too.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NEEDS_CDATA = /[<>&'"]/;
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

function cdata(text: string): string {
  return `<![CDATA[${text.split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

// XML parsers turn CR and CRLF into LF before anything else, CDATA included; only a character
// reference survives, so text holding a CR is escaped instead of wrapped (else the sign breaks).
function escaped(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/**
 * Serializes a flat object to `<xml>…</xml>`, fields in the given order.
 * @param data field → string / number / bigint (`null`/`undefined` skipped)
 * @param root the root element name, `xml` by default
 * @throws {ArgumentError} for a bad field name, a nested object, a boolean, or characters XML cannot carry
 * @example
 * ```ts
 * toXml({ appid: 'wxd678efh567hg6787', body: 'A&B <c>', total_fee: 1 });
 * // '<xml><appid>wxd678efh567hg6787</appid><body><![CDATA[A&B <c>]]></body><total_fee>1</total_fee></xml>'
 * ```
 */
export function toXml(data: Readonly<Record<string, unknown>>, root = 'xml'): string {
  if (!isObject(data)) throw new ArgumentError('xml: expected a flat object of fields', 'xml');
  if (!NAME.test(root)) throw new ArgumentError(`xml: "${root}" is not a valid element name`, 'xml');
  let out = `<${root}>`;
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined || value === null) continue;
    if (!NAME.test(key)) {
      const name = nameForMessage(key);
      throw new ArgumentError(`xml: ${name} is not a valid field name`, name.startsWith('"') ? `xml.${key}` : 'xml');
    }
    // parseXml (fast-xml-parser) refuses or renames these: a field it cannot read back is not sent
    if (RESERVED_NAMES.has(key)) throw new ArgumentError(`xml: "${key}" is a reserved name (prototype-pollution guard) and cannot be a field`, `xml.${key}`);
    let text: string;
    if (typeof value === 'string') text = value;
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') text = String(value);
    else {
      throw new ArgumentError(
        `xml.${key}: must be a string or a number${typeof value === 'object' ? ' (serialize JSON fields such as detail or scene_info with JSON.stringify)' : ''}`,
        `xml.${key}`,
      );
    }
    if (FORBIDDEN_CHARS.test(text)) throw new ArgumentError(`xml.${key}: holds a control character or lone surrogate XML cannot carry`, `xml.${key}`);
    out += `<${key}>${text.includes('\r') ? escaped(text) : NEEDS_CDATA.test(text) ? cdata(text) : text}</${key}>`;
  }
  return `${out}</${root}>`;
}

/**
 * Options of {@link parseXml}.
 * @example
 * ```ts
 * const options: ParseXmlOptions = { maxBytes: 64 * 1024, maxDepth: 4 };
 * ```
 */
export interface ParseXmlOptions {
  /** Largest document in bytes (default {@link MAX_XML_BYTES}). */
  maxBytes?: number;
  /** Deepest nesting (default {@link MAX_XML_DEPTH}). */
  maxDepth?: number;
}

type OrderedNode = Record<string, OrderedNode[] | string>;

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]*);/g;

function decodeText(text: string): string {
  if (!text.includes('&')) return text;
  if (text.replace(REFERENCE, '').includes('&')) throw new Error('bare "&" in text');
  return text.replace(REFERENCE, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (code > 0x10ffff || FORBIDDEN_CHARS.test(String.fromCodePoint(code))) throw new Error(`invalid character reference ${whole}`);
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED[ref];
    if (value === undefined) throw new Error(`undeclared entity &${ref};`);
    return value;
  });
}

function textOf(nodes: OrderedNode[]): string {
  let out = '';
  for (const node of nodes) {
    if (typeof node['#text'] === 'string') out += decodeText(node['#text']);
    else if (Array.isArray(node['#cdata'])) for (const inner of node['#cdata']) out += typeof inner['#text'] === 'string' ? inner['#text'] : '';
  }
  return out;
}

function elementName(node: OrderedNode): string | undefined {
  for (const key of Object.keys(node)) if (key !== '#text' && key !== '#cdata' && key !== ':@') return key;
  return undefined;
}

function recordOf(nodes: OrderedNode[]): XmlRecord | string {
  const fields = new Map<string, string | XmlRecord | Array<string | XmlRecord>>();
  let hasElement = false;
  for (const node of nodes) {
    const name = elementName(node);
    if (name === undefined) continue;
    hasElement = true;
    const children = node[name] as OrderedNode[];
    const value = children.some((child) => elementName(child) !== undefined) ? recordOf(children) : textOf(children);
    const prior = fields.get(name);
    if (prior === undefined) fields.set(name, value);
    else if (Array.isArray(prior)) prior.push(value);
    else fields.set(name, [prior, value]);
  }
  if (!hasElement) return textOf(nodes);
  return Object.fromEntries(fields) as XmlRecord;
}

const parsers = new Map<number, XMLParser>();
// one parser per depth limit: building one costs about as much as a parse
const parser = (maxDepth: number): XMLParser => {
  let found = parsers.get(maxDepth);
  if (found === undefined) {
    found = createParser(maxDepth);
    if (parsers.size < 16) parsers.set(maxDepth, found);
  }
  return found;
};

const createParser = (maxDepth: number) =>
  new (fastXmlParser().XMLParser)({
    preserveOrder: true,
    ignoreAttributes: true,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    cdataPropName: '#cdata',
    commentPropName: false,
    maxNestedTags: maxDepth,
  });

/**
 * Parses an APIv2 answer or notification into `{ field: text }` (the children of the root
 * element; the root's name is not checked). Text is returned exactly (no trimming, no number
 * parsing: `"0001"` stays `"0001"`).
 * @throws {DecodeError} for a DTD or entity declaration, undeclared entities, too large or too
 *   deep a document, or anything that is not well-formed XML with one root element
 * @example
 * ```ts
 * parseXml('<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>1</total_fee></xml>');
 * // { return_code: 'SUCCESS', total_fee: '1' }
 * ```
 */
export function parseXml(input: string | Uint8Array, options: ParseXmlOptions = {}): XmlRecord {
  const maxBytes = options.maxBytes ?? MAX_XML_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > maxBytes) throw new DecodeError(`XML of ${size} bytes exceeds the ${maxBytes}-byte limit`);
  let text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Refused outright, whatever the parser would make of them: no DTD means no XXE and no entity bombs.
  if (/<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i.test(text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, ''))) {
    throw new DecodeError('XML with a DTD or entity declaration is refused (XXE / entity expansion)');
  }
  const valid = fastXmlParser().XMLValidator.validate(text, { allowBooleanAttributes: true });
  // the parser's messages quote the document: server text
  if (valid !== true) throw new DecodeError(`not well-formed XML: ${printable(valid.err.msg)} (line ${valid.err.line})`);
  let tree: OrderedNode[];
  try {
    tree = parser(options.maxDepth ?? MAX_XML_DEPTH).parse(text) as OrderedNode[];
  } catch (cause) {
    throw new DecodeError(`XML refused: ${printable(cause instanceof Error ? cause.message : cause)}`, { cause });
  }
  const roots = tree.filter((node) => elementName(node) !== undefined);
  const stray = tree.some((node) => typeof node['#text'] === 'string' && node['#text'].trim() !== '');
  if (roots.length !== 1 || stray) throw new DecodeError(`XML must have exactly one root element (found ${roots.length})`);
  const root = roots[0] as OrderedNode;
  try {
    const value = recordOf(root[elementName(root) as string] as OrderedNode[]);
    return typeof value === 'string' ? {} : value;
  } catch (cause) {
    throw new DecodeError(`XML refused: ${printable(cause instanceof Error ? cause.message : cause)}`, { cause });
  }
}

/**
 * Whether bytes look like an XML document (after optional BOM and whitespace), e.g. to tell a
 * `FAIL` answer from a bill file.
 * @example
 * ```ts
 * looksLikeXml(Buffer.from('<xml><return_code>FAIL</return_code></xml>')); // true
 * ```
 */
export function looksLikeXml(bytes: Uint8Array | string): boolean {
  const head = typeof bytes === 'string' ? bytes.slice(0, 64) : Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 64)).toString('utf8');
  return /^\uFEFF?\s*<(?:\?xml|xml[\s>])/.test(head);
}
