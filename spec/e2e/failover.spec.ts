/**
 * Backup-domain failover (双域名容灾) with two loopback servers, a primary and a backup, each
 * answering as WeChat Pay would (signed with the emulator's platform key), and recording what it
 * received. Which failures fail over follows the issue: nothing sent → any method; GET also on a
 * timeout, a reset after sending and 5xx; a POST that may have reached the primary only with
 * `retry: true`. The backup host of `failover: true` is wechatpay-go's WechatPayAPIServerBackup
 * (core/consts/const.go: https://api2.mch.weixin.qq.com).
 */
import { verify } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Dispatcher } from 'undici';
import { ArgumentError, Builder, type ClientConfig, type FailoverEvent, HttpError, NetworkError, type RequestContext, type WeChatPayClient } from '../../lib/index.js';
import { failureKind } from '../../lib/pipeline/retry.js';
import { createCertificate, Emulator } from '../../lib/testing/index.js';
import { httpServer, type Loopback } from '../support/loopback.js';
import { loose } from '../support/loose.js';

// signatures (and the client's ±300 s check) follow the faked clock of the sticky spec
const emulator = Emulator.create({ now: () => Date.now() });

interface Seen {
  method: string;
  url: string;
  nonce: string;
  signed: boolean;
}

type Behaviour = 'ok' | '503' | '400' | 'forged' | 'reset' | 'hang';

/** A loopback WeChat Pay: answers by `behaviour`, records requests and checks their signatures independently. */
async function fakeWeChatPay(name: string): Promise<Loopback & { seen: Seen[]; state: { behaviour: Behaviour } }> {
  const seen: Seen[] = [];
  const state = { behaviour: 'ok' as Behaviour };
  const server = await httpServer((req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const url = req.url ?? '/';
    const fields = Object.fromEntries([...String(req.headers.authorization ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    // WeChat Pay 签名生成 / wechatpay-php src/Formatter.php request(): METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n
    const message = `${req.method}\n${url}\n${fields.timestamp}\n${fields.nonce_str}\n${body.toString('utf8')}\n`;
    const signed = verify('sha256', Buffer.from(message), emulator.merchant.publicKey, Buffer.from(fields.signature ?? '', 'base64'));
    seen.push({ method: req.method ?? '', url, nonce: fields.nonce_str ?? '', signed });
    if (state.behaviour === 'hang') return;
    if (state.behaviour === 'reset') {
      req.socket.destroy();
      return;
    }
    const status = state.behaviour === '503' ? 503 : state.behaviour === '400' ? 400 : 200;
    const answer = JSON.stringify(status === 200 ? { server: name } : { code: status === 400 ? 'PARAM_ERROR' : 'SYSTEM_ERROR', message: 'no' });
    res.writeHead(status, { 'content-type': 'application/json', ...emulator.signResponse(state.behaviour === 'forged' ? '{"forged":true}' : answer) });
    res.end(answer);
  });
  return Object.assign(server, { seen, state });
}

/** A base URL nothing listens on (a server started and closed): connections are refused. */
async function refusedURL(): Promise<string> {
  const server = await httpServer(() => undefined);
  await server.close();
  return server.baseURL;
}

let primary: Awaited<ReturnType<typeof fakeWeChatPay>>;
let backup: Awaited<ReturnType<typeof fakeWeChatPay>>;
const clients: WeChatPayClient[] = [];
let events: FailoverEvent[];

beforeEach(async () => {
  primary = await fakeWeChatPay('primary');
  backup = await fakeWeChatPay('backup');
  events = [];
});
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all([primary.close(), backup.close()]);
});

function connect(overrides: Partial<ClientConfig> & { primaryURL?: string; recoverAfter?: number } = {}): WeChatPayClient {
  const { primaryURL, recoverAfter, ...rest } = overrides;
  const client = Builder.factory({
    ...emulator.clientConfig({ baseURL: primaryURL ?? primary.baseURL }),
    timeout: 2_000,
    failover: { backupURL: backup.baseURL, onFailover: (event) => events.push(event), ...(recoverAfter === undefined ? {} : { recoverAfter }) },
    ...rest,
  });
  clients.push(client);
  return client;
}

describe('failover to the backup domain', () => {
  it('sends a POST to the backup when the primary refuses the connection (nothing was sent)', async () => {
    const primaryURL = await refusedURL();
    const client = connect({ primaryURL });
    const res = await loose(client).v3.pay.transactions.native.post({ json: { out_trade_no: 'T1' } });
    expect(res.data).toEqual({ server: 'backup' });
    expect(backup.seen).toEqual([{ method: 'POST', url: '/v3/pay/transactions/native', nonce: expect.any(String), signed: true }]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ from: primaryURL, to: backup.baseURL });
    expect(events[0]!.error).toBeInstanceOf(NetworkError);
    expect((events[0]!.error as NetworkError).transportCode).toBe('ECONNREFUSED');
  });

  it('does not re-send a POST whose connection was reset after the primary read it: NetworkError, the backup saw nothing', async () => {
    primary.state.behaviour = 'reset';
    const client = connect();
    const error = await loose(client).v3.pay.transactions.native.post({ json: { out_trade_no: 'T2' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(primary.seen).toHaveLength(1);
    expect(backup.seen).toEqual([]);
    expect(events).toEqual([]);
  });

  it('re-sends such a POST to the backup once when the call says retry: true', async () => {
    primary.state.behaviour = 'reset';
    const client = connect();
    const res = await loose(client).v3.pay.transactions.native.post({ json: { out_trade_no: 'T3' }, retry: true });
    expect(res.data).toEqual({ server: 'backup' });
    expect(primary.seen).toHaveLength(1);
    expect(backup.seen).toHaveLength(1);
    expect(events).toHaveLength(1);
  });

  it('sends a GET answered 503 by the primary to the backup, signed afresh', async () => {
    primary.state.behaviour = '503';
    const client = connect();
    const res = await loose(client).v3.pay.transactions.id._transaction_id_.get({ transaction_id: '42', query: { mchid: '1900000109' } });
    expect(res.data).toEqual({ server: 'backup' });
    expect(primary.seen).toHaveLength(1);
    expect(backup.seen).toHaveLength(1);
    expect(primary.seen[0]).toMatchObject({ url: '/v3/pay/transactions/id/42?mchid=1900000109', signed: true });
    expect(backup.seen[0]).toMatchObject({ url: '/v3/pay/transactions/id/42?mchid=1900000109', signed: true });
    expect(backup.seen[0]!.nonce).not.toBe(primary.seen[0]!.nonce);
    expect(events[0]!.error).toBeInstanceOf(HttpError);
  });

  it('leaves a POST answered 503 alone without retry: true', async () => {
    primary.state.behaviour = '503';
    const client = connect();
    await expect(loose(client).v3.pay.transactions.native.post({ json: {} })).rejects.toMatchObject({ name: 'HttpError', status: 503 });
    expect(backup.seen).toEqual([]);
  });

  it('sends a GET that timed out on the primary to the backup', async () => {
    primary.state.behaviour = 'hang';
    const client = connect({ timeout: 300 });
    const res = await client.v3.certificates.get();
    expect(res.data).toEqual({ server: 'backup' });
    expect(events[0]!.error.name).toBe('TimeoutError');
  });

  it('never fails over a request for another host, a 4xx or a forged answer', async () => {
    const client = connect({ hosts: { 'https://apihk.mch.weixin.qq.com': await refusedURL() } });
    await expect(loose(client).global.v3.customs.orders.post({ json: {} })).rejects.toMatchObject({ name: 'NetworkError', transportCode: 'ECONNREFUSED' });
    primary.state.behaviour = '400';
    await expect(client.v3.certificates.get()).rejects.toMatchObject({ name: 'HttpError', status: 400 });
    primary.state.behaviour = 'forged';
    await expect(client.v3.certificates.get()).rejects.toMatchObject({ name: 'VerificationError' });
    expect(primary.seen).toHaveLength(2);
    expect(backup.seen).toEqual([]);
    expect(events).toEqual([]);
  });

  it("fails over when the primary's TLS handshake fails (nothing was sent)", async () => {
    // a certificate the client does not trust: the request is never written
    const certificate = await createCertificate({ commonName: 'not-wechatpay.example', usage: 'server', altNames: ['not-wechatpay.example'] });
    const tls = createHttpsServer({ key: certificate.privateKeyPem, cert: certificate.certificatePem }, (_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const client = connect({ primaryURL: `https://127.0.0.1:${(tls.address() as AddressInfo).port}/` });
      const res = await loose(client).v3.pay.transactions.native.post({ json: { out_trade_no: 'T4' } });
      expect(res.data).toEqual({ server: 'backup' });
      expect(events[0]!.error).toBeInstanceOf(NetworkError);
      expect(failureKind(events[0]!.error)).toBe('unsent');
    } finally {
      tls.closeAllConnections();
      await new Promise((resolve) => tls.close(resolve));
    }
  });

  it('is sticky for recoverAfter, then tries the primary again (fails over again while it still fails)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-12-01T00:00:00Z'));
    primary.state.behaviour = '503';
    const client = connect({ recoverAfter: 60_000 });
    const get = () => client.v3.certificates.get().then((res) => (res.data as unknown as { server: string }).server);
    expect(await get()).toBe('backup');
    expect([primary.seen.length, backup.seen.length]).toEqual([1, 1]);
    vi.advanceTimersByTime(59_000);
    expect(await get()).toBe('backup'); // straight to the backup
    expect([primary.seen.length, backup.seen.length]).toEqual([1, 2]);
    vi.advanceTimersByTime(1_001);
    expect(await get()).toBe('backup'); // the primary was tried again, still fails: back to the backup
    expect([primary.seen.length, backup.seen.length]).toEqual([2, 3]);
    expect(events).toHaveLength(2);
    vi.advanceTimersByTime(30_000);
    expect(await get()).toBe('backup'); // another recoverAfter on the backup
    expect([primary.seen.length, backup.seen.length]).toEqual([2, 4]);
    primary.state.behaviour = 'ok';
    vi.advanceTimersByTime(30_001);
    expect(await get()).toBe('primary'); // recovered
    expect(await get()).toBe('primary');
    expect([primary.seen.length, backup.seen.length]).toEqual([4, 4]);
    expect(events).toHaveLength(2);
  });

  it('shows the failover in ctx for middleware and in the debug log', async () => {
    primary.state.behaviour = '503';
    const lines: string[] = [];
    const client = connect({ debug: (line) => lines.push(line) });
    const seenByStep: Array<Pick<RequestContext, 'origin' | 'failover'>> = [];
    client.pipeline.use(async (ctx, next) => {
      seenByStep.push({ origin: ctx.origin, failover: ctx.failover });
      return next(ctx);
    }, 'watch');
    await client.v3.certificates.get();
    expect(seenByStep).toEqual([
      { origin: new URL(primary.baseURL).origin, failover: undefined },
      { origin: new URL(backup.baseURL).origin, failover: { from: primary.baseURL, to: backup.baseURL, error: expect.any(HttpError) } },
    ]);
    expect(lines.some((line) => line.startsWith(`failover: ${primary.baseURL} → ${backup.baseURL}`) && /HttpError/.test(line))).toBe(true);
    expect(lines.some((line) => line.startsWith(`→ GET ${new URL(backup.baseURL).origin}/v3/certificates`) && line.includes('failover=backup'))).toBe(true);
  });

  it('goes on to the backup when onFailover throws, and says so in the debug log', async () => {
    primary.state.behaviour = '503';
    const lines: string[] = [];
    const client = connect({
      debug: (line) => lines.push(line),
      failover: {
        backupURL: backup.baseURL,
        onFailover: () => {
          throw new Error('logger down');
        },
      },
    });
    await expect(client.v3.certificates.get()).resolves.toMatchObject({ data: { server: 'backup' } });
    expect(lines).toContain('failover: onFailover threw Error; ignored');
  });

  it('keeps the base URL paths: the backup gets its own path and the rest of the request target, signed', async () => {
    primary.state.behaviour = '503';
    const client = connect({ primaryURL: `${primary.baseURL}p/`, failover: { backupURL: `${backup.baseURL}b/` } });
    await loose(client).v3.statements.get({ query: { date: '20180103' } });
    expect(primary.seen[0]).toMatchObject({ url: '/p/v3/statements?date=20180103', signed: true });
    expect(backup.seen[0]).toMatchObject({ url: '/b/v3/statements?date=20180103', signed: true });
  });
});

describe('failover: true', () => {
  it('uses https://api2.mch.weixin.qq.com/ through the same dispatcher (and hosts maps it like any origin)', async () => {
    const origins: string[] = [];
    const inner = emulator.dispatcher();
    // the primary's connection is refused; everything else is answered in process
    const dispatcher = new (class extends Dispatcher {
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        origins.push(String(options.origin));
        if (String(options.origin) === 'https://api.mch.weixin.qq.com') {
          const error = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
          queueMicrotask(() => (handler as unknown as { onResponseError(c: unknown, e: Error): void }).onResponseError(undefined, error));
          return true;
        }
        return inner.dispatch(options, handler);
      }
    })();
    const client = Builder.factory({ ...emulator.clientConfig(), dispatcher, failover: true });
    clients.push(client);
    await expect(client.v3.certificates.get()).rejects.toMatchObject({ status: 404 }); // the emulator answered (signed)
    expect(origins).toEqual(['https://api.mch.weixin.qq.com', 'https://api2.mch.weixin.qq.com']);
    const mapped = Builder.factory({ ...emulator.clientConfig(), dispatcher, failover: true, hosts: { 'https://api2.mch.weixin.qq.com': 'http://127.0.0.1:9/' } });
    clients.push(mapped);
    origins.length = 0;
    await mapped.v3.certificates.get().catch(() => undefined);
    expect(origins).toEqual(['https://api.mch.weixin.qq.com', 'http://127.0.0.1:9']);
  });
});

describe('the failover option is validated', () => {
  function refused(failover: unknown, extra: Partial<ClientConfig> = {}): ArgumentError {
    try {
      Builder.factory({ ...emulator.clientConfig(), failover: failover as ClientConfig['failover'], ...extra });
    } catch (error) {
      expect(error).toBeInstanceOf(ArgumentError);
      return error as ArgumentError;
    }
    throw new Error('accepted');
  }

  it.each([
    ['yes', 'failover', /true, false or/],
    [{ recoverAfter: 0 }, 'failover.recoverAfter', /positive/],
    [{ recoverAfter: -5 }, 'failover.recoverAfter', /positive/],
    [{ recoverAfter: 2 ** 31 }, 'failover.recoverAfter', /2147483647/],
    [{ recoverAfter: Number.NaN }, 'failover.recoverAfter', /positive/],
    [{ recoverAfter: '60000' }, 'failover.recoverAfter', /a string/],
    [{ backupURL: 'not a url SECRET-1234567890' }, 'failover.backupURL', /not an absolute URL/],
    [{ backupURL: 'https://u:SECRET-1234567890@x/' }, 'failover.backupURL', /credentials/],
    [{ onFailover: 'log' }, 'failover.onFailover', /function/],
    [{ backupUrl: 'https://api2.mch.weixin.qq.com/' }, 'failover', /backupUrl/],
    [{ backupURL: 'https://api.mch.weixin.qq.com/' }, 'failover.backupURL', /the primary/],
  ])('refuses %j', (failover, field, message) => {
    const error = refused(failover);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message).not.toMatch(/SECRET/);
  });

  it('refuses a backupURL with a path beside gatewayPrefix', () => {
    expect(refused({ backupURL: 'https://gw.example.com/b/' }, { gatewayPrefix: '/strip' }).field).toBe('gatewayPrefix');
  });

  it('accepts any positive recoverAfter up to 2^31-1 ms', () => {
    for (const recoverAfter of [1, 0.5, 60_000, 2 ** 31 - 1]) {
      const client = Builder.factory({ ...emulator.clientConfig(), failover: { recoverAfter } });
      clients.push(client);
    }
  });
});
