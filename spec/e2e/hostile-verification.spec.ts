/**
 * Hostile peers, byte for byte, against the package as source (lib/) and as published (dist/):
 * raw loopback servers and sockets send exactly what an attacker or a broken proxy would send,
 * and the merchant's side uses only the public entry points. Issue 13, items 1, 3 and 8.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist, ENTRY_KINDS, loadEntries, releaseEntries, type Entries, type EntryKind } from '../support/entries.js';
import { failure } from '../support/failure.js';
import { rawServer, type Loopback } from '../support/loopback.js';
import { v2SignOf } from '../support/multipart.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

// what a terminal or a line-based log acts on: C0 (ESC, CR, LF…), DEL, C1 (0x9b is CSI), separators, bidi controls
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex -- what XML 1.0 cannot carry (ESC, BEL…): an XML body holds newlines and C1 instead
const XML_ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;
// an ESC sequence that retitles the terminal, then a forged log line
const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\nwechatpay 4242: ← 200 GET https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/T1 in 3 ms request-id=ok';

const secret = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';
const mchid = '1900000109';
const appid = 'wx2421b1c4370ec43b';

/** Sends `request` as raw bytes to 127.0.0.1:port and reads the whole answer (bounded: 5 s). */
function rawExchange(port: number, request: string | Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: split === -1 ? '' : text.slice(split + 4) });
    });
    socket.end(request);
  });
}

/** A POST as an attacker writes it, by hand. */
function rawPost(path: string, body: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: merchant.example\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** An HTTP answer as bytes, written by hand: nothing normalizes it on the way. Header text is sent byte for byte (latin1). */
function rawAnswer(status: string, headers: Record<string, string>, body: string): Buffer {
  const head = Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)) }).map(([name, value]) => `${name}: ${value}\r\n`);
  return Buffer.concat([Buffer.from(`HTTP/1.1 ${status}\r\n${head.join('')}\r\n`, 'latin1'), Buffer.from(body)]);
}

/** A server that answers every request with what `answer` says for its request line. */
async function hostileServer(answer: (requestLine: string) => Buffer): Promise<Loopback> {
  return rawServer((socket, head) => socket.write(answer(head.slice(0, head.indexOf('\r\n')))));
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `wxpay` as its own process: from lib/ through tsx, or the built dist/cli/index.js. */
async function wxpay(kind: EntryKind, args: string[]): Promise<CliResult> {
  const entry = kind === 'lib' ? ['--import', 'tsx', join(root, 'lib/cli/index.ts')] : [join(await buildDist(), 'cli', 'index.js')];
  return new Promise((resolve) => {
    execFile(process.execPath, [...entry, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '' }, timeout: 45_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

// An old refund notification's req_info, made as WeChat Pay makes it (AES-256-ECB, PKCS#7, key =
// lower-case hex md5 of the APIv2 key: wechatpay-php README_APIv2 "v2回调通知" and
// tests/Crypto/AesEcbTest.php), independently of the package. Its fields are wechatpay-php's
// tests/fixtures/refund.notification.req_info.sample.xml (abridged).
const OLD_REFUND = { out_refund_no: '131811191610442717309', out_trade_no: '71106718111915575302817', refund_fee: '3960', refund_id: '50000408942018111907145868882', refund_status: 'SUCCESS', total_fee: '3960', transaction_id: '4200000215201811190261405420' };
function genuineReqInfo(): string {
  const plain = `<root>${Object.entries(OLD_REFUND).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('')}</root>`;
  const cipher = createCipheriv('aes-256-ecb', Buffer.from(createHash('md5').update(secret).digest('hex')), null);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

describe.each(ENTRY_KINDS)('hostile peers against the %s build', (kind) => {
  let main: Entries['main'];
  let testing: Entries['testing'];
  let apiv2: Entries['apiv2'];
  let certificates: Entries['certificates'];

  beforeAll(async () => {
    ({ main, testing, apiv2, certificates } = await loadEntries(kind));
  }, 120_000);
  afterAll(releaseEntries);

  /**
   * A merchant's client against a hostile raw server (one at a time), with its debug lines, and
   * `wxpay` against the same; registers its own hooks in the describe that calls it.
   */
  function hostileHarness() {
    let emulator: ReturnType<Entries['testing']['Emulator']['create']> | undefined;
    let server: Loopback | undefined;
    let client: import('../../lib/index.js').WeChatPayClient | undefined;
    let dir = '';
    const lines: string[] = [];
    const keys = () => emulator as ReturnType<Entries['testing']['Emulator']['create']>;

    beforeAll(async () => {
      emulator = testing.Emulator.create({ mchid, secret });
      dir = await mkdtemp(join(tmpdir(), 'wxpay-hostile-'));
    });
    afterAll(async () => {
      await client?.close();
      await server?.close();
      await rm(dir, { recursive: true, force: true });
    });

    async function serve(answer: (requestLine: string) => Buffer): Promise<string> {
      await client?.close();
      client = undefined;
      await server?.close();
      lines.length = 0;
      server = await hostileServer(answer);
      return server.baseURL;
    }

    return {
      lines,
      get emulator() {
        return keys();
      },
      async against(answer: (requestLine: string) => Buffer) {
        const baseURL = await serve(answer);
        client = main.Builder.factory(keys().clientConfig({ baseURL, debug: (line) => lines.push(line) }));
        return client;
      },
      async cli(answer: (requestLine: string) => Buffer, args: string[]): Promise<CliResult> {
        const baseURL = await serve(answer);
        await writeFile(join(dir, 'key.pem'), keys().merchant.privateKeyPem);
        await writeFile(join(dir, 'pub.pem'), keys().platform.publicKeyPem);
        const config = { mchid, serial: keys().merchant.serial, privateKey: 'file://key.pem', certs: { [keys().platform.serial]: 'file://pub.pem' }, baseURL };
        await writeFile(join(dir, 'wxpay.json'), JSON.stringify(config));
        return wxpay(kind, ['-c', join(dir, 'wxpay.json'), ...args]);
      },
    };
  }

  describe('item 1: an APIv2 notification body does not choose how it is authenticated', () => {
    interface Outcome {
      route: string;
      accepted?: { kind: string; data: Record<string, unknown>; unverified?: Record<string, unknown> };
      rejected?: { name: string; message: string };
    }
    let server: Server | undefined;
    let port = 0;
    const outcomes: Outcome[] = [];

    // the merchant's webhook: one route per kind, as the guide shows
    beforeAll(async () => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const route = req.url ?? '';
          const body = Buffer.concat(chunks);
          try {
            const notification =
              route === '/notify/refund'
                ? apiv2.ApiV2.parseNotification(body, { kind: 'refund', secret, mchid, appid })
                : apiv2.ApiV2.parseNotification(body, { kind: 'payment', secret, mchid, appid });
            outcomes.push({ route, accepted: { ...notification } });
            res.writeHead(200, { 'content-type': 'text/xml' }).end(apiv2.ApiV2.notificationReply());
          } catch (error) {
            const e = error as Error;
            outcomes.push({ route, rejected: { name: e.name, message: e.message } });
            res.writeHead(200, { 'content-type': 'text/xml' }).end(apiv2.ApiV2.notificationReply(false, 'rejected'));
          }
        });
      });
      port = await listen(server);
    });
    afterAll(() => close(server));

    async function deliver(route: string, body: string): Promise<Outcome> {
      const before = outcomes.length;
      const answer = await rawExchange(port, rawPost(route, body));
      expect(answer.status).toBe(200);
      expect(outcomes).toHaveLength(before + 1);
      return outcomes[before] as Outcome;
    }

    // the attack: an unsigned envelope claiming a paid order of the attacker's choosing, around a
    // genuine req_info copied from an old refund notification
    const forged = () =>
      `<xml><return_code><![CDATA[SUCCESS]]></return_code><result_code><![CDATA[SUCCESS]]></result_code><appid><![CDATA[${appid}]]></appid><mch_id><![CDATA[${mchid}]]></mch_id><nonce_str><![CDATA[x1]]></nonce_str><out_trade_no><![CDATA[ATTACKER-ORDER-1]]></out_trade_no><total_fee>99999900</total_fee><req_info><![CDATA[${genuineReqInfo()}]]></req_info></xml>`;

    it('refuses the forged envelope on the payment route: a payment always needs a valid sign', async () => {
      const outcome = await deliver('/notify/pay', forged());
      expect(outcome.accepted).toBeUndefined();
      expect(outcome.rejected?.name).toBe('VerificationError');
      expect(outcome.rejected?.message).toMatch(/no sign/);
    });

    it('on the refund route, yields only what req_info decrypts to: none of the envelope claims', async () => {
      const outcome = await deliver('/notify/refund', forged());
      expect(outcome.accepted?.kind).toBe('refund');
      expect(outcome.accepted?.data).toEqual({ ...OLD_REFUND, return_code: 'SUCCESS', appid, mch_id: mchid });
      expect(outcome.accepted?.unverified).toEqual({ result_code: 'SUCCESS', nonce_str: 'x1', out_trade_no: 'ATTACKER-ORDER-1', total_fee: '99999900' });
    });

    it('accepts a payment notification whose sign verifies, refuses it with one byte changed', async () => {
      const fields = { appid, mch_id: mchid, nonce_str: 'n2', result_code: 'SUCCESS', return_code: 'SUCCESS', out_trade_no: 'T2', total_fee: '1' };
      const body = `<xml>${Object.entries({ ...fields, sign: v2SignOf(fields, secret) }).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</xml>`;
      expect((await deliver('/notify/pay', body)).accepted?.data).toMatchObject({ out_trade_no: 'T2', total_fee: '1' });
      expect((await deliver('/notify/pay', body.replace('<total_fee>1<', '<total_fee>2<'))).rejected?.name).toBe('VerificationError');
    });

    it('refuses a refund envelope whose mch_id is not the merchant, even around a genuine req_info', async () => {
      const outcome = await deliver('/notify/refund', forged().replace(`<mch_id><![CDATA[${mchid}]]>`, '<mch_id><![CDATA[1900000999]]>'));
      expect(outcome.rejected?.name).toBe('VerificationError');
      expect(outcome.rejected?.message).toMatch(/mch_id/);
    });

    it('refuses a call that does not say the kind, at run time', () => {
      // a JavaScript caller (no types) forgetting the kind
      const parse = apiv2.ApiV2.parseNotification as (body: string, options: unknown) => unknown;
      expect(() => parse(forged(), { secret })).toThrow(main.ArgumentError);
      expect(() => parse(forged(), { secret, kind: 'auto' })).toThrow(/kind/);
    });
  });

  describe('item 3: business codes come only from verified answers', () => {
    const hostile = hostileHarness();
    const against = hostile.against;

    const notFound = JSON.stringify({ code: 'ORDER_NOT_EXIST', message: '订单不存在' });

    it('an unsigned 404 ORDER_NOT_EXIST (a proxy, a gateway, an attacker) fills no code: the README check stays false', async () => {
      const c = await against(() => rawAnswer('404 Not Found', { 'content-type': 'application/json' }, notFound));
      const e = await failure(c.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: 'T1', query: { mchid } }));
      expect(e).toBeInstanceOf(main.HttpError);
      const error = e as InstanceType<typeof main.HttpError>;
      expect(error.verified).toBe(false);
      expect(error.code).toBeUndefined();
      expect(error.detail).toBeUndefined();
      expect(error.unverifiedCode).toBe('ORDER_NOT_EXIST');
      expect(error.unverifiedMessage).toBe('订单不存在');
      expect(error.response.data).toEqual(JSON.parse(notFound));
      expect(error.message).toMatch(/unverified/);
      expect(e instanceof main.HttpError && e.code === 'ORDER_NOT_EXIST').toBe(false);
    });

    it('the same 404 signed by WeChat Pay does fill code', async () => {
      const c = await against(() => rawAnswer('404 Not Found', { 'content-type': 'application/json', ...hostile.emulator.signResponse(notFound) }, notFound));
      const e = (await failure(c.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: 'T1', query: { mchid } }))) as InstanceType<typeof main.HttpError>;
      expect(e).toMatchObject({ verified: true, code: 'ORDER_NOT_EXIST' });
      expect(e.unverifiedCode).toBeUndefined();
    });

    it('downloadCertificates takes no public-key-mode decision on an unsigned 404 RESOURCE_NOT_EXISTS', async () => {
      const body = JSON.stringify({ code: 'RESOURCE_NOT_EXISTS', message: '无可用的平台证书' });
      const c = await against(() => rawAnswer('404 Not Found', { 'content-type': 'application/json' }, body));
      const e = await failure(certificates.downloadCertificates(c, { apiv3Key: hostile.emulator.apiv3Key }));
      expect(e).not.toBeInstanceOf(main.PublicKeyModeError);
      expect(e).toBeInstanceOf(main.HttpError);
      expect(e).toMatchObject({ verified: false, unverifiedCode: 'RESOURCE_NOT_EXISTS', code: undefined });
      expect(e.message).toMatch(/may be .*public key mode.*could not be verified/);
    });

    it('an APIv2 FAIL stripped of its sign fills no errCode', async () => {
      const reply = '<xml><return_code><![CDATA[SUCCESS]]></return_code><result_code><![CDATA[FAIL]]></result_code><err_code><![CDATA[ORDERNOTEXIST]]></err_code><err_code_des><![CDATA[此交易订单号不存在]]></err_code_des></xml>';
      const c = await against(() => rawAnswer('200 OK', { 'content-type': 'text/xml' }, reply));
      const e = await failure(c.chain('v2/pay/orderquery').post({ xml: { appid, mch_id: mchid, out_trade_no: 'T1' } }));
      expect(e).toBeInstanceOf(main.BusinessError);
      expect(e).toMatchObject({ verified: false, errCode: undefined, errCodeDes: undefined, code: undefined, unverifiedErrCode: 'ORDERNOTEXIST', unverifiedErrCodeDes: '此交易订单号不存在' });
      expect(e.message).toMatch(/unverified/);
    });

    it('the CLI prints the unverified code under its unverified name on stderr', { timeout: 60_000 }, async () => {
      const result = await hostile.cli(() => rawAnswer('404 Not Found', { 'content-type': 'application/json' }, notFound), ['v3/pay/transactions/out-trade-no/{out_trade_no}', '--out_trade_no=T1']);
      expect(result.code, result.stderr).toBe(3);
      const json = JSON.parse(result.stderr.slice(result.stderr.indexOf('\n{') + 1)) as Record<string, unknown>;
      expect(json).toMatchObject({ status: 404, verified: false, unverifiedCode: 'ORDER_NOT_EXIST' });
      expect(json).not.toHaveProperty('code');
    });
  });

  describe('item 8: text from a server reaches messages, the debug log and stderr escaped', () => {
    const hostile = hostileHarness();
    const { against, lines } = hostile;

    const hostileJson = JSON.stringify({ code: 'PARAM_ERROR\u001b[8m', message: HOSTILE });

    it('an unsigned error message with ESC sequences and a forged log line: escaped in error.message and the debug log', async () => {
      const c = await against(() => rawAnswer('400 Bad Request', { 'content-type': 'application/json' }, hostileJson));
      const e = (await failure(c.chain('v3/pay/transactions/native' as string).post({ json: { out_trade_no: 'T1' } }))) as InstanceType<typeof main.HttpError>;
      expect(e).toBeInstanceOf(main.HttpError);
      expect(e.message).not.toMatch(ACTIVE);
      expect(e.message).toContain('\\x1b]0;pwned\\x07');
      expect(e.message).toContain('\\nwechatpay 4242: ← 200');
      // the raw text stays reachable, under the name that says what it is
      expect(e.unverifiedMessage).toBe(HOSTILE);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const line of lines) expect(line).not.toMatch(ACTIVE);
      expect(lines.some((line) => line.startsWith('← 400 '))).toBe(true);
    });

    it('a Request-ID, a Content-Type and a Wechatpay-Serial holding a C1 control (0x9b, CSI) are escaped', async () => {
      const c = await against(() => rawAnswer('200 OK', { 'content-type': 'text/html\u009b2J', 'request-id': 'id\u009b31m', 'wechatpay-timestamp': String(Math.floor(Date.now() / 1000)), 'wechatpay-nonce': 'n', 'wechatpay-signature': 'c2ln', 'wechatpay-serial': 'PUB_KEY_ID_\u009b2J' }, '{}'));
      const e = await failure(c.chain('v3/pay/transactions/native' as string).post({ json: { out_trade_no: 'T1' } }));
      expect(e).toBeInstanceOf(main.VerificationError);
      expect(e.message).toContain('PUB_KEY_ID_\\x9b2J');
      expect(e.message).not.toMatch(ACTIVE);
      expect(lines.some((line) => line.includes('request-id=id\\x9b31m'))).toBe(true);
      for (const line of lines) expect(line).not.toMatch(ACTIVE);

      const signed = '<html>ok</html>';
      const d = await against(() => rawAnswer('200 OK', { 'content-type': 'text/html\u009b2J', ...hostile.emulator.signResponse(signed) }, signed));
      const decode = await failure(d.chain('v3/pay/transactions/native' as string).post({ json: { out_trade_no: 'T1' } }));
      expect(decode).toBeInstanceOf(main.DecodeError);
      expect(decode.message).toContain('text/html\\x9b2J');
      expect(decode.message).not.toMatch(ACTIVE);
    });

    it('APIv2 return_msg and err_code_des with newlines and C1 controls are escaped in the BusinessError', async () => {
      const reply = `<xml><return_code>SUCCESS</return_code><return_msg>OK\u009b2J</return_msg><result_code>FAIL</result_code><err_code>SYSTEMERROR\nforged</err_code><err_code_des><![CDATA[${HOSTILE.replace(XML_ILLEGAL, '')}\u009b31m\u202e]]></err_code_des></xml>`;
      const c = await against(() => rawAnswer('200 OK', { 'content-type': 'text/xml' }, reply));
      const e = await failure(c.chain('v2/pay/orderquery').post({ xml: { appid, mch_id: mchid, out_trade_no: 'T1' } }));
      expect(e).toBeInstanceOf(main.BusinessError);
      expect(e.message).not.toMatch(ACTIVE);
      expect(e.message).toContain('SYSTEMERROR\\nforged');
      expect(e.message).toContain('\\x9b31m\\u202e');
      for (const line of lines) expect(line).not.toMatch(ACTIVE);
    });

    it('an APIv2 notification with a forged line in return_code is refused with an escaped message', () => {
      const body = '<xml><return_code>FAIL\nwechatpay 4242: notification accepted</return_code><return_msg>x</return_msg></xml>';
      for (const notificationKind of ['payment', 'refund'] as const) {
        const e = (() => {
          try {
            apiv2.ApiV2.parseNotification(body, { kind: notificationKind, secret });
          } catch (error) {
            return error as Error;
          }
          throw new Error('accepted');
        })();
        expect(e).toBeInstanceOf(main.VerificationError);
        expect(e.message).not.toMatch(ACTIVE);
        expect(e.message).toContain('FAIL\\nwechatpay 4242');
      }
    });

    it("wxpay's stderr carries no control character from the server", { timeout: 60_000 }, async () => {
      const result = await hostile.cli(() => rawAnswer('400 Bad Request', { 'content-type': 'application/json' }, hostileJson), ['v3/pay/transactions/native', '--json', '{"out_trade_no":"T1"}']);
      expect(result.code, result.stderr).toBe(3);
      // the only raw newlines are the CLI's own: its message line, then the indented JSON
      for (const line of result.stderr.split('\n')) expect(line).not.toMatch(ACTIVE);
      expect(result.stderr).not.toContain('\u001b');
      expect(result.stderr).toContain('\\x1b]0;pwned');
      expect(result.stderr.split('\n').filter((line) => line.startsWith('wechatpay 4242'))).toEqual([]);
      const json = JSON.parse(result.stderr.slice(result.stderr.indexOf('\n{') + 1)) as Record<string, unknown>;
      expect(json.unverifiedMessage).toBe(HOSTILE);
    });
  });
});
