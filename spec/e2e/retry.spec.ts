import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { http as route, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, type ClientConfig, HttpError, NetworkError, type RetryInfo, VerificationError, type WeChatPayClient } from '../../lib/index.js';
import { MediaUtil } from '../../lib/media/index.js';
import { Emulator, mediaHandlers } from '../../lib/testing/index.js';
import { rawServer, resources, settle } from '../support/loopback.js';

// A flaky WeChat Pay: `/v3/flaky/N` fails N times with the status in the query, then succeeds.
const failures = new Map<string, number>();
const emulator = Emulator.create({
  handlers: [
    // the first upload of each run fails with 503, then the emulator's media handler answers
    route.post('*/v3/merchant/media/upload', () => {
      const key = `upload ${run}`;
      if (failures.has(key)) return undefined;
      failures.set(key, 1);
      return HttpResponse.json({ code: 'SYSTEM_ERROR', message: 'busy' }, { status: 503 });
    }),
    route.all('*/v3/flaky/:times', ({ request, params }) => {
      const url = new URL(request.url);
      const key = `${request.method} ${url.pathname} ${url.searchParams.get('run')}`;
      const seen = (failures.get(key) ?? 0) + 1;
      failures.set(key, seen);
      if (seen <= Number(params.times)) {
        const status = Number(url.searchParams.get('status') ?? 503);
        const retryAfter = url.searchParams.get('retry_after');
        return HttpResponse.json({ code: 'SYSTEM_ERROR', message: `failure ${seen}` }, { status, headers: retryAfter ? { 'retry-after': retryAfter } : {} });
      }
      return HttpResponse.json({ attempt: seen });
    }),
    ...mediaHandlers(),
  ],
});

let run = 0;
let baseline: Record<string, number>;
const cleanup: Array<() => Promise<void>> = [];

beforeEach(() => {
  run++;
  baseline = resources();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  const after = await settle(baseline);
  for (const [kind, count] of Object.entries(baseline)) expect(after[kind], kind).toBeLessThanOrEqual(count);
});

const fast = { minDelay: 1, maxDelay: 5 };

async function connect(overrides: Partial<ClientConfig> = {}): Promise<{ client: WeChatPayClient; attempts: number[] }> {
  const server = await emulator.listen();
  const client = Builder.factory(emulator.clientConfig({ baseURL: server.baseURL, ...overrides }));
  cleanup.push(server.close, () => client.close());
  const attempts: number[] = [];
  // a user step: sees every attempt, after signing
  client.pipeline.use(async (ctx, next) => {
    attempts.push(ctx.attempt);
    return next(ctx);
  }, 'watch');
  return { client, attempts };
}

const hitsOf = (path: string) => emulator.requests.filter((r) => r.path.startsWith(path) && r.path.includes(`run=${run}&`));

describe('retries against a flaky loopback server', () => {
  it('are off by default', async () => {
    const { client, attempts } = await connect();
    await expect(client.chain('v3/flaky')._times_.get({ times: 1, query: { run, status: 503 } })).rejects.toBeInstanceOf(HttpError);
    expect(attempts).toEqual([1]);
  });

  it('repeat a GET on 503 until it succeeds, signing every attempt afresh', async () => {
    const { client, attempts } = await connect({ retry: { retries: 3, ...fast } });
    const res = await client.chain('v3/flaky')._times_.get({ times: 2, query: { run, status: 503 } });
    expect(res.data).toEqual({ attempt: 3 });
    expect(attempts).toEqual([1, 2, 3]);
    const seen = hitsOf('/v3/flaky/2');
    expect(seen).toHaveLength(3);
    expect(seen.every((r) => r.verified)).toBe(true);
    expect(new Set(seen.map((r) => r.headers.authorization)).size).toBe(3);
  });

  it('give up after `retries` and throw the last error', async () => {
    const { client, attempts } = await connect({ retry: { retries: 2, ...fast } });
    const error = await client.chain('v3/flaky')._times_.get({ times: 5, query: { run, status: 502 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(502);
    expect((error as HttpError).message).toContain('failure 3');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('do not repeat a POST unless that call says so', async () => {
    const { client, attempts } = await connect({ retry: { retries: 3, ...fast } });
    const json = { out_trade_no: `T${run}` };
    await expect(client.chain('v3/flaky')._times_.post({ times: 1, query: { run, status: 503 }, json })).rejects.toBeInstanceOf(HttpError);
    expect(attempts).toEqual([1]);
    attempts.length = 0;
    const res = await client.chain('v3/flaky')._times_.post({ times: 1, query: { run: `${run}b`, status: 503 }, json, retry: true });
    expect(res.data).toEqual({ attempt: 2 });
    expect(attempts).toEqual([1, 2]);
  });

  it('a per-call policy works without a client policy, and retry: false turns the client one off', async () => {
    const { client, attempts } = await connect({ retry: { retries: 3, ...fast } });
    await expect(client.chain('v3/flaky')._times_.get({ times: 1, query: { run, status: 503 }, retry: false })).rejects.toBeInstanceOf(HttpError);
    expect(attempts).toEqual([1]);
    const bare = await connect();
    const res = await bare.client.chain('v3/flaky')._times_.post({ times: 1, query: { run: `${run}b`, status: 500 }, json: {}, retry: { retries: 1, ...fast } });
    expect(res.data).toEqual({ attempt: 2 });
  });

  it('do not repeat statuses outside the policy', async () => {
    const { client, attempts } = await connect({ retry: { retries: 3, ...fast } });
    await expect(client.chain('v3/flaky')._times_.get({ times: 1, query: { run, status: 400 } })).rejects.toBeInstanceOf(HttpError);
    expect(attempts).toEqual([1]);
  });

  it('honour Retry-After, and give up when it asks for longer than maxRetryAfter', async () => {
    const waits: RetryInfo[] = [];
    const { client } = await connect({ retry: { retries: 2, ...fast, maxRetryAfter: 2_000, onRetry: (info) => waits.push(info) } });
    const res = await client.chain('v3/flaky')._times_.get({ times: 1, query: { run, status: 429, retry_after: 1 } });
    expect(res.data).toEqual({ attempt: 2 });
    expect(waits).toHaveLength(1);
    expect(waits[0]?.delay).toBe(1000);
    expect(waits[0]?.error).toBeInstanceOf(HttpError);
    const error = await client.chain('v3/flaky')._times_.get({ times: 1, query: { run: `${run}b`, status: 429, retry_after: 60 } }).catch((e: unknown) => e);
    expect((error as HttpError).status).toBe(429);
    expect(waits).toHaveLength(1);
  });

  it('never repeat a VerificationError', async () => {
    const { client, attempts } = await connect({ retry: { retries: 3, ...fast } });
    emulator.tamperNext((res) => {
      res.status = 503;
      res.body = Buffer.from('{"code":"SYSTEM_ERROR"}');
    });
    const error = await client.chain('v3/flaky')._times_.get({ times: 0, query: { run } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect(attempts).toEqual([1]);
  });

  it('do not repeat a body given as a stream (it cannot be replayed)', async () => {
    const { client, attempts } = await connect({ retry: { retries: 3, ...fast } });
    const body = Readable.from([Buffer.from('{"a":1}')]);
    await expect(
      client.chain('v3/flaky')._times_.post({ times: 1, query: { run, status: 503 }, body, headers: { 'content-type': 'application/json' }, retry: true }),
    ).rejects.toBeInstanceOf(HttpError);
    expect(attempts).toEqual([1]);
  });

  it('repeat a media upload with a fresh, re-signed stream when the call says so', async () => {
    const { client, attempts } = await connect({ retry: { retries: 2, ...fast } });
    const bytes = Buffer.from('\x89PNG\r\n\x1a\n retried upload');
    const res = await client.v3.merchant.media.upload.post({ media: new MediaUtil('r.png', bytes), retry: true });
    expect(res.status).toBe(200);
    expect(typeof (res.data as { media_id?: unknown }).media_id).toBe('string');
    expect(attempts).toEqual([1, 2]);
    const [first, second] = emulator.requests.filter((r) => r.path === '/v3/merchant/media/upload').slice(-2);
    expect(first?.verified && second?.verified).toBe(true);
    expect(first?.headers.authorization).not.toBe(second?.headers.authorization);
  });

  it('stop waiting when the caller aborts during the backoff', async () => {
    const { client, attempts } = await connect({ retry: { retries: 3, minDelay: 10_000, maxDelay: 10_000 } });
    const controller = new AbortController();
    const pending = client.chain('v3/flaky')._times_.get({ times: 3, query: { run, status: 503 }, signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    const error = (await pending) as NetworkError;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.transportCode).toBe('ABORT_ERR');
    expect(attempts).toEqual([1]);
  });

  it('refuse a bad policy up front', () => {
    expect(() => Builder.factory(emulator.clientConfig({ retry: { retries: -1 } }))).toThrow(ArgumentError);
  });

  it('refuse a bad per-call policy as a rejected promise', async () => {
    const { client } = await connect();
    await expect(client.chain('v3/flaky')._times_.get({ times: 0, query: { run }, retry: 'always' as unknown as boolean })).rejects.toBeInstanceOf(ArgumentError);
  });
});

describe('connection failures', () => {
  it('a POST whose connection was refused is repeated (no byte was sent)', async () => {
    // find a free port, then only start listening once the first attempt has failed
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    let late: Server | undefined;
    const body = '{"ok":true}';
    const { client, attempts } = await connect({
      baseURL: `http://127.0.0.1:${port}/`,
      retry: {
        retries: 2,
        minDelay: 50,
        maxDelay: 50,
        onRetry: ({ error }) => {
          expect((error as NetworkError).transportCode).toBe('ECONNREFUSED');
          late = createServer((_req, res) => {
            res.writeHead(200, { 'content-type': 'application/json', ...emulator.signResponse(body) });
            res.end(body);
          }).listen(port, '127.0.0.1');
        },
      },
    });
    cleanup.push(() => new Promise<void>((resolve) => (late ? (late.closeAllConnections(), late.close(() => resolve())) : resolve())));
    const res = await client.chain('v3/pay/transactions/native' as string).post({ json: { out_trade_no: 'T1' } }); // a partial body: the loose type
    expect(res.data).toEqual({ ok: true });
    expect(attempts).toEqual([1, 2]);
  });

  it('a POST reset after it was sent is not repeated unless the call says so; a GET is', async () => {
    const server = await rawServer((socket) => socket.resetAndDestroy());
    cleanup.push(server.close);
    const { client } = await connect({ baseURL: server.baseURL, retry: { retries: 2, ...fast } });
    await expect(client.chain('v3/reset').post({ json: {} })).rejects.toBeInstanceOf(NetworkError);
    expect(server.hits).toBe(1);
    await expect(client.chain('v3/reset').post({ json: {}, retry: true })).rejects.toBeInstanceOf(NetworkError);
    expect(server.hits).toBe(4);
    await expect(client.chain('v3/reset').get()).rejects.toBeInstanceOf(NetworkError);
    expect(server.hits).toBe(7);
  });

  it('a GET that timed out is repeated', async () => {
    let calls = 0;
    const server = await rawServer((socket) => {
      calls++;
      if (calls === 1) return; // never answers
      const body = '{"late":false}';
      const headers = Object.entries({ 'content-type': 'application/json', ...emulator.signResponse(body) }).map(([k, v]) => `${k}: ${v}`);
      socket.write(`HTTP/1.1 200 OK\r\n${headers.join('\r\n')}\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    });
    cleanup.push(server.close);
    const { client, attempts } = await connect({ baseURL: server.baseURL, timeout: 150, retry: { retries: 1, ...fast } });
    expect((await client.chain('v3/slow').get()).data).toEqual({ late: false });
    expect(attempts).toEqual([1, 2]);
  });
});
