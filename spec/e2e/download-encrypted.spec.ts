import { constants, createCipheriv, createHash, getCiphers, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, VerificationError, type WeChatPayClient } from '../../lib/index.js';
import { downloadBill, downloadFile } from '../../lib/download/index.js';
import { Emulator, generateKeyPair } from '../../lib/testing/index.js';
import { httpServer, type Loopback } from '../support/loopback.js';

const BILL = Buffer.from(
  ['记账时间,微信支付业务单号,资金流水单号,业务名称,业务类型,收支类型,收支金额（元）', '`2019-06-11 10:00:00,`4200000001,`1000000001,`退款,`退款,`支出,`0.01', '资金流水总笔数,收入笔数,收入金额,支出笔数,支出金额', '`1,`0,`0.00,`1,`0.01', ''].join('\r\n'),
);

interface Entry {
  bill_sequence: number;
  download_url: string;
  encrypt_key: string;
  hash_type: string;
  hash_value: string;
  nonce: string;
}

/** What WeChat Pay does: a random file key wrapped with the merchant public key, the (gzipped) bill sealed with AES-256-GCM. */
function seal(plain: Buffer, merchantPublicKey: KeyObject, options: { gzip?: boolean } = {}) {
  const key = randomBytes(32);
  const nonce = randomBytes(8).toString('hex');
  const cipher = createCipheriv('aes-256-gcm', key, Buffer.from(nonce));
  const payload = options.gzip ? gzipSync(plain) : plain;
  const file = Buffer.concat([cipher.update(payload), cipher.final(), cipher.getAuthTag()]);
  const encrypt_key = publicEncrypt({ key: merchantPublicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key).toString('base64');
  return { file, encrypt_key, nonce };
}

const sha = (type: 'SHA1' | 'SHA256', bytes: Buffer) => createHash(type === 'SHA1' ? 'sha1' : 'sha256').update(bytes).digest('hex');

describe('encrypted sub-merchant fund flow bills', () => {
  const emulator = Emulator.create();
  const files = new Map<string, Buffer>();
  let entries: Entry[] = [];
  const seen: string[] = [];
  let server: Loopback;
  let client: WeChatPayClient;
  let dir: string;

  const query = { sub_mchid: '1900000001', bill_date: '2019-06-11', account_type: 'BASIC', algorithm: 'AEAD_AES_256_GCM' };
  const leftovers = async () => readdir(dir);
  const serve = (sealed: Array<{ file: Buffer; encrypt_key: string; nonce: string; hash_type?: 'SHA1' | 'SHA256'; hash_value?: string }>) => {
    files.clear();
    entries = sealed.map((one, i) => {
      files.set(`f${i}`, one.file);
      return { bill_sequence: i + 1, download_url: `https://api.mch.weixin.qq.com/v3/billdownload/file?token=f${i}`, encrypt_key: one.encrypt_key, nonce: one.nonce, hash_type: one.hash_type ?? 'SHA1', hash_value: one.hash_value ?? sha('SHA1', BILL) };
    });
  };

  beforeAll(async () => {
    server = await httpServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(url.pathname);
      if (url.pathname === '/v3/bill/sub-merchant-fundflowbill') {
        const body = JSON.stringify({ download_bill_count: entries.length, download_bill_list: entries });
        res.writeHead(200, { 'content-type': 'application/json', ...emulator.signResponse(body) });
        res.end(body);
        return;
      }
      const bytes = files.get(url.searchParams.get('token') ?? '');
      if (!bytes) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
      res.end(bytes);
    });
    client = Builder.factory(emulator.clientConfig({ baseURL: server.baseURL }));
    dir = await mkdtemp(join(tmpdir(), 'bill-encrypted-'));
  });
  beforeEach(async () => {
    seen.length = 0;
    for (const name of await readdir(dir)) await rm(join(dir, name), { force: true });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('unwraps encrypt_key with the merchant key, decrypts while streaming and checks the digest of the bill', async () => {
    serve([seal(BILL, emulator.merchant.publicKey)]);
    const to = join(dir, 'fund.csv');
    const [result] = await downloadBill(client, 'v3/bill/sub-merchant-fundflowbill', { query }, to);
    expect(result).toMatchObject({ path: to, bytes: BILL.length, hashType: 'SHA1', digest: sha('SHA1', BILL) });
    expect((await readFile(to)).equals(BILL)).toBe(true);
    expect(seen).toEqual(['/v3/bill/sub-merchant-fundflowbill', '/v3/billdownload/file']);
  });

  it('decrypts then gunzips a GZIP bill split in several files, one target each (digest of the bill or of the download)', async () => {
    const halves = [BILL.subarray(0, 100), BILL.subarray(100)];
    const first = seal(halves[0]!, emulator.merchant.publicKey, { gzip: true });
    const second = seal(halves[1]!, emulator.merchant.publicKey, { gzip: true });
    serve([
      { ...first, hash_type: 'SHA256', hash_value: sha('SHA256', halves[0]!) },
      // WeChat Pay's documents leave open whether hash_value is of the bill or of the downloaded file: both are accepted
      { ...second, hash_type: 'SHA256', hash_value: sha('SHA256', second.file) },
    ]);
    const results = await downloadBill(client, 'v3/bill/sub-merchant-fundflowbill', { query: { ...query, tar_type: 'GZIP' } }, (file) => join(dir, `fund-${file.bill_sequence}.csv`));
    expect(results.map((r) => r.bytes)).toEqual([100, BILL.length - 100]);
    const joined = Buffer.concat([await readFile(join(dir, 'fund-1.csv')), await readFile(join(dir, 'fund-2.csv'))]);
    expect(joined.equals(BILL)).toBe(true);
  });

  it('rejects tampered ciphertext or tag with VerificationError decrypt-failed and leaves no file', async () => {
    for (const gzip of [false, true]) {
      for (const where of ['ciphertext', 'tag'] as const) {
        const sealed = seal(BILL, emulator.merchant.publicKey, { gzip });
        const at = where === 'tag' ? sealed.file.length - 3 : 20;
        sealed.file[at]! ^= 0x40;
        serve([sealed]);
        const error = await downloadBill(client, 'v3/bill/sub-merchant-fundflowbill', { query: { ...query, ...(gzip ? { tar_type: 'GZIP' } : {}) } }, join(dir, 'fund.csv')).catch((e: unknown) => e);
        expect(error, `${where}, gzip ${gzip}`).toBeInstanceOf(VerificationError);
        expect((error as VerificationError).reason).toBe('decrypt-failed');
        expect(await leftovers()).toEqual([]);
      }
    }
  });

  it('destroys a Writable target instead of ending it when the tag does not match', async () => {
    const sealed = seal(BILL, emulator.merchant.publicKey);
    sealed.file[sealed.file.length - 1]! ^= 1;
    serve([sealed]);
    const sink = new PassThrough().resume();
    let ended = false;
    sink.on('finish', () => (ended = true));
    await expect(downloadBill(client, 'v3/bill/sub-merchant-fundflowbill', { query }, sink)).rejects.toThrow(/does not authenticate/);
    expect(ended).toBe(false);
    expect(sink.destroyed).toBe(true);
  });

  it('refuses an encrypt_key wrapped for another merchant key before downloading the file', async () => {
    serve([seal(BILL, generateKeyPair().publicKey)]);
    const error = await downloadBill(client, 'v3/bill/sub-merchant-fundflowbill', { query }, join(dir, 'fund.csv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).reason).toBe('decrypt-failed');
    expect((error as Error).message).toMatch(/encrypt_key does not decrypt/);
    expect(seen).toEqual(['/v3/bill/sub-merchant-fundflowbill']);
    expect(await leftovers()).toEqual([]);
  });

  it('rejects a digest that matches neither the decrypted bill nor the download, leaving no file', async () => {
    serve([{ ...seal(BILL, emulator.merchant.publicKey), hash_value: sha('SHA1', Buffer.from('another bill')) }]);
    const error = await downloadBill(client, 'v3/bill/sub-merchant-fundflowbill', { query }, join(dir, 'fund.csv')).catch((e: unknown) => e);
    expect((error as VerificationError).reason).toBe('digest-mismatch');
    expect(await leftovers()).toEqual([]);
  });

  it('needs the nonce, and the merchant key when the client was not made by Builder.factory', async () => {
    const sealed = seal(BILL, emulator.merchant.publicKey);
    serve([sealed]);
    const entry = { ...entries[0]! };
    await expect(downloadFile(client, { ...entry, nonce: undefined }, join(dir, 'x'))).rejects.toThrow(/comes with its nonce/);
    const bare = { chain: (path: string) => client.chain(path) };
    await expect(downloadFile(bare, entry, join(dir, 'x'))).rejects.toThrow(/options\.privateKey/);
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    await downloadFile(bare, entry, sink, { privateKey: emulator.merchant.privateKeyPem });
    expect(Buffer.concat(chunks).equals(BILL)).toBe(true);
  });

  it.skipIf(getCiphers().includes('sm4-gcm'))('refuses SM4_GCM bills (no sm4-gcm in this OpenSSL) before asking for them', async () => {
    serve([seal(BILL, emulator.merchant.publicKey)]);
    const error = await downloadBill(client, 'v3/bill/sub-merchant-fundflowbill', { query: { ...query, algorithm: 'SM4_GCM' } }, join(dir, 'fund.csv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).field).toBe('algorithm');
    expect((error as Error).message).toMatch(/AEAD_AES_256_GCM/);
    expect(seen).toEqual([]);
  });
});
