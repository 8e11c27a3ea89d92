import { createHash, verify as rsaVerify } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, type WeChatPayClient } from '../../lib/index.js';
import { downloadBill, downloadFile } from '../../lib/download/index.js';
import { Emulator } from '../../lib/testing/index.js';
import { httpServer, type Loopback } from '../support/loopback.js';

const BILL = Buffer.from('交易时间,商户订单号\r\n`2019-06-11 10:00:00,`T1\r\n');

describe('the file GET goes where the client sends the origin download_url names, when it knows it', () => {
  const emulator = Emulator.create();
  const seen: Array<{ server: string; url: string; signed: boolean }> = [];
  let main: Loopback;
  let hk: Loopback;
  let client: WeChatPayClient;

  const serve = (name: string) => (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const fields = Object.fromEntries([...String(req.headers.authorization ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const message = `${req.method}\n${url}\n${fields.timestamp}\n${fields.nonce_str}\n\n`;
    const signed = rsaVerify('sha256', Buffer.from(message), emulator.merchant.publicKey, Buffer.from(fields.signature ?? '', 'base64'));
    seen.push({ server: name, url, signed });
    if (/^\/(?:hk\/)?v3\/bill\/tradebill/.test(url)) {
      const body = JSON.stringify({
        hash_type: 'SHA1',
        hash_value: createHash('sha1').update(BILL).digest('hex'),
        // WeChat Pay's Hong Kong host answers with a download_url on its own host
        download_url: `https://apihk.mch.weixin.qq.com/v3/billdownload/file?token=${name}`,
      });
      res.writeHead(200, { 'content-type': 'application/json', ...emulator.signResponse(body) });
      res.end(body);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(BILL);
  };

  beforeAll(async () => {
    main = await httpServer(serve('main'));
    hk = await httpServer(serve('hk'));
    client = Builder.factory(
      emulator.clientConfig({
        baseURL: main.baseURL,
        hosts: {
          'https://apihk.mch.weixin.qq.com': hk.baseURL,
          // the backup and the newer domains, mapped like any WeChat Pay origin
          'https://api2.mch.weixin.qq.com': main.baseURL,
          'https://api.wechatpay.cn/': main.baseURL,
          'https://api2.wechatpay.cn': main.baseURL,
        },
      }),
    );
  });
  beforeEach(() => {
    seen.length = 0;
  });
  afterAll(async () => {
    await client.close();
    await Promise.all([main.close(), hk.close()]);
  });

  it('follows an apihk download_url to where hosts sends apihk (a bill asked via hk/v3/bill/tradebill, sent to the default host)', async () => {
    const sink = new PassThrough();
    sink.resume();
    const [result] = await downloadBill(client, 'hk/v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, sink);
    expect(result!.bytes).toBe(BILL.length);
    expect(seen).toEqual([
      { server: 'main', url: '/hk/v3/bill/tradebill?bill_date=2019-06-11', signed: true },
      { server: 'hk', url: '/v3/billdownload/file?token=main', signed: true },
    ]);
  });

  it('sends a download_url naming a configured host (by host and port) to that host', async () => {
    const sink = () => new PassThrough().resume();
    await downloadFile(client, { download_url: `${hk.baseURL}v3/billdownload/file?token=direct` }, sink());
    await downloadFile(client, { download_url: `${main.baseURL}v3/billdownload/file?token=base` }, sink());
    await downloadFile(client, { download_url: 'https://api.mch.weixin.qq.com/v3/billdownload/file?token=official' }, sink());
    // backup and newer domains: wechatpay-go core/consts/const.go (api2.mch), wechatpay-java core/…/http/Constant.java (api.wechatpay.cn, api2.wechatpay.cn)
    await downloadFile(client, { download_url: 'https://api2.mch.weixin.qq.com/v3/billdownload/file?token=backup' }, sink());
    await downloadFile(client, { download_url: 'https://api.wechatpay.cn/v3/billdownload/file?token=new' }, sink());
    await downloadFile(client, { download_url: 'https://api2.wechatpay.cn/v3/billdownload/file?token=new2' }, sink());
    expect(seen.map(({ server, url, signed }) => `${server} ${url} ${signed}`)).toEqual([
      'hk /v3/billdownload/file?token=direct true',
      'main /v3/billdownload/file?token=base true',
      // baseURL is where the official API host goes (a forward proxy, the emulator)
      'main /v3/billdownload/file?token=official true',
      'main /v3/billdownload/file?token=backup true',
      'main /v3/billdownload/file?token=new true',
      'main /v3/billdownload/file?token=new2 true',
    ]);
  });

  it('refuses a download_url on a host the client does not know, before sending anything', async () => {
    for (const download_url of ['https://evil.example.com/v3/billdownload/file?token=t', 'https://api.mch.weixin.qq.com.evil.example/v3/billdownload/file?token=t', 'http://127.0.0.1:1/v3/billdownload/file?token=t']) {
      const error = await downloadFile(client, { download_url }, new PassThrough()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).field).toBe('download_url');
      expect((error as Error).message).toMatch(/not sent there/);
    }
    expect(seen).toEqual([]);
  });
});
