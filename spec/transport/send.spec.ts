import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, NetworkError, TimeoutError } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';
import { failure } from '../support/failure.js';
import { httpServer } from '../support/loopback.js';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

const emulator = Emulator.create();
let server: Server;
let baseURL = '';
const pending = new Set<import('node:http').ServerResponse>();

beforeAll(async () => {
  // answers nothing until the test ends: every request must be ended by the client
  server = createServer((_req, res) => void pending.add(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  for (const res of pending) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});


describe('transport', () => {
  it('honours the client timeout', async () => {
    const client = Builder.factory(emulator.clientConfig({ baseURL, timeout: 150 }));
    const error = await failure(client.v3.certificates.get());
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeout).toBe(150);
    expect((error as TimeoutError).message).toBe('request timed out after 150 ms');
    expect((error as TimeoutError).request?.url).toBe(`${baseURL}v3/certificates`);
    await client.close();
  });

  it('honours a per-request timeout over the client one', async () => {
    const client = Builder.factory(emulator.clientConfig({ baseURL, timeout: 60_000 }));
    const error = await failure(client.v3.certificates.get({ timeout: 100 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeout).toBe(100);
    await client.close();
  });

  it('honours an AbortSignal, keeping its reason as the cause', async () => {
    const client = Builder.factory(emulator.clientConfig({ baseURL }));
    const controller = new AbortController();
    const promise = failure(client.v3.certificates.get({ signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('user gave up')), 50);
    const error = await promise;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect((error as NetworkError).transportCode).toBe('ABORT_ERR');
    expect(((error as NetworkError).cause as Error).message).toBe('user gave up');
    const already = await failure(client.v3.certificates.get({ signal: AbortSignal.abort() }));
    expect(already).toBeInstanceOf(NetworkError);
    await client.close();
  });

  it('reports a refused connection as a NetworkError with its code', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const client = Builder.factory(emulator.clientConfig({ baseURL: `http://127.0.0.1:${port}/` }));
    const error = await failure(client.v3.certificates.get());
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).transportCode).toBe('ECONNREFUSED');
    expect((error as NetworkError).message).not.toContain('WECHATPAY2-SHA256-RSA2048 mchid');
    await client.close();
  });

  describe('a header undici would refuse is an ArgumentError before signing, not a NetworkError after it', () => {
    it('per request, in the config, and from `encrypt` (a certs serial becomes Wechatpay-Serial)', async () => {
      const client = Builder.factory(emulator.clientConfig({ baseURL, timeout: 2_000, retry: 2 }));
      let signed = 0;
      client.pipeline.use(async (ctx, next) => (signed++, next(ctx)), 'count');
      const hits = pending.size;
      for (const value of ['商户订单', 'a\x1bb', 'a\x7f']) {
        const error = await failure(client.v3.certificates.get({ headers: { 'x-note': value } }));
        expect(error).toBeInstanceOf(ArgumentError);
        expect((error as ArgumentError).field).toBe('headers');
      }
      expect(() => Builder.factory(emulator.clientConfig({ baseURL, headers: { 'x-shop': '门店' } }))).toThrow(ArgumentError);
      const withOddSerial = Builder.factory(emulator.clientConfig({ baseURL, certs: { 平台证书: emulator.platform.publicKeyPem } }));
      const error = await failure(withOddSerial.chain('v3/x').post({ json: { name: 'n' }, encrypt: ['name'] }));
      expect(error).toBeInstanceOf(ArgumentError);
      expect(signed).toBe(0);
      expect(pending.size).toBe(hits);
      await client.close();
      await withOddSerial.close();
    });

    it('one set by a middleware after signing is an ArgumentError too, and not retried', async () => {
      const client = Builder.factory(emulator.clientConfig({ baseURL, timeout: 2_000, retry: 2 }));
      let attempts = 0;
      client.pipeline.use(async (ctx, next) => {
        attempts++;
        ctx.headers['x-note'] = '商户';
        return next(ctx);
      }, 'annotate');
      const error = await failure(client.v3.certificates.get());
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).message).toMatch(/x-note/);
      expect(attempts).toBe(1);
      await client.close();
    });
  });

  describe('an unread { stream: true } body that fails does not crash the process', () => {
    // the timeout (or undici) destroys the body with an error; with no 'error' listener Node throws
    // it as an uncaught exception and the merchant's process dies before anyone reads
    const read = (body: Readable) =>
      (async () => {
        for await (const _chunk of body) void _chunk;
      })().catch((e: unknown) => e);
    const stalls: Parameters<typeof httpServer>[0] = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
      res.write('交易时间,');
    };

    /** Downloads from `serve` with `{ stream: true }`, leaves the body to `meanwhile`, then reads it; fails on any uncaught exception. */
    async function lateRead(serve: Parameters<typeof httpServer>[0], timeout: number, meanwhile: (body: Readable) => Promise<void>): Promise<unknown> {
      const server = await httpServer(serve);
      const client = Builder.factory(emulator.clientConfig({ baseURL: server.baseURL }));
      const uncaught: unknown[] = [];
      const record = (error: unknown) => void uncaught.push(error);
      process.on('uncaughtException', record);
      try {
        const res = await client.v3.billdownload.file.get({ query: { token: 't' }, stream: true, timeout });
        await meanwhile(res.body as Readable);
        expect(uncaught).toEqual([]);
        return await read(res.body as Readable);
      } finally {
        process.off('uncaughtException', record);
        await client.close();
        await server.close();
      }
    }

    it('a stalled body times out unread; the reader still gets the TimeoutError', async () => {
      const error = await lateRead(stalls, 100, () => sleep(400)); // nobody reads while the timeout fires
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).timeout).toBe(100);
    });

    it('a body read once and then left alone times out; the reader still gets the TimeoutError', async () => {
      // a peek at the first chunk (the CSV header line, say), then the body waits for later
      const peek = async (body: Readable) => {
        await new Promise<void>((resolve) => body.once('data', () => (body.pause(), resolve())));
        await sleep(400);
      };
      expect(await lateRead(stalls, 100, peek)).toBeInstanceOf(TimeoutError);
    });

    it('a connection closed mid-body, unread; the reader still gets the NetworkError', async () => {
      const cut: Parameters<typeof httpServer>[0] = (req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
        res.write(Buffer.alloc(1000), () => setTimeout(() => req.socket.destroy(), 20));
      };
      const error = await lateRead(cut, 5_000, () => sleep(300));
      expect(error).toBeInstanceOf(NetworkError);
      expect(error).not.toBeInstanceOf(TimeoutError);
    });
  });
});
