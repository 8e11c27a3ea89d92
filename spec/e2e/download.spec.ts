import { createHash, verify as rsaVerify } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Builder, HttpError, NetworkError, TimeoutError, VerificationError, type WeChatPayClient } from '../../lib/index.js';
import { type DownloadableFile, downloadBill, downloadFile, parseBill } from '../../lib/download/index.js';
import { Emulator } from '../../lib/testing/index.js';
import { loose } from '../support/loose.js';

const BILL = [
  '交易时间,公众账号ID,商户号,商户订单号,订单金额,商品名称',
  '`2019-06-11 10:00:00,`wx8888888888888888,`1900000109,`T1,`0.01,`咖啡, 大杯',
  '`2019-06-11 11:00:00,`wx8888888888888888,`1900000109,`T2,`100.00,`茶',
  '总交易单数,应结订单总金额,退款总金额',
  '`2,`100.01,`0.00',
  '',
].join('\r\n');

type Route = (req: IncomingMessage, res: ServerResponse) => void;

describe('bill downloads over a loopback server', () => {
  const emulator = Emulator.create();
  const routes = new Map<string, Route>();
  const seen: Array<{ url: string; signed: boolean }> = [];
  let server: Server;
  let client: WeChatPayClient;
  let base: string;
  let dir: string;

  const json = (res: ServerResponse, status: number, data: unknown) => {
    const body = JSON.stringify(data);
    res.writeHead(status, { 'content-type': 'application/json', ...emulator.signResponse(body) });
    res.end(body);
  };
  const bill = (bytes: Buffer, hash: 'SHA1' | 'SHA256', hashOf: Buffer = bytes, token = 'tok') => {
    routes.set('/v3/bill/tradebill', (_req, res) =>
      json(res, 200, { hash_type: hash, hash_value: createHash(hash === 'SHA1' ? 'sha1' : 'sha256').update(hashOf).digest('hex'), download_url: `https://api.mch.weixin.qq.com/v3/billdownload/file?token=${token}` }),
    );
    routes.set('/v3/billdownload/file', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
      res.end(bytes);
    });
  };
  const leftovers = async () => (await readdir(dir)).filter((name) => name !== 'keep');

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = req.url ?? '/';
      const auth = String(req.headers.authorization ?? '');
      const fields = Object.fromEntries([...auth.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      const message = `${req.method}\n${url}\n${fields.timestamp}\n${fields.nonce_str}\n\n`;
      const signed = rsaVerify('sha256', Buffer.from(message), emulator.merchant.publicKey, Buffer.from(fields.signature ?? '', 'base64'));
      seen.push({ url, signed });
      if (!signed) return json(res, 401, { code: 'SIGN_ERROR', message: 'bad signature' });
      const route = routes.get(url.split('?')[0] as string);
      if (!route) return json(res, 404, { code: 'NOT_FOUND', message: url });
      route(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    client = Builder.factory(emulator.clientConfig({ baseURL: base }));
    dir = await mkdtemp(join(tmpdir(), 'bill-e2e-'));
  });
  beforeEach(async () => {
    routes.clear();
    for (const name of await readdir(dir)) await rm(join(dir, name), { force: true });
  });
  afterAll(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('asks the bill, follows download_url with a signed GET and writes the checked file', async () => {
    bill(Buffer.from(BILL), 'SHA1', Buffer.from(BILL), 'a+b%2Fc_-');
    const to = join(dir, 'trade.csv');
    const [result] = await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, to);
    expect(result).toMatchObject({ path: to, bytes: Buffer.byteLength(BILL), hashType: 'SHA1' });
    expect(await readFile(to, 'utf8')).toBe(BILL);
    expect(seen.slice(-2)).toEqual([
      { url: '/v3/bill/tradebill?bill_date=2019-06-11', signed: true },
      // the query of download_url is signed and sent as given, not re-encoded
      { url: '/v3/billdownload/file?token=a+b%2Fc_-', signed: true },
    ]);
    expect(await leftovers()).toEqual(['trade.csv']);
  });

  it('gunzips a tar_type=GZIP bill and checks SHA256 over the decompressed bytes, into a Writable', async () => {
    bill(gzipSync(Buffer.from(BILL)), 'SHA256', Buffer.from(BILL));
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    const [result] = await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11', tar_type: 'GZIP' } }, sink);
    expect(result!.hashType).toBe('SHA256');
    expect(Buffer.concat(chunks).toString()).toBe(BILL);
  });

  it('rejects a digest mismatch with VerificationError and leaves no file', async () => {
    bill(Buffer.from(BILL), 'SHA1', Buffer.from('something else'));
    const to = join(dir, 'trade.csv');
    const error = await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, to).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).reason).toBe('digest-mismatch');
    expect(await leftovers()).toEqual([]);
  });

  it('destroys a Writable target on a digest mismatch instead of ending it', async () => {
    bill(Buffer.from(BILL), 'SHA256', Buffer.from('x'));
    const sink = new PassThrough();
    sink.resume();
    let finished = false;
    sink.on('finish', () => (finished = true));
    await expect(downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, sink)).rejects.toThrow(VerificationError);
    expect(finished).toBe(false);
    expect(sink.destroyed).toBe(true);
  });

  it('hashes on the worker thread with offThreadHash, and still refuses a mismatch', async () => {
    const bytes = Buffer.alloc(17 * 1024 * 1024, 0x5a);
    bill(bytes, 'SHA1');
    const to = join(dir, 'big.csv');
    const [result] = await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, to, { offThreadHash: true });
    expect(result).toMatchObject({ bytes: bytes.length, digest: createHash('sha1').update(bytes).digest('hex') });
    bill(bytes, 'SHA1', Buffer.from('other'));
    const error = await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, join(dir, 'bad.csv'), { offThreadHash: true }).catch((e: unknown) => e);
    expect((error as VerificationError).reason).toBe('digest-mismatch');
    expect(await leftovers()).toEqual(['big.csv']);
  });

  it('drops the worker hash and the partial file when an off-thread download is cut short', async () => {
    const bytes = Buffer.alloc(4 * 1024 * 1024, 0x41);
    bill(bytes, 'SHA1');
    routes.set('/v3/billdownload/file', (req, res) => {
      res.writeHead(200, { 'content-length': String(bytes.length) });
      res.write(bytes.subarray(0, 3 * 1024 * 1024), () => setTimeout(() => req.socket.destroy(), 20));
    });
    const request = { query: { bill_date: '2019-06-11' } };
    const error = await downloadBill(client, 'v3/bill/tradebill', request, join(dir, 'cut.csv'), { offThreadHash: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(await leftovers()).toEqual([]);
  });

  it('fails with NetworkError and keeps no partial file when the server closes mid-body', async () => {
    const bytes = Buffer.alloc(256 * 1024, 0x41);
    bill(bytes, 'SHA1');
    routes.set('/v3/billdownload/file', (req, res) => {
      res.writeHead(200, { 'content-length': String(bytes.length) });
      res.write(bytes.subarray(0, 100 * 1024), () => setTimeout(() => req.socket.destroy(), 20));
    });
    const error = await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, join(dir, 'trade.csv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect(await leftovers()).toEqual([]);
  });

  it('fails with TimeoutError and keeps no partial file when the body stalls', async () => {
    bill(Buffer.alloc(1024, 1), 'SHA1');
    const stalled: IncomingMessage[] = [];
    routes.set('/v3/billdownload/file', (req, res) => {
      stalled.push(req);
      res.writeHead(200, { 'content-length': '1024' });
      res.write(Buffer.alloc(100, 1)); // and never the rest
    });
    const started = Date.now();
    const error = await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, join(dir, 'trade.csv'), { timeout: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(10_000); // bounded, not a performance assertion
    expect(await leftovers()).toEqual([]);
    for (const req of stalled) req.socket.destroy();
  });

  it('reports a refused file GET (expired token) as HttpError', async () => {
    bill(Buffer.from(BILL), 'SHA1');
    routes.set('/v3/billdownload/file', (_req, res) => json(res, 400, { code: 'INVALID_REQUEST', message: 'token expired' }));
    const error = await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, join(dir, 'trade.csv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).code).toBe('INVALID_REQUEST');
    expect(await leftovers()).toEqual([]);
  });

  it('downloads every file of a split bill (download_bill_list) to a target per entry', async () => {
    const parts = [Buffer.from('part one\n'), Buffer.from('part two\n')];
    routes.set('/v3/ecommerce/bill/fundflowbill', (_req, res) =>
      json(res, 200, {
        download_bill_count: 2,
        download_bill_list: parts.map((bytes, i) => ({ bill_sequence: i + 1, hash_type: 'SHA1', hash_value: createHash('sha1').update(bytes).digest('hex'), download_url: `https://api.mch.weixin.qq.com/v3/billdownload/file?token=p${i}` })),
      }),
    );
    routes.set('/v3/billdownload/file', (req, res) => {
      const bytes = parts[Number(new URL(req.url!, base).searchParams.get('token')!.slice(1))]!;
      res.writeHead(200, { 'content-length': String(bytes.length) });
      res.end(bytes);
    });
    const request = { query: { bill_date: '2019-06-11', account_type: 'ALL', algorithm: 'AEAD_AES_256_GCM' } };
    await expect(downloadBill(client, 'v3/ecommerce/bill/fundflowbill', request, join(dir, 'one.csv'))).rejects.toThrow(/pass a function/);
    const results = await downloadBill(client, 'v3/ecommerce/bill/fundflowbill', request, (file) => join(dir, `fund-${file.bill_sequence}.csv`));
    expect(results.map((r) => r.bytes)).toEqual([9, 9]);
    expect(await readFile(join(dir, 'fund-2.csv'), 'utf8')).toBe('part two\n');
  });

  it('refuses a bad download_url or hash_type with ArgumentError', async () => {
    await expect(downloadFile(client, { download_url: 'not a url' }, join(dir, 'x'))).rejects.toThrow(/not an absolute URL/);
    await expect(downloadFile(client, { download_url: `${base}v3/billdownload/file?token=t`, hash_type: 'MD5', hash_value: 'ab' }, join(dir, 'x'))).rejects.toThrow(/not supported/);
  });

  it('streams an exempt download with { stream: true } (bytes arrive before the body ends)', async () => {
    const first = Buffer.alloc(64 * 1024, 0x61);
    let finish: () => void = () => undefined;
    routes.set('/v3/billdownload/file', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(first);
      finish = () => res.end(Buffer.from('end'));
    });
    const res = await client.v3.billdownload.file.get({ query: { token: 't' }, stream: true });
    expect(Buffer.isBuffer(res.body)).toBe(false);
    const iterator = (res.body as Readable)[Symbol.asyncIterator]();
    const chunk = (await iterator.next()).value as Buffer;
    expect(chunk.length).toBeGreaterThan(0);
    finish();
    let total = chunk.length;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) total += (next.value as Buffer).length;
    expect(total).toBe(first.length + 3);
  });

  it('times out a stalled { stream: true } body with TimeoutError while it is being read', async () => {
    const stalled: IncomingMessage[] = [];
    routes.set('/v3/billdownload/file', (req, res) => {
      stalled.push(req);
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(10));
    });
    const res = await client.v3.billdownload.file.get({ query: { token: 't' }, stream: true, timeout: 300 });
    const error = await (async () => {
      for await (const _chunk of res.body as Readable) void _chunk;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    for (const req of stalled) req.socket.destroy();
  });

  it('reports a connection closed mid-body to a { stream: true } reader as NetworkError', async () => {
    routes.set('/v3/billdownload/file', (req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000), () => setTimeout(() => req.socket.destroy(), 20));
    });
    const res = await client.v3.billdownload.file.get({ query: { token: 't' }, stream: true });
    const error = await (async () => {
      for await (const _chunk of res.body as Readable) void _chunk;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect((error as NetworkError).request?.headers.authorization).toMatch(/^WECHATPAY2-SHA256-RSA2048 \[REDACTED\]$/);
  });

  it('parses the downloaded bill into typed detail and summary rows', async () => {
    bill(Buffer.from(BILL), 'SHA1');
    const to = join(dir, 'trade.csv');
    await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, to);
    const rows = [];
    for await (const row of parseBill(to)) rows.push(row);
    expect(rows.map((r) => r.section)).toEqual(['detail', 'detail', 'summary']);
    expect(rows[0]!.fields).toMatchObject({ 商户订单号: 'T1', 订单金额: '0.01', 商品名称: '咖啡, 大杯' });
    expect(rows[2]!.fields).toEqual({ 总交易单数: '2', 应结订单总金额: '100.01', 退款总金额: '0.00' });
  });
});

describe('other file downloads through the emulator', () => {
  it('complaint images come back as bytes without a signature; statements are checked by their SHA-1', async () => {
    const { http, HttpResponse } = await import('msw');
    const emulator = Emulator.create();
    const image = Buffer.from('89504e470d0a1a0a', 'hex');
    const statement = Buffer.from('statement,bytes\n');
    let statementSha1 = createHash('sha1').update(statement).digest('hex');
    emulator.use(
      http.get('*/v3/merchant-service/images/:media_id', () => new HttpResponse(image, { headers: { 'content-type': 'image/png', 'x-emulator-unsigned': '1' } })),
      http.get('*/v3/statements', () => {
        const headers = { 'content-type': 'text/csv', 'x-emulator-unsigned': '1', 'wechatpay-statement-sha1': statementSha1, ...emulator.signResponse(`{"sha1":"${statementSha1}"}`) };
        return new HttpResponse(statement, { headers });
      }),
    );
    const client = Builder.factory(emulator.clientConfig());
    const img = await client.v3.merchantService.images._media_id_.get({ media_id: 'ChsyMDIxMDMwNDE1MjQ' });
    expect(Buffer.isBuffer(img.body) && img.body.equals(image)).toBe(true);
    const ok = await loose(client).v3.statements.get({ query: { statement_date: '2024-01-01' }, stream: true });
    const chunks: Buffer[] = [];
    for await (const chunk of ok.body as Readable) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(statement)).toBe(true);
    statementSha1 = createHash('sha1').update('other').digest('hex');
    const error = await loose(client).v3.statements.get({ query: { statement_date: '2024-01-01' } }).catch((e: unknown) => e);
    expect((error as VerificationError).reason).toBe('digest-mismatch');
    await client.close();
  });

  it('downloads e-invoice files (no digest given) and transfer e-receipts (SHA256) with downloadFile', async () => {
    const { http, HttpResponse } = await import('msw');
    const emulator = Emulator.create();
    const pdf = Buffer.from('%PDF-1.7 fapiao');
    const receipt = Buffer.from('%PDF-1.7 receipt');
    emulator.use(
      http.get('*/v3/new-tax-control-fapiao/download', () => new HttpResponse(pdf, { headers: { 'content-type': 'application/pdf', 'x-emulator-unsigned': '1' } })),
      http.get('*/v3/transferdownload/signfile', () => new HttpResponse(receipt, { headers: { 'content-type': 'application/pdf', 'x-emulator-unsigned': '1' } })),
      http.get('*/v3/transfer/bill-receipt/:out_batch_no', () =>
        HttpResponse.json({ hash_type: 'SHA256', hash_value: createHash('sha256').update(receipt).digest('hex'), download_url: 'https://api.mch.weixin.qq.com/v3/transferdownload/signfile?token=r1', signature_status: 'FINISHED' }),
      ),
    );
    const client = Builder.factory(emulator.clientConfig());
    const fapiao = new PassThrough();
    const got: Buffer[] = [];
    fapiao.on('data', (chunk: Buffer) => got.push(chunk));
    await downloadFile(client, { download_url: 'https://api.mch.weixin.qq.com/v3/new-tax-control-fapiao/download?mchid=1900000109&media_id=m1&sign=s' }, fapiao);
    expect(Buffer.concat(got).equals(pdf)).toBe(true);
    expect(emulator.requests.at(-1)).toMatchObject({ path: '/v3/new-tax-control-fapiao/download?mchid=1900000109&media_id=m1&sign=s', verified: true });
    const { data } = await client.v3.transfer.billReceipt._out_batch_no_.get({ out_batch_no: 'B1' });
    const sink = new PassThrough();
    sink.resume();
    const result = await downloadFile(client, data as DownloadableFile, sink);
    expect(result).toMatchObject({ bytes: receipt.length, hashType: 'SHA256' });
    await client.close();
  });

  it('refuses a download_url that is not http(s)', async () => {
    const emulator = Emulator.create();
    const client = Builder.factory(emulator.clientConfig());
    await expect(downloadFile(client, { download_url: 'ftp://x/y' }, new PassThrough())).rejects.toThrow(/http\(s\)/);
    await client.close();
  });
});
