/**
 * Pure request building: template + options → method, path?query, headers and the exact body
 * bytes. No I/O, no signing; the pipeline takes it from here.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { describeValue, isObject, nameForMessage } from '../validate.js';
import type { HttpMethod, QueryValue, RawBody, RequestOptions } from './options.js';
import { expandTemplate, shownTemplate } from './template.js';
import { MediaUtil } from '../media/media-util.js';

/**
 * A request ready for the pipeline. `body` is what is sent; `signBody` is what the APIv3
 * signature covers (the same bytes for JSON, the `meta` JSON for uploads, `''` for none).
 */
export interface PreparedRequest {
  method: HttpMethod;
  /** The expanded template, without the leading slash, e.g. `v3/refund/domestic/refunds`. */
  template: string;
  /** Path and query as sent and signed, e.g. `/v3/x?limit=10`. */
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: RawBody | undefined;
  signBody: string;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/;
// undici 7 sends only TAB, 0x20-0x7E and 0x80-0xFF in a value (lib/core/util.js isValidHeaderValue);
// anything else it refuses after signing, as a NetworkError that retries would repeat
const HEADER_VALUE_UNSENDABLE = /[^\t\x20-\x7e\x80-\xff]/;
// undici refuses these names whatever their value (lib/core/request.js processHeader)
const NEVER_SENT = new Set(['transfer-encoding', 'keep-alive', 'upgrade', 'expect']);

function unsendable(name: string, text: string): string | undefined {
  if (HEADER_VALUE_UNSENDABLE.test(text)) {
    if (HEADER_VALUE_FORBIDDEN.test(text)) return 'contains CR, LF or NUL';
    return /[^\0-\xff]/.test(text)
      ? 'contains non-Latin-1 text (such as Chinese), which a header cannot carry: percent-encode or base64 it'
      : 'contains a control character (only TAB, printable ASCII and Latin-1 can be sent)';
  }
  if (name === 'content-length' && !/^\d+$/.test(text)) return 'must be digits (content-length)';
  if (name === 'connection' && !text.split(',').every((token) => HEADER_NAME.test(token.trim()))) return 'must be a comma-separated list of tokens (connection)';
  return undefined;
}

/**
 * Validates and lower-cases user headers: refuses what undici would refuse once the request is
 * signed — CR, LF and NUL (header injection), other control characters and non-Latin-1 text in
 * a value, the `Transfer-Encoding`, `Keep-Alive`, `Upgrade` and `Expect` headers, a malformed
 * `Connection` or `Content-Length`.
 * @throws {ArgumentError}
 * @example
 * ```ts
 * checkHeaders({ 'X-Trace': 'a' }); // { 'x-trace': 'a' }
 * ```
 */
export function checkHeaders(headers: Readonly<Record<string, unknown>> | undefined, into: Record<string, string> = {}): Record<string, string> {
  if (headers === undefined) return into;
  if (headers === null || typeof headers !== 'object') throw new ArgumentError('headers: expected an object of strings', 'headers');
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    // names and values are described, never echoed: a pasted secret must not reach the message
    if (!HEADER_NAME.test(name)) throw new ArgumentError(`headers: ${nameForMessage(name)} is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~ only)`, 'headers');
    const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    if (text === undefined) throw new ArgumentError(`headers: the value of ${nameForMessage(name)} must be a string, got ${describeValue(value)}`, 'headers');
    const lower = name.toLowerCase();
    if (NEVER_SENT.has(lower)) throw new ArgumentError(`headers: "${name}" cannot be set (the HTTP client manages it, and undici refuses it)`, 'headers');
    const problem = unsendable(lower, text);
    if (problem !== undefined) throw new ArgumentError(`headers: the value of ${nameForMessage(name)} ${problem}`, 'headers');
    into[lower] = text;
  }
  return into;
}

function encodeQueryValue(value: string | number | boolean, key: string): string {
  try {
    return encodeURIComponent(String(value));
  } catch (cause) {
    // URIError: an unpaired UTF-16 surrogate has no UTF-8 form
    throw new ArgumentError(`query: ${nameForMessage(key)} holds an unpaired surrogate (not valid Unicode text)`, 'query', { cause });
  }
}

// RFC 3986 pchar, "/" and "?": the characters a server reads the same way they are signed
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;
const BARE_PERCENT = /%(?![0-9A-Fa-f]{2})/;
const DOT_ESCAPE = /%2e/i;

/**
 * Refuses a path the server would read differently from what is signed: anything but URL path
 * characters (CR/LF would split the request; spaces and non-ASCII are not URL characters; `#` would
 * cut the URL short of what was signed; a left-over `{`/`}` is a broken template) and `.` or
 * `..` segments, also percent-encoded (a server or proxy would resolve them away).
 */
function checkPath(path: string, template: string): void {
  const shown = shownTemplate(template);
  if (!PATH_CHARS.test(path) || BARE_PERCENT.test(path)) {
    throw new ArgumentError(
      `template ${shown}: a literal path may hold only URL path characters (letters, digits, -._~!$&'()*+,;=:@/ and %XX; no space, control, non-ASCII, "#", "{", "}", "<", ">" or bare "%"); pass such text as a path variable, which is percent-encoded`,
      'template',
    );
  }
  if (!path.includes('.') && !DOT_ESCAPE.test(path)) return;
  const q = path.indexOf('?');
  for (const segment of (q === -1 ? path : path.slice(0, q)).split('/')) {
    if (/^(?:\.|%2e){1,2}$/i.test(segment)) throw new ArgumentError(`template ${shown}: "." and ".." segments are not allowed`, 'template');
  }
}

/**
 * Encodes a query object once (`a=1&b=x%20y`, arrays as repeated keys, null/undefined skipped).
 * @example
 * ```ts
 * encodeQuery({ limit: 10, offset: 0, sub_mchid: '1900000109' }); // 'limit=10&offset=0&sub_mchid=1900000109'
 * ```
 */
export function encodeQuery(query: Readonly<Record<string, QueryValue>>): string {
  if (!isObject(query)) throw new ArgumentError('query: expected a plain object', 'query');
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const name = encodeQueryValue(key, key);
    if (Array.isArray(value)) {
      for (const item of value as ReadonlyArray<string | number | boolean>) parts.push(`${name}=${encodeQueryValue(item, key)}`);
    } else if (typeof value === 'object') {
      throw new ArgumentError(`query: ${nameForMessage(key)} must be a scalar or an array of scalars, got ${describeValue(value)}`, 'query');
    } else {
      parts.push(`${name}=${encodeQueryValue(value as string | number | boolean, key)}`);
    }
  }
  return parts.join('&');
}

/**
 * Builds an APIv3 request from a template and the options (JSON body, query, headers).
 * @throws {ArgumentError} for a missing path variable, a bad header or an unserializable body
 * @example
 * ```ts
 * buildRequest('POST', 'v3/ecommerce/refunds/{refund_id}/return-advance', { refund_id: '5000', json: { sub_mchid: '1900000109' } });
 * // { method: 'POST', path: '/v3/ecommerce/refunds/5000/return-advance', body: '{"sub_mchid":"1900000109"}', … }
 * ```
 */
export function buildRequest(method: HttpMethod, template: string, options: RequestOptions = {}, defaults?: Readonly<Record<string, string>>): PreparedRequest {
  if (options === null || typeof options !== 'object') throw new ArgumentError('options: expected an object', 'options');
  let expanded: string;
  try {
    expanded = expandTemplate(template, options);
  } catch (cause) {
    if (!(cause instanceof URIError)) throw cause;
    // an optional variable ({?q}) with an unpaired surrogate cannot be percent-encoded
    throw new ArgumentError(`template ${shownTemplate(template)}: a variable cannot be percent-encoded (an unpaired surrogate)`, 'template', { cause });
  }
  let path = `/${expanded}`;
  if (options.query !== undefined) {
    const search = encodeQuery(options.query);
    if (search) path += (path.includes('?') ? '&' : '?') + search;
  }
  checkPath(path, template);

  const headers: Record<string, string> = defaults ? { ...defaults } : {};
  let body: RawBody | undefined;
  let signBody = '';
  if (options.json !== undefined) {
    if (options.body !== undefined) throw new ArgumentError('json and body cannot be given together', 'json');
    if (options.media !== undefined) throw new ArgumentError('json and media cannot be given together', 'json');
    try {
      signBody = JSON.stringify(options.json);
    } catch (cause) {
      throw new ArgumentError('json: the payload cannot be serialized to JSON', 'json', { cause });
    }
    if (signBody === undefined) throw new ArgumentError('json: the payload cannot be serialized to JSON', 'json');
    body = signBody;
    headers['content-type'] = 'application/json';
  } else if (options.media !== undefined) {
    // the signature covers the meta JSON: the signing step computes it (see media/prepare.ts)
    if (options.body !== undefined) throw new ArgumentError('media and body cannot be given together', 'media');
    if (!(options.media instanceof MediaUtil)) throw new ArgumentError('media: expected a MediaUtil, e.g. new MediaUtil(\'/path/logo.png\')', 'media');
    const media = options.media.forEndpoint(template);
    body = media.getStream();
    headers['content-type'] = media.getContentType();
  } else if (options.body !== undefined) {
    body = options.body;
    if (typeof body === 'string') signBody = body;
    else if (body instanceof Uint8Array) signBody = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  }
  checkHeaders(options.headers, headers);
  if ('authorization' in headers) throw new ArgumentError('headers: Authorization is computed by the client and cannot be set', 'headers');
  return { method, template: expanded, path, headers, body, signBody };
}
