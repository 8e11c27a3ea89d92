import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Builder, HttpError, type WeChatPayClient } from '../../lib/index.js';
import { downloadBill, parseBill } from '../../lib/download/index.js';
import { MediaUtil } from '../../lib/media/index.js';
import { Emulator, mediaHandlers } from '../../lib/testing/index.js';

const CSV = '交易时间,商户订单号,订单金额\n`2019-06-11 10:00:00,`T1,`0.01\n总交易单数,订单总金额\n`1,`0.01\n';

describe('the emulator with mediaHandlers (in process)', () => {
  const emulator = Emulator.create({ handlers: mediaHandlers({ bills: { '2019-06-11': CSV }, hashType: 'SHA256' }) });
  let client: WeChatPayClient;
  let dir: string;
  beforeAll(async () => {
    client = Builder.factory(emulator.clientConfig());
    dir = await mkdtemp(join(tmpdir(), 'media-handlers-'));
  });
  afterAll(async () => {
    await client.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts an upload whose meta digest matches the file, in both call styles', async () => {
    const media = new MediaUtil('logo.png', Buffer.from('png bytes'));
    const short = await client.v3.merchant.media.upload.post({ media });
    expect(short.data).toEqual({ media_id: expect.stringMatching(/^emulator-media-/) });
    const php = await client.v3.merchantService.images.upload.post({ body: media.getStream(), headers: { 'content-type': media.getContentType() } });
    expect(php.status).toBe(200);
    const sm3 = await client.v3.newTaxControlFapiao.fapiaoApplications.uploadFapiaoFile.post({ media: new MediaUtil('f.pdf', Buffer.from('%PDF')) });
    expect(sm3.status).toBe(200);
  });

  it('refuses an upload whose meta digest does not match the file', async () => {
    // a layout that puts an SM3 digest under "sha256": signed correctly, but the wrong digest
    const wrong = new MediaUtil('a.png', Buffer.from('xyz'), { layout: { nameKey: 'filename', digestKey: 'sha256', algorithm: 'sm3', field: 'file' } });
    const error = await client.v3.merchant.media.upload.post({ media: wrong }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).code).toBe('PARAM_ERROR');
    expect(emulator.requests.at(-1)!.verified).toBe(true);
  });

  it('serves a gzip bill that downloadBill unpacks, checks and parseBill reads', async () => {
    const to = join(dir, 'trade.csv');
    const [result] = await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11', tar_type: 'GZIP' } }, to);
    expect(result!.hashType).toBe('SHA256');
    expect(await readFile(to, 'utf8')).toBe(CSV);
    const rows = [];
    for await (const row of parseBill(to)) rows.push(row);
    expect(rows.map((r) => [r.section, r.values.join('|')])).toEqual([
      ['detail', '2019-06-11 10:00:00|T1|0.01'],
      ['summary', '1|0.01'],
    ]);
  });

  it('answers NO_STATEMENT_EXIST for a day without a bill', async () => {
    const error = await downloadBill(client, 'v3/bill/fundflowbill', { query: { bill_date: '2000-01-01' } }, join(dir, 'none.csv')).catch((e: unknown) => e);
    expect((error as HttpError).code).toBe('NO_STATEMENT_EXIST');
  });
});

describe('mediaHandlers with the merchant public key (encrypted fund flow bills)', () => {
  it('serves a sub-merchant fund flow bill sealed for the merchant that downloadBill decrypts and checks', async () => {
    const emulator = Emulator.create();
    emulator.use(...mediaHandlers({ bills: { '2019-06-11': CSV }, merchantPublicKey: emulator.merchant.publicKey }));
    const client = Builder.factory(emulator.clientConfig());
    const dir = await mkdtemp(join(tmpdir(), 'media-handlers-enc-'));
    try {
      const query = { sub_mchid: '1900000001', bill_date: '2019-06-11', account_type: 'BASIC', algorithm: 'AEAD_AES_256_GCM', tar_type: 'GZIP' } as const;
      const { data } = await client.v3.bill.subMerchantFundflowbill.get({ query });
      const entry = (data as { download_bill_list: Array<Record<string, unknown>> }).download_bill_list[0]!;
      expect(entry).toMatchObject({ bill_sequence: 1, encrypt_key: expect.any(String), nonce: expect.any(String) });
      const [result] = await downloadBill(client, 'v3/bill/sub-merchant-fundflowbill', { query }, (file) => join(dir, `sub-${file.bill_sequence}.csv`));
      expect(result!.bytes).toBe(Buffer.byteLength(CSV));
      expect(await readFile(join(dir, 'sub-1.csv'), 'utf8')).toBe(CSV);
    } finally {
      await client.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
