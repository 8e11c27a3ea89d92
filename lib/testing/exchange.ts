/**
 * The emulator's own request and response shapes. The hot path (the in-process dispatcher, the
 * loopback server, the sandbox's routes) works on these plain objects: building a Fetch `Request`
 * and `Response` for every exchange cost more CPU than the rest of the emulator together (undici's
 * WebIDL conversions, an AbortSignal per request, body streams). Fetch objects are made only where
 * msw handlers need them ({@link toFetchRequest}, {@link fromFetchResponse}).
 * @module
 */

/**
 * One request as the emulator's core takes it.
 * @example
 * ```ts
 * const raw: RawRequest = { method: 'GET', url: 'http://127.0.0.1/v3/certificates', headers: { authorization }, body: Buffer.alloc(0) };
 * ```
 */
export interface RawRequest {
  method: string;
  /** Absolute URL (origin, path and query as sent). */
  url: string;
  /** Header names in lower case; a repeated header's values joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * A response after signing, before it leaves: tests may change it to simulate forgeries.
 * @example
 * ```ts
 * emulator.tamperNext((res: OutgoingResponse) => { res.status = 500; });
 * ```
 */
export interface OutgoingResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

/**
 * Adds one header to a lower-cased record, joining repeats as HTTP does.
 * @example
 * ```ts
 * const headers: Record<string, string> = {};
 * addHeader(headers, 'Accept', 'application/json');
 * ```
 */
export function addHeader(headers: Record<string, string>, name: string, value: string): void {
  const key = name.toLowerCase();
  const prior = headers[key];
  headers[key] = prior === undefined ? value : `${prior}, ${value}`;
}

/**
 * A Fetch `Request` for msw handlers.
 * @example
 * ```ts
 * const response = await getResponse(handlers, toFetchRequest(raw));
 * ```
 */
export function toFetchRequest(raw: RawRequest): Request {
  const bodyless = raw.method === 'GET' || raw.method === 'HEAD' || raw.body.length === 0;
  return new Request(raw.url, { method: raw.method, headers: raw.headers, body: bodyless ? undefined : new Uint8Array(raw.body) });
}

/**
 * A Fetch `Request` read into a {@link RawRequest} (the body is consumed from a clone).
 * @example
 * ```ts
 * const raw = await fromFetchRequest(new Request('http://127.0.0.1/v3/certificates'));
 * ```
 */
export async function fromFetchRequest(request: Request): Promise<RawRequest> {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => (headers[name] = value));
  const body = request.body === null ? Buffer.alloc(0) : Buffer.from(await request.clone().arrayBuffer());
  return { method: request.method, url: request.url, headers, body };
}

/**
 * A Fetch `Response` read into an {@link OutgoingResponse}.
 * @example
 * ```ts
 * const outgoing = await fromFetchResponse(HttpResponse.json({ ok: true }));
 * ```
 */
export async function fromFetchResponse(response: Response): Promise<OutgoingResponse> {
  return { status: response.status, headers: new Headers(response.headers), body: Buffer.from(await response.arrayBuffer()) };
}

/**
 * A JSON answer as an {@link OutgoingResponse}, without going through a Fetch `Response`.
 * @example
 * ```ts
 * jsonResponse(404, { code: 'NOT_FOUND', message: '…' });
 * ```
 */
export function jsonResponse(status: number, value: unknown): OutgoingResponse {
  if (value === undefined) return { status, headers: new Headers(), body: Buffer.alloc(0) };
  return { status, headers: new Headers({ 'content-type': 'application/json' }), body: Buffer.from(JSON.stringify(value)) };
}

/**
 * An {@link OutgoingResponse} as a Fetch `Response` (no body for 204/304 when empty).
 * @example
 * ```ts
 * const response = toFetchResponse(outgoing);
 * ```
 */
export function toFetchResponse(outgoing: OutgoingResponse): Response {
  const empty = outgoing.body.length === 0 && [204, 304].includes(outgoing.status);
  return new Response(empty ? null : new Uint8Array(outgoing.body), { status: outgoing.status, headers: outgoing.headers });
}
