/**
 * Hostile peers, byte for byte, against the package as source (lib/) and as published (dist/):
 * raw loopback servers and sockets send exactly what an attacker or a broken proxy would send,
 * and the merchant's side uses only the public entry points. Issue 13, items 1, 3 and 8.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_KINDS, loadEntries, releaseEntries, type Entries } from '../support/entries.js';
import { v2SignOf } from '../support/multipart.js';

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

  beforeAll(async () => {
    ({ main } = await loadEntries(kind));
  }, 120_000);
  afterAll(releaseEntries);

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
                ? main.ApiV2.parseNotification(body, { kind: 'refund', secret, mchid, appid })
                : main.ApiV2.parseNotification(body, { kind: 'payment', secret, mchid, appid });
            outcomes.push({ route, accepted: { ...notification } });
            res.writeHead(200, { 'content-type': 'text/xml' }).end(main.ApiV2.notificationReply());
          } catch (error) {
            const e = error as Error;
            outcomes.push({ route, rejected: { name: e.name, message: e.message } });
            res.writeHead(200, { 'content-type': 'text/xml' }).end(main.ApiV2.notificationReply(false, 'rejected'));
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
      const parse = main.ApiV2.parseNotification as (body: string, options: unknown) => unknown;
      expect(() => parse(forged(), { secret })).toThrow(main.ArgumentError);
      expect(() => parse(forged(), { secret, kind: 'auto' })).toThrow(/kind/);
    });
  });
});
