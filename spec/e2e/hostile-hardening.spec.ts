/**
 * Issue 13, as a merchant sees it through the public API: each scenario runs against lib/ (tsx)
 * and against the built package (dist/), so the bundle is held to the same rules.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig } from '../../lib/index.js';
import { buildDist, ENTRY_KINDS, loadEntries, releaseEntries, type Entries } from '../support/entries.js';
import { httpServer } from '../support/loopback.js';

afterAll(releaseEntries);

describe.each(ENTRY_KINDS)('hostile hardening (%s)', (kind) => {
  let main: Entries['main'];
  let testing: Entries['testing'];
  let crypto: Entries['crypto'];
  let certificates: Entries['certificates'];
  let webhook: Entries['webhook'];
  let emulator: ReturnType<Entries['testing']['Emulator']['create']>;

  beforeAll(async () => {
    ({ main, testing, crypto, certificates, webhook } = await loadEntries(kind));
    emulator = testing.Emulator.create({ handlers: [http.get('*/v3/hello', () => HttpResponse.json({ hello: 'world' }))] });
  }, 90_000);

  // wechatpay-php src/Formatter.php: nonce(int $size) throws 'Size must be a positive integer.' for $size < 1
  it('12: Formatter.nonce refuses a size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5, Number.NaN, '32'] as unknown[]) expect(() => crypto.Formatter.nonce(size as number)).toThrow(main.ArgumentError);
    expect(crypto.Formatter.nonce(1)).toMatch(/^[0-9A-Za-z]$/);
  });

  // setTimeout turns a delay above 2^31 − 1 ms into 1 ms: such a timeout would fail every request at once
  it('10: a timeout above 2^31 − 1 ms is an ArgumentError, for the client and for a request', async () => {
    expect(() => main.Builder.factory(emulator.clientConfig({ timeout: 2 ** 31 }))).toThrow(main.ArgumentError);
    const client = main.Builder.factory(emulator.clientConfig());
    const before = emulator.requests.length;
    await expect(client.chain('v3/hello').get({ timeout: 2 ** 31 })).rejects.toBeInstanceOf(main.ArgumentError);
    expect(emulator.requests.length).toBe(before);
    await expect(client.chain('v3/hello').get({ timeout: 2 ** 31 - 1 })).resolves.toMatchObject({ data: { hello: 'world' } });
    await expect(certificates.CertificateManager.start(client, { apiv3Key: emulator.apiv3Key, interval: 2 ** 31 })).rejects.toBeInstanceOf(main.ArgumentError);
  });

  it('7: a 32-character secret pasted into baseURL, hosts or headers is described, never echoed', () => {
    const secret = randomBytes(16).toString('hex'); // an APIv3 key / APIv2 secret is 32 characters
    const attempts: Array<Partial<ClientConfig>> = [{ baseURL: secret }, { hosts: { 'https://apihk.mch.weixin.qq.com': secret } }, { hosts: { [secret]: 'x' } }, { headers: { [secret]: 'a\nb' } }];
    for (const overrides of attempts) {
      let caught: unknown;
      try {
        main.Builder.factory(emulator.clientConfig(overrides));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(main.ArgumentError);
      const error = caught as InstanceType<typeof main.ArgumentError>;
      for (const view of [error.message, String(error.stack), JSON.stringify(error), inspect(error), String(error.field)]) {
        for (let at = 0; at + 8 <= secret.length; at++) expect(view).not.toContain(secret.slice(at, at + 8));
      }
    }
  });

  // undici 7 lib/core/util.js isValidHeaderValue: only TAB, 0x20-0x7E and 0x80-0xFF may be sent
  it('11: a header undici would refuse is an ArgumentError before anything is signed or sent', async () => {
    const server = await httpServer((_req, res) => res.end('{}'));
    const client = main.Builder.factory(emulator.clientConfig({ baseURL: server.baseURL, retry: 2, timeout: 2_000 }));
    try {
      let steps = 0;
      client.pipeline.use(async (ctx, next) => (steps++, next(ctx)), 'count');
      for (const value of ['商户', 'a\x1bb', 'a\x7f']) {
        await expect(client.chain('v3/hello').get({ headers: { 'x-note': value } })).rejects.toBeInstanceOf(main.ArgumentError);
      }
      expect(steps).toBe(0);
      client.pipeline.use(async (ctx, next) => ((ctx.headers['x-late'] = '商户'), next(ctx)), 'late');
      await expect(client.chain('v3/hello').get()).rejects.toBeInstanceOf(main.ArgumentError);
      expect(steps).toBe(1); // not retried
      expect(server.hits).toBe(0);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('5: verification cannot be removed, replaced or bypassed through the pipeline', async () => {
    const client = main.Builder.factory(emulator.clientConfig({ debug: () => undefined }));
    const noop: Parameters<typeof client.pipeline.use>[0] = (ctx, next) => next(ctx);
    expect(() => client.pipeline.remove('verify')).toThrow(main.ArgumentError);
    expect(() => client.pipeline.remove('sign')).toThrow(main.ArgumentError);
    expect(() => client.pipeline.after('verify', noop, 'peek')).toThrow(main.ArgumentError);
    expect(() => client.pipeline.before('debug', noop, 'peek')).toThrow(main.ArgumentError);
    const seen: unknown[] = [];
    client.pipeline.before('verify', async (ctx, next) => {
      const res = await next(ctx);
      seen.push(res.data);
      return res;
    }, 'mine');
    emulator.tamperNext((res) => (res.body = Buffer.from('{"forged":true}')));
    await expect(client.chain('v3/hello').get()).rejects.toBeInstanceOf(main.VerificationError);
    expect(seen).toEqual([]);
    expect(client.pipeline.names()).toEqual(['retry', 'sign', 'mine', 'verify', 'debug']);
  });

  it('6: an API answer with a joined or padded-out Wechatpay-Signature is refused', async () => {
    const client = main.Builder.factory(emulator.clientConfig());
    const reason = async () => ((await client.chain('v3/hello').get().catch((e: unknown) => e)) as { reason?: string }).reason;
    emulator.tamperNext((res) => res.headers.set('wechatpay-signature', `${res.headers.get('wechatpay-signature')}, ${res.headers.get('wechatpay-signature')}`));
    expect(await reason()).toBe('duplicated-header');
    emulator.tamperNext((res) => res.headers.set('wechatpay-serial', `${res.headers.get('wechatpay-serial')},${res.headers.get('wechatpay-serial')}`));
    expect(await reason()).toBe('duplicated-header');
    // Buffer.from(x, 'base64') stops at the padding: "valid==junk" decoded to the genuine signature
    emulator.tamperNext((res) => res.headers.set('wechatpay-signature', `${res.headers.get('wechatpay-signature')}AAAA`));
    expect(await reason()).toBe('bad-signature');
    await expect(client.chain('v3/hello').get()).resolves.toMatchObject({ data: { hello: 'world' } });
  });

  it('6: a notification with a Wechatpay-* header sent twice is refused on a real node:http server, in every header form', async () => {
    const { headers, body } = testing.createNotification(emulator, { resource: { out_trade_no: 'T1' } });
    const options = { certs: { [emulator.platform.serial]: emulator.platform.publicKeyPem }, apiv3Key: emulator.apiv3Key };
    const outcomes: string[][] = [];
    const server = await httpServer((req, res, raw) => {
      const forms = [req.headers, req.rawHeaders, req] as const;
      outcomes.push(
        forms.map((form) => {
          try {
            return webhook.parseNotification({ headers: form as never, body: raw }, options).resource.out_trade_no as string;
          } catch (error) {
            return (error as { reason?: string }).reason ?? String(error);
          }
        }),
      );
      res.end();
    });
    const send = (extra: string) =>
      new Promise<void>((resolve, reject) => {
        const socket = connect(Number(new URL(server.baseURL).port), '127.0.0.1');
        const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
        socket.on('error', reject);
        socket.on('data', () => (socket.end(), resolve()));
        socket.write(`POST /notify HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${head}${extra}\r\n${body}`);
      });
    try {
      await send('');
      for (const name of ['Wechatpay-Signature', 'Wechatpay-Serial', 'Wechatpay-Timestamp', 'Wechatpay-Nonce']) await send(`${name}: ${headers[name.toLowerCase()]}\r\n`);
    } finally {
      await server.close();
    }
    expect(outcomes[0]).toEqual(['T1', 'T1', 'T1']);
    for (const outcome of outcomes.slice(1)) expect(outcome).toEqual(['duplicated-header', 'duplicated-header', 'duplicated-header']);
    expect(outcomes).toHaveLength(5);
    const fetchHeaders = new Headers(headers);
    fetchHeaders.append('Wechatpay-Nonce', headers['wechatpay-nonce'] as string);
    expect(() => webhook.parseNotification({ headers: fetchHeaders, body }, options)).toThrow(/appears more than once/);
  });

  it('4: parseNotification({ certs }) follows changes to certs at the next call', () => {
    const other = testing.Emulator.create({ apiv3Key: emulator.apiv3Key });
    const certs: Record<string, string> = { [emulator.platform.serial]: emulator.platform.publicKeyPem };
    const byOld = testing.createNotification(emulator, { resource: { out_trade_no: 'T1' } });
    const byNew = testing.createNotification(other, { resource: { out_trade_no: 'T2' } });
    const outcome = (incoming: typeof byOld) => {
      try {
        return webhook.parseNotification(incoming, { certs, apiv3Key: emulator.apiv3Key }).resource.out_trade_no;
      } catch (error) {
        return (error as { reason?: string }).reason;
      }
    };
    expect([outcome(byOld), outcome(byNew)]).toEqual(['T1', 'unknown-serial']);
    delete certs[emulator.platform.serial];
    certs[other.platform.serial] = other.platform.publicKeyPem;
    expect([outcome(byOld), outcome(byNew)]).toEqual(['unknown-serial', 'T2']);
  });

  // run in a child with no 'uncaughtException' handler: an unhandled 'error' would end it
  it('2: a { stream: true } body that times out unread does not crash the process; the late reader gets the TimeoutError', async () => {
    const where = kind === 'lib' ? 'lib' : await buildDist();
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'spec/support/stream-timeout-child.ts', where], { cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 60_000 }, (error, out, err) =>
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout: out, stderr: err }),
      );
    });
    expect(stderr).not.toMatch(/TimeoutError|Uncaught|node:events/);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ unread: 'TimeoutError', peeked: 'TimeoutError' });
  }, 60_000);
});
