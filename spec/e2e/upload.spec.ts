import { createHash, verify as rsaVerify } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Builder, type WeChatPayClient, WeChatPayError } from '../../lib/index.js';
import { MediaUtil, UPLOAD_ENDPOINTS } from '../../lib/media/index.js';
import { Emulator } from '../../lib/testing/index.js';
import { parseMultipart, type Part } from '../support/multipart.js';

/** Parses a multipart request the way a server would, keeping the order of the parts. */

describe('uploads on the wire (a loopback server parses the multipart)', () => {
  const emulator = Emulator.create();
  let server: Server;
  let client: WeChatPayClient;
  let dir: string;
  const seen: Array<{ headers: IncomingMessage['headers']; parts: Part[]; signatureOk: boolean; metaShaOk: boolean }> = [];
  let failNext = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upload-e2e-'));
    server = createServer((req, res) => {
      void parseMultipart(req).then(
        (parts) => {
          // the merchant signature covers METHOD, path, timestamp, nonce and the exact meta JSON
          const auth = String(req.headers.authorization);
          const fields = Object.fromEntries([...auth.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
          const meta = parts.find((p) => p.name === 'meta')?.bytes.toString('utf8') ?? '';
          const message = `${req.method}\n${req.url}\n${fields.timestamp}\n${fields.nonce_str}\n${meta}\n`;
          const signatureOk = rsaVerify('sha256', Buffer.from(message), emulator.merchant.publicKey, Buffer.from(fields.signature ?? '', 'base64'));
          const file = parts.find((p) => p.filename !== undefined);
          const metaShaOk = file !== undefined && JSON.parse(meta).sha256 === createHash('sha256').update(file.bytes).digest('hex');
          seen.push({ headers: req.headers, parts, signatureOk, metaShaOk });
          if (failNext > 0) {
            failNext--;
            res.writeHead(500, { 'content-type': 'application/json' });
            return void res.end('{"code":"SYSTEM_ERROR","message":"try again"}');
          }
          const body = JSON.stringify({ media_id: `m${seen.length}` });
          res.writeHead(signatureOk && metaShaOk ? 200 : 400, { 'content-type': 'application/json', ...emulator.signResponse(body) });
          res.end(body);
        },
        (error: Error) => {
          res.writeHead(500);
          res.end(error.message);
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = Builder.factory({ ...emulator.clientConfig({ baseURL: `http://127.0.0.1:${port}/` }) });
  });
  afterAll(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('sends meta first and the file second, signed over the meta JSON (shorthand)', async () => {
    const bytes = Buffer.from('not really a video, but bytes all the same');
    const media = new MediaUtil('clip.mp4', bytes);
    const res = await client.v3.merchant.media.video_upload.post({ media });
    expect(res.data).toEqual({ media_id: 'm1' });
    const { parts, headers, signatureOk, metaShaOk } = seen.at(-1)!;
    expect(signatureOk && metaShaOk).toBe(true);
    expect(parts.map((p) => p.name)).toEqual(['meta', 'file']);
    expect(parts[0]!.contentType).toBe('application/json');
    expect(parts[1]).toMatchObject({ filename: 'clip.mp4', contentType: 'video/mp4' });
    expect(parts[1]!.bytes.equals(bytes)).toBe(true);
    expect(headers['content-type']).toBe(media.getContentType());
    expect(Number(headers['content-length'])).toBe(await media.getLength());
    expect(headers['transfer-encoding']).toBeUndefined();
  });

  it('signs the meta when the body is given as media.getStream() (wechatpay-php style)', async () => {
    const path = join(dir, 'logo.png');
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 0x5a);
    await writeFile(path, bytes);
    const media = new MediaUtil(path);
    const res = await client.v3.merchant.media.upload.post({ body: media.getStream(), headers: { 'content-type': media.getContentType() } });
    expect(res.status).toBe(200);
    const { parts, signatureOk, metaShaOk } = seen.at(-1)!;
    expect(signatureOk && metaShaOk).toBe(true);
    expect(parts[1]!.bytes.equals(bytes)).toBe(true);
  });

  it('re-sends a fresh stream, signed again, when the client retries the upload', async () => {
    const bytes = Buffer.from('retry me');
    failNext = 1;
    // the client's retry step sits before signing: each attempt is signed again and needs a fresh body
    const retrying = Builder.factory({
      ...emulator.clientConfig({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }),
      retry: { retries: 1, minDelay: 1, maxDelay: 1 },
    });
    const res = await retrying.v3.merchant.media.upload.post({ media: new MediaUtil('r.png', bytes), retry: true });
    await retrying.close();
    expect(res.status).toBe(200);
    const [first, second] = seen.slice(-2);
    expect(first!.parts[1]!.bytes.equals(bytes) && second!.parts[1]!.bytes.equals(bytes)).toBe(true);
    expect(second!.signatureOk && second!.metaShaOk).toBe(true);
    expect(first!.headers.authorization).not.toBe(second!.headers.authorization);
  });

  it('fails the request when the file changes between hashing and sending', async () => {
    const path = join(dir, 'moving.png');
    await writeFile(path, Buffer.alloc(1000, 1));
    const media = new MediaUtil(path);
    await media.getMeta();
    await writeFile(path, Buffer.alloc(2000, 2));
    const before = seen.length;
    const error = await client.v3.merchant.media.upload.post({ media }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeChatPayError);
    expect(String((error as Error).message) + String((error as Error).cause)).toMatch(/changed while it was being uploaded/);
    expect(seen.slice(before).every((r) => r.parts.length < 2 || r.parts[1]!.bytes.length <= 1000)).toBe(true);
  });
});

// Every upload endpoint of the catalog, through the emulator's loopback server: the emulator
// checks the signature over the meta part; the handler checks the layout the endpoint wants.
const ENDPOINTS: Array<{ template: string; options?: Record<string, unknown>; meta?: Record<string, unknown>; fields?: Record<string, string>; file: string; field: string; keys: string[] }> = [
  { template: 'v3/merchant/media/upload', file: 'logo.png', field: 'file', keys: ['filename', 'sha256'] },
  { template: 'v3/merchant/media/video_upload', file: 'clip.mp4', field: 'file', keys: ['filename', 'sha256'] },
  { template: 'v3/marketing/favor/media/image-upload', file: 'coupon.jpg', field: 'file', keys: ['filename', 'sha256'] },
  { template: 'v3/marketing/partner/product-coupon/media/upload-image', file: 'coupon.png', field: 'file', keys: ['filename', 'sha256'] },
  { template: 'v3/merchant-service/images/upload', file: 'proof.jpg', field: 'file', keys: ['filename', 'sha256'] },
  { template: 'v3/global/merchant-service/images/upload', file: 'proof.png', field: 'file', keys: ['filename', 'sha256'] },
  { template: 'v3/global/merchant-storage/file/upload', file: 'contract.pdf', field: 'file', keys: ['filename', 'sha256'] },
  { template: 'v3/marketing/bank/packages/{package_id}/tasks', options: { package_id: '8888' }, meta: { bank_type: 'ICBC_DEBIT' }, file: 'users.csv', field: 'file', keys: ['filename', 'sha256', 'bank_type'] },
  { template: 'v3/marketing/shopping-receipt/shoppingreceipts', meta: { transaction_id: '4200000000000000000000000000', openid: 'o1' }, file: 'receipt.png', field: 'file', keys: ['sha256', 'transaction_id', 'openid'] },
  { template: 'v3/ecommerce/account/cancel-applications/media', file: 'id.jpg', field: 'file', keys: ['file_name', 'file_digest'] },
  { template: 'v3/mch-manage/submission-files/sub-mchid/{sub_mchid}/upload', options: { sub_mchid: '1900000109' }, fields: { item_id: '1', manage_record_id: '2' }, file: 'license.png', field: 'submission_file', keys: ['file_name', 'file_digest'] },
  { template: 'v3/mch-operation-manage/enhanced-due-diligence/{due_diligence_id}/upload', options: { due_diligence_id: 'D1' }, meta: { sub_mchid: '1900000109', item_id: 130013 }, file: 'edd.pdf', field: 'due_diligence_file', keys: ['file_name', 'file_digest', 'sub_mchid', 'item_id'] },
  { template: 'v3/new-tax-control-fapiao/fapiao-applications/upload-fapiao-file', file: 'fapiao.ofd', field: 'file', keys: ['digest', 'digest_alogrithm', 'file_type'] },
  { template: 'v3/taxi-invoice/cards/upload-file', meta: { company_mchid: '1900000109', region_id: 310100 }, file: 'taxi.pdf', field: 'file', keys: ['digest', 'digest_algorithm', 'company_mchid', 'region_id'] },
];

describe('every upload endpoint of the catalog (emulator over loopback)', () => {
  const emulator = Emulator.create();
  let client: WeChatPayClient;
  let close = async () => {};
  const received: Array<{ path: string; form: FormData }> = [];

  beforeAll(async () => {
    emulator.use(
      http.post('*', async ({ request }) => {
        received.push({ path: new URL(request.url).pathname, form: await request.formData() });
        return HttpResponse.json({ media_id: 'ok' });
      }),
    );
    const server = await emulator.listen();
    close = server.close;
    client = Builder.factory(emulator.clientConfig({ baseURL: server.baseURL }));
  });
  afterAll(async () => {
    await client.close();
    await close();
  });

  it('lists exactly the catalog upload endpoints', () => {
    expect(ENDPOINTS.map((e) => e.template).sort()).toEqual(Object.keys(UPLOAD_ENDPOINTS).sort());
  });

  for (const endpoint of ENDPOINTS) {
    it(`uploads to ${endpoint.template} with the meta it expects`, async () => {
      const bytes = Buffer.from(`content of ${endpoint.file}`);
      const media = new MediaUtil(endpoint.file, bytes, { meta: endpoint.meta, fields: endpoint.fields });
      const res = await client.chain(endpoint.template).post({ ...endpoint.options, media });
      expect(res.status).toBe(200);
      expect(emulator.requests.at(-1)!.verified).toBe(true);
      const { form } = received.at(-1)!;
      const meta = JSON.parse(String(form.get('meta'))) as Record<string, unknown>;
      expect(Object.keys(meta).sort()).toEqual([...endpoint.keys].sort());
      const layout = UPLOAD_ENDPOINTS[endpoint.template]!;
      expect(meta[layout.digestKey]).toBe(createHash(layout.algorithm).update(bytes).digest('hex'));
      const file = form.get(endpoint.field) as File;
      expect(file.name).toBe(endpoint.file);
      expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
      for (const [key, value] of Object.entries(endpoint.fields ?? {})) expect(form.get(key)).toBe(value);
    });
  }
});
