import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Builder, type ClientConfig, DecodeError, HttpError, NetworkError, TimeoutError, VerificationError, type WeChatPayClient } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';
import { httpServer, rawServer, resources, settle, type Loopback } from '../support/loopback.js';
import { failure } from '../support/failure.js';

// One set of keys for the file; every test starts and stops its own loopback server and client.
const emulator = Emulator.create();
const OK = '{"ok":true}';

let server: Loopback | undefined;
let client: WeChatPayClient | undefined;
let baseline: Record<string, number>;

beforeEach(() => {
  baseline = resources();
});

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
  // nothing the client or the server opened may outlive the test
  const after = await settle(baseline);
  for (const [kind, count] of Object.entries(baseline)) expect(after[kind], kind).toBeLessThanOrEqual(count);
});

function signedHeaders(body: string | Buffer, contentType = 'application/json'): Record<string, string> {
  return { 'content-type': contentType, ...emulator.signResponse(body) };
}

function answer(res: ServerResponse, status: number, body: string | Buffer, options: { signed?: boolean; contentType?: string; headers?: Record<string, string> } = {}) {
  const contentType = options.contentType ?? 'application/json';
  const headers = options.signed === false ? { 'content-type': contentType } : signedHeaders(body, contentType);
  res.writeHead(status, { ...headers, ...options.headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Routes of a fault server: `/v3/ok` always works, so the client can be shown to keep working. */
async function faultServer(fault: (res: ServerResponse, path: string) => void): Promise<Loopback> {
  return httpServer((req, res) => {
    res.on('error', () => {});
    if (req.url === '/v3/ok') return answer(res, 200, OK);
    fault(res, req.url ?? '/');
  });
}

function rawAnswer(socket: Socket, head: string[], body: string) {
  socket.write(`HTTP/1.1 200 OK\r\n${head.join('\r\n')}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

async function rawFaultServer(fault: (socket: Socket, head: string) => void): Promise<Loopback> {
  return rawServer((socket, head) => {
    if (head.startsWith('GET /v3/ok ')) {
      const h = signedHeaders(OK);
      return rawAnswer(socket, Object.entries(h).map(([k, v]) => `${k}: ${v}`), OK);
    }
    fault(socket, head);
  });
}

function connect(loopback: Loopback, overrides: Partial<ClientConfig> = {}): WeChatPayClient {
  server = loopback;
  client = Builder.factory(emulator.clientConfig({ baseURL: loopback.baseURL, ...overrides }));
  return client;
}

async function stillWorks(c: WeChatPayClient) {
  const res = await c.chain('v3/ok').get();
  expect(res.data).toEqual({ ok: true });
}


describe('a server that never answers', () => {
  it('times out with the client timeout', async () => {
    const c = connect(await faultServer(() => {}), { timeout: 200 });
    const error = await failure(c.chain('v3/hang').get());
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as TimeoutError).timeout).toBe(200);
    expect(error.message).toMatch(/timed out after 200 ms/);
    await stillWorks(c);
  });

  it('times out with a per-request timeout shorter than the client one', async () => {
    const c = connect(await faultServer(() => {}), { timeout: 15_000 });
    const error = await failure(c.chain('v3/hang').post({ json: { a: 1 }, timeout: 150 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeout).toBe(150);
    expect((error as TimeoutError).request?.url).toMatch(/\/v3\/hang$/);
    await stillWorks(c);
  });

  it('stops when the caller aborts, with a NetworkError that is not a timeout', async () => {
    const c = connect(await faultServer(() => {}), { timeout: 15_000 });
    const controller = new AbortController();
    const pending = failure(c.chain('v3/hang').get({ signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('user gave up')), 50);
    const error = await pending;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect((error as NetworkError).transportCode).toBe('ABORT_ERR');
    await stillWorks(c);
  });
});

describe('a server that sends headers then stalls the body', () => {
  it('times out while reading the body', async () => {
    const c = connect(
      await faultServer((res) => {
        res.writeHead(200, { ...signedHeaders('{"a":1}'), 'content-length': '1000' });
        res.write('{"a":');
      }),
      { timeout: 200 },
    );
    const error = await failure(c.chain('v3/stall').get());
    expect(error).toBeInstanceOf(TimeoutError);
    await stillWorks(c);
  });
});

describe('a connection that breaks', () => {
  it('reset by the peer → NetworkError with a code', async () => {
    const c = connect(await rawFaultServer((socket) => socket.resetAndDestroy()));
    const error = await failure(c.chain('v3/reset').get());
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect((error as NetworkError).transportCode).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
    expect(error.message).toContain('/v3/reset');
    await stillWorks(c);
  });

  it('closed in the middle of the body → NetworkError', async () => {
    const c = connect(
      await rawFaultServer((socket) => {
        const h = signedHeaders('{"complete":"never"}');
        socket.write(`HTTP/1.1 200 OK\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\ncontent-length: 200\r\n\r\n{"complete":`);
        setTimeout(() => socket.destroy(), 20);
      }),
    );
    const error = await failure(c.chain('v3/midbody').get());
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    await stillWorks(c);
  });

  it('refused → NetworkError ECONNREFUSED', async () => {
    const closed = await httpServer(() => {});
    await closed.close();
    const c = connect(closed);
    const error = await failure(c.chain('v3/ok').get());
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).transportCode).toBe('ECONNREFUSED');
  });
});

describe('error statuses', () => {
  const json = (status: number) => JSON.stringify({ code: status === 429 ? 'FREQUENCY_LIMITED' : 'SYSTEM_ERROR', message: `status ${status}` });

  for (const status of [500, 502, 503, 429]) {
    it(`${status} with a signed JSON body → verified HttpError with code`, async () => {
      const c = connect(await faultServer((res) => answer(res, status, json(status), { headers: status === 429 ? { 'retry-after': '1' } : {} })));
      const error = await failure(c.chain('v3/status').get());
      expect(error).toBeInstanceOf(HttpError);
      const http = error as HttpError;
      expect(http.status).toBe(status);
      expect(http.verified).toBe(true);
      expect(http.code).toBe(status === 429 ? 'FREQUENCY_LIMITED' : 'SYSTEM_ERROR');
      expect(http.message).toContain(`answered ${status}`);
      if (status === 429) expect(http.response.headers['retry-after']).toBe('1');
      await stillWorks(c);
    });

    it(`${status} unsigned, as a gateway would send it → unverified HttpError`, async () => {
      const c = connect(await faultServer((res) => answer(res, status, json(status), { signed: false })));
      const error = (await failure(c.chain('v3/status').get())) as HttpError;
      expect(error).toBeInstanceOf(HttpError);
      expect(error.status).toBe(status);
      expect(error.verified).toBe(false);
      await stillWorks(c);
    });

    it(`${status} with no body, or an HTML body → HttpError without code`, async () => {
      const c = connect(
        await faultServer((res, path) =>
          path === '/v3/empty' ? answer(res, status, '', { signed: false }) : answer(res, status, '<html>bad gateway</html>', { signed: false, contentType: 'text/html' }),
        ),
      );
      const empty = (await failure(c.chain('v3/empty').get())) as HttpError;
      expect(empty).toBeInstanceOf(HttpError);
      expect(empty.status).toBe(status);
      expect(empty.code).toBeUndefined();
      expect(empty.response.data).toBeUndefined();
      const html = (await failure(c.chain('v3/html').get())) as HttpError;
      expect(html).toBeInstanceOf(HttpError);
      expect(html.response.data).toBe('<html>bad gateway</html>');
      await stillWorks(c);
    });
  }

  it('an error answer with a forged signature → VerificationError, not an HttpError to trust', async () => {
    const c = connect(await faultServer((res) => {
      const headers = signedHeaders(json(500));
      res.writeHead(500, { ...headers, 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'SUCCESS_TRUST_ME' }));
    }));
    const error = (await failure(c.chain('v3/status').get())) as VerificationError;
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.reason).toBe('bad-signature');
    expect(error.status).toBe(500);
  });
});

describe('a huge body', () => {
  it('over maxBodySize (chunked) → DecodeError naming the limit, and the download stops', async () => {
    let written = 0;
    const c = connect(
      await faultServer((res) => {
        res.writeHead(200, signedHeaders('x'));
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        const pump = () => {
          // bounded: at most 64 MiB, stops as soon as the client hangs up
          while (written < 64 * 1024 * 1024 && !res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => (written = Number.POSITIVE_INFINITY));
        pump();
      }),
      { maxBodySize: 256 * 1024 },
    );
    const error = await failure(c.chain('v3/huge').get());
    expect(error).toBeInstanceOf(DecodeError);
    expect(error.message).toMatch(/maxBodySize \(262144 bytes\)/);
    await stillWorks(c);
  });

  it('over maxBodySize by Content-Length → DecodeError before the body is read', async () => {
    const c = connect(
      await faultServer((res) => {
        res.writeHead(200, { ...signedHeaders('x'), 'content-length': String(512 * 1024 * 1024) });
        res.write('{');
      }),
      { maxBodySize: 1024, timeout: 5_000 },
    );
    const error = await failure(c.chain('v3/huge').get());
    expect(error).toBeInstanceOf(DecodeError);
    expect(error.message).toMatch(/Content-Length 536870912 exceeds maxBodySize \(1024 bytes\)/);
    await stillWorks(c);
  });
});

describe('a body that is not what the endpoint promises', () => {
  it('signed HTML on a JSON endpoint → DecodeError', async () => {
    const c = connect(await faultServer((res) => answer(res, 200, '<html>maintenance</html>', { contentType: 'text/html' })));
    const error = (await failure(c.chain('v3/html').get())) as DecodeError;
    expect(error).toBeInstanceOf(DecodeError);
    expect(error.status).toBe(200);
    expect(error.message).toMatch(/expected JSON/);
    await stillWorks(c);
  });

  it('signed broken JSON → DecodeError with the parser error as cause', async () => {
    const c = connect(await faultServer((res) => answer(res, 200, '{"a":')));
    const error = (await failure(c.chain('v3/broken').get())) as DecodeError;
    expect(error).toBeInstanceOf(DecodeError);
    expect(error.message).toMatch(/not JSON/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
    await stillWorks(c);
  });

  it('an unsigned 200 → VerificationError missing-header, data never returned', async () => {
    const c = connect(await faultServer((res) => answer(res, 200, '{"paid":true}', { signed: false })));
    const error = (await failure(c.chain('v3/unsigned').get())) as VerificationError;
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.reason).toBe('missing-header');
    await stillWorks(c);
  });
});

describe('Wechatpay-* headers on the wire', () => {
  const lines = (headers: Record<string, string>, rename: (name: string) => string = (n) => n) =>
    Object.entries(headers).map(([name, value]) => `${rename(name)}: ${value}`);

  it('oddly-cased names still verify', async () => {
    const c = connect(
      await rawFaultServer((socket) => {
        const body = '{"cased":true}';
        const oddCase = (name: string) => name.split('').map((ch, i) => (i % 2 ? ch.toUpperCase() : ch.toLowerCase())).join('');
        rawAnswer(socket, lines(signedHeaders(body), oddCase), body);
      }),
    );
    expect((await c.chain('v3/cased').get()).data).toEqual({ cased: true });
  });

  for (const name of ['wechatpay-signature', 'wechatpay-serial', 'wechatpay-timestamp', 'wechatpay-nonce']) {
    it(`${name} sent twice (differently cased) → VerificationError duplicated-header`, async () => {
      const c = connect(
        await rawFaultServer((socket) => {
          const body = '{"dup":true}';
          const headers = signedHeaders(body);
          rawAnswer(socket, [...lines(headers), `${name.toUpperCase()}: ${headers[name]}`], body);
        }),
      );
      const error = (await failure(c.chain('v3/dup').get())) as VerificationError;
      expect(error).toBeInstanceOf(VerificationError);
      expect(error.reason).toBe('duplicated-header');
      expect(error.message).toContain(name);
      await stillWorks(c);
    });
  }
});

describe('faults while the caller reads a streamed body (stream: true)', () => {
  const read = async (body: unknown) => {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  };

  it('a download that stalls → reading rejects with a TimeoutError', async () => {
    const c = connect(
      await faultServer((res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1000' });
        res.write('first bytes');
      }),
      { timeout: 200 },
    );
    const res = await c.v3.billdownload.file.get({ query: { token: 't' }, stream: true });
    expect(res.status).toBe(200);
    await expect(read(res.body)).rejects.toBeInstanceOf(TimeoutError);
    await stillWorks(c);
  });

  it('a download cut mid-body → reading rejects with a NetworkError', async () => {
    const c = connect(
      await rawFaultServer((socket) => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 1000\r\n\r\npartial');
        setTimeout(() => socket.destroy(), 20);
      }),
    );
    const res = await c.v3.billdownload.file.get({ query: { token: 't' }, stream: true });
    const error = await read(res.body).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    await stillWorks(c);
  });

  it('a complete download streams its bytes', async () => {
    const payload = Buffer.alloc(200_000, 0x62);
    const c = connect(await faultServer((res) => answer(res, 200, payload, { signed: false, contentType: 'application/octet-stream' })));
    const res = await c.v3.billdownload.file.get({ query: { token: 't' }, stream: true });
    expect((await read(res.body)).equals(payload)).toBe(true);
  });

  it('a signed endpoint asked to stream, cut mid-body → NetworkError before anything is returned', async () => {
    const c = connect(
      await rawFaultServer((socket) => {
        const h = signedHeaders('{"x":1}');
        socket.write(`HTTP/1.1 200 OK\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\ncontent-length: 100\r\n\r\n{"x":`);
        setTimeout(() => socket.destroy(), 20);
      }),
    );
    const error = await failure(c.chain('v3/signed').get({ stream: true }));
    expect(error).toBeInstanceOf(NetworkError);
    await stillWorks(c);
  });

  it('a signed endpoint asked to stream, over maxBodySize → DecodeError with status and request', async () => {
    const c = connect(
      await faultServer((res) => {
        res.writeHead(200, signedHeaders('x'));
        res.end(Buffer.alloc(64 * 1024, 0x61));
      }),
      { maxBodySize: 1024 },
    );
    const error = (await failure(c.chain('v3/signed').get({ stream: true }))) as DecodeError;
    expect(error).toBeInstanceOf(DecodeError);
    expect(error.status).toBe(200);
    expect(error.request?.url).toMatch(/\/v3\/signed$/);
    await stillWorks(c);
  });
});

describe('APIv2 answers that are not what the endpoint promises', () => {
  const xml = { appid: 'wxd678efh567hg6787', mch_id: emulator.merchant.mchid, out_trade_no: 'T1' };

  it('HTML on an XML endpoint → a typed error, and the client keeps working', async () => {
    const c = connect(await faultServer((res) => answer(res, 200, '<html>maintenance</html>', { signed: false, contentType: 'text/html' })));
    const error = await failure(c.v2.pay.orderquery.post({ xml }));
    expect(error).toBeInstanceOf(DecodeError);
    expect(error.message).toMatch(/no return_code/);
    await stillWorks(c);
  });

  it('XML with a DTD (XXE attempt) → DecodeError', async () => {
    const c = connect(
      await faultServer((res) =>
        answer(res, 200, '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><return_code>&x;</return_code></xml>', { signed: false, contentType: 'text/xml' }),
      ),
    );
    const error = await failure(c.v2.pay.orderquery.post({ xml }));
    expect(error).toBeInstanceOf(DecodeError);
    expect(error.message).toMatch(/DTD or entity declaration/);
    await stillWorks(c);
  });

  it('a 502 from a gateway on an APIv2 endpoint → HttpError', async () => {
    const c = connect(await faultServer((res) => answer(res, 502, '<html>bad gateway</html>', { signed: false, contentType: 'text/html' })));
    const error = (await failure(c.v2.pay.orderquery.post({ xml }))) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(502);
    await stillWorks(c);
  });
});
