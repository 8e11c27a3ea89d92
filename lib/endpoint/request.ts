/**
 * Pure request building: template + options → method, path?query, headers and the exact body
 * bytes. No I/O, no signing; the pipeline takes it from here.
 * @module
 */
import { ArgumentError } from '../errors.js';
import type { QueryValue, RawBody, RequestOptions } from './options.js';
import { expandTemplate } from './template.js';
import { MediaUtil } from '../media/media-util.js';

/** Upper-case HTTP methods the chain sends. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

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

/**
 * Validates and lower-cases user headers; refuses CR, LF and NUL (header injection).
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
    if (!HEADER_NAME.test(name)) throw new ArgumentError(`headers: "${name.replace(/[^\x20-\x7e]/g, '?')}" is not a valid header name`, 'headers');
    const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    if (text === undefined) throw new ArgumentError(`headers: value of "${name}" must be a string`, 'headers');
    if (HEADER_VALUE_FORBIDDEN.test(text)) throw new ArgumentError(`headers: value of "${name}" contains CR, LF or NUL`, 'headers');
    into[name.toLowerCase()] = text;
  }
  return into;
}

function encodeQueryValue(value: string | number | boolean): string {
  return encodeURIComponent(String(value));
}

/**
 * Encodes a query object once (`a=1&b=x%20y`, arrays as repeated keys, null/undefined skipped).
 * @example
 * ```ts
 * encodeQuery({ limit: 10, offset: 0, sub_mchid: '1900000109' }); // 'limit=10&offset=0&sub_mchid=1900000109'
 * ```
 */
export function encodeQuery(query: Readonly<Record<string, QueryValue>>): string {
  if (query === null || typeof query !== 'object' || Array.isArray(query)) throw new ArgumentError('query: expected a plain object', 'query');
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const name = encodeURIComponent(key);
    if (Array.isArray(value)) {
      for (const item of value as ReadonlyArray<string | number | boolean>) parts.push(`${name}=${encodeQueryValue(item)}`);
    } else if (typeof value === 'object') {
      throw new ArgumentError(`query: "${key}" must be a scalar or an array of scalars`, 'query');
    } else {
      parts.push(`${name}=${encodeQueryValue(value as string | number | boolean)}`);
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
  const expanded = expandTemplate(template, options);
  let path = `/${expanded}`;
  if (options.query !== undefined) {
    const search = encodeQuery(options.query);
    if (search) path += (path.includes('?') ? '&' : '?') + search;
  }

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
