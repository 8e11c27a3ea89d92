/**
 * APIv2 end to end against a real HTTPS loopback server made here: its own CA, a server
 * certificate, and a merchant (client) certificate required on /secapi/ and /risk/. The server
 * checks every sign with node:crypto directly (not with the library's code) and answers signed,
 * unsigned, badly-signed, FAIL and hostile replies.
 */
import { execFileSync } from 'node:child_process';
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { inspect } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, BusinessError, type ClientConfig, DecodeError, HttpError, VerificationError, type WeChatPayClient } from '../../lib/index.js';
import { Rsa } from '../../lib/crypto/index.js';
import { generateKeyPair } from '../../lib/testing/emulator.js';
import { createCertificate, type IssuedCertificate } from '../../lib/testing/certificates.js';
import { loose } from '../support/loose.js';
import { v2SignOf } from '../support/multipart.js';

const mchid = '1900000109';
const secret = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';
const appid = 'wxd678efh567hg6787';

// --- an independent implementation of the APIv2 rules, for the server side ---------------------
function fieldsOf(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  // a value may be split over several CDATA sections (how `]]>` is carried)
  for (const [, name, content] of xml.replace(/^\s*<xml>|<\/xml>\s*$/g, '').matchAll(/<([a-z_]+)>([\s\S]*?)<\/\1>/g)) out[name as string] = (content as string).replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1');
  return out;
}
const signOf = (fields: Record<string, string>, type?: string) => v2SignOf(fields, secret, type);
function xmlOf(fields: Record<string, string>): string {
  return `<xml>${Object.entries(fields)
    .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
    .join('')}</xml>`;
}
function signed(fields: Record<string, string>, type = 'MD5'): string {
  const all = { ...fields, nonce_str: 'srvNonce0123456789' };
  return xmlOf({ ...all, sign: signOf(all, type) });
}

type Mode = 'no-code' | 'signed' | 'unsigned' | 'badly-signed' | 'return-fail' | 'result-fail' | 'xxe' | 'laughs' | 'deep' | 'huge' | 'signed-fail-bad';

interface Seen {
  path: string;
  contentType: string | undefined;
  accept: string | undefined;
  fields: Record<string, string>;
  signOk: boolean;
  clientCn: string | undefined;
}

describe('APIv2 over HTTPS with mutual TLS', () => {
  let ca: IssuedCertificate;
  let merchantCert: IssuedCertificate;
  let server: Server;
  let baseURL: string;
  let config: ClientConfig;
  let client: WeChatPayClient;
  let mode: Mode = 'signed';
  const seen: Seen[] = [];
  let connections = 0;
  const bank = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const bill = '交易时间,公众账号ID,商户号\n`2026-11-21 10:00:00,`wxd678efh567hg6787,`1900000109\n';

  beforeAll(async () => {
    ca = await createCertificate({ commonName: 'wechatpay-chain test CA', ca: true });
    const serverCert = await createCertificate({ commonName: '127.0.0.1', issuer: ca, usage: 'server', altNames: ['127.0.0.1', 'localhost'] });
    merchantCert = await createCertificate({ commonName: mchid, issuer: ca, usage: 'client', subjectSuffix: 'O=WeChat Pay test merchant' });
    server = createServer(
      { key: serverCert.privateKeyPem, cert: serverCert.certificatePem, ca: [ca.certificatePem], requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const socket = req.socket as TLSSocket;
          const path = req.url ?? '/';
          const body = Buffer.concat(chunks).toString('utf8');
          const fields = fieldsOf(body);
          // a TLS 1.3 resumption without a client certificate also reads `authorized` (Node's rule
          // for PSK), so a client certificate is one the peer actually has
          const peer = socket.authorized ? socket.getPeerCertificate() : undefined;
          const clientCn = peer?.subject === undefined ? undefined : String(peer.subject.CN);
          const signOk = fields.sign === signOf(fields);
          seen.push({ path, contentType: req.headers['content-type'], accept: req.headers.accept, fields, signOk, clientCn });
          const send = (text: string | Buffer, status = 200, type = 'text/xml') => {
            res.writeHead(status, { 'content-type': type });
            res.end(text);
          };
          if ((path.startsWith('/secapi/') || path.startsWith('/risk/')) && clientCn === undefined) {
            return send('<html><body>400 No required SSL certificate was sent</body></html>', 400, 'text/html');
          }
          if (!signOk) return send(xmlOf({ return_code: 'FAIL', return_msg: '签名错误' }));
          const type = fields.sign_type ?? 'MD5';
          if (path === '/pay/downloadbill') {
            if (!fields.bill_date) return send(xmlOf({ return_code: 'FAIL', return_msg: 'invalid bill_date', error_code: '20001' }));
            return fields.tar_type === 'GZIP' ? send(gzipSync(bill), 200, 'application/x-gzip') : send(bill, 200, 'text/plain;charset=utf-8');
          }
          if (path === '/risk/getpublickey') {
            const pub = bank.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
            return send(xmlOf({ return_code: 'SUCCESS', return_msg: 'OK', result_code: 'SUCCESS', mch_id: mchid, pub_key: pub }));
          }
          const ok = { return_code: 'SUCCESS', return_msg: 'OK', appid, mch_id: mchid, result_code: 'SUCCESS' };
          switch (mode) {
            case 'unsigned':
              return send(xmlOf(ok));
            case 'badly-signed':
              return send(xmlOf({ ...ok, total_fee: '1', sign: signOf({ ...ok, total_fee: '100' }, type) }));
            case 'return-fail':
              return send(xmlOf({ return_code: 'FAIL', return_msg: '参数格式校验错误' }));
            case 'result-fail':
              return send(signed({ ...ok, result_code: 'FAIL', err_code: 'ORDERPAID', err_code_des: '该订单已支付' }, type));
            case 'signed-fail-bad':
              return send(xmlOf({ ...ok, result_code: 'FAIL', err_code: 'SYSTEMERROR', sign: '0'.repeat(32) }));
            case 'xxe':
              return send(`<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><return_code>SUCCESS</return_code><leak>&xxe;</leak></xml>`);
            case 'laughs': {
              const entities = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
              return send(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities}]><xml><return_code>&lol9;</return_code></xml>`);
            }
            case 'no-code':
              return send(xmlOf({ appid }));
            case 'deep':
              return send(`<xml>${'<a>'.repeat(64)}x${'</a>'.repeat(64)}</xml>`);
            case 'huge':
              return send(xmlOf({ ...ok, padding: 'x'.repeat(2 * 1024 * 1024) }));
            default:
              return send(
                signed(
                  path === '/secapi/pay/refund'
                    ? { ...ok, out_refund_no: fields.out_refund_no ?? '', refund_id: '50000000382019052709732678859', refund_fee: fields.refund_fee ?? '' }
                    : { ...ok, out_trade_no: fields.out_trade_no ?? '', total_fee: fields.total_fee ?? '', transaction_id: '4200000000202611220000000001', openid: 'o<&>"\'' },
                  type,
                ),
              );
          }
        });
      },
    );
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const merchantKeys = generateKeyPair();
    config = {
      mchid,
      serial: merchantCert.serial,
      privateKey: merchantKeys.privateKeyPem,
      certs: {},
      baseURL,
      hosts: { 'https://fraud.mch.weixin.qq.com': baseURL },
      secret,
      merchant: { cert: merchantCert.certificatePem, key: merchantCert.privateKeyPem },
      ca: ca.certificatePem,
    };
    client = Builder.factory(config);
  });

  afterAll(async () => {
    await client?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  const micropay = { appid, mch_id: mchid, body: 'image形象店-深圳腾大- QQ公仔 <&>]]>', out_trade_no: '1217752501201407033233368018', total_fee: 1, spbill_create_ip: '8.8.8.8', auth_code: '120061098828009406' };

  it('signs micropay with MD5, sends it to /pay/micropay without the v2 prefix, and verifies the signed reply', async () => {
    mode = 'signed';
    const res = await client.v2.pay.micropay.post({ xml: micropay });
    const request = seen.at(-1) as Seen;
    expect(request.path).toBe('/pay/micropay');
    expect(request.contentType).toMatch(/^text\/xml/);
    expect(request.accept).toMatch(/^text\/xml/);
    expect(request.signOk).toBe(true);
    expect(request.fields.nonce_str).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(request.fields.sign).toMatch(/^[0-9A-F]{32}$/);
    expect(request.fields.body).toBe(micropay.body);
    expect(request.fields.sign_type).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS', out_trade_no: micropay.out_trade_no, total_fee: '1', openid: 'o<&>"\'' });
  });

  it('keeps a nonce_str the caller gave and signs HMAC-SHA256 when sign_type asks', async () => {
    mode = 'signed';
    const res = await loose(client).chain('v2/pay/orderquery').post({ xml: { appid, mch_id: mchid, out_trade_no: 'T1', nonce_str: 'fixedNonce', sign_type: 'HMAC-SHA256' } });
    const request = seen.at(-1) as Seen;
    expect(request.fields.nonce_str).toBe('fixedNonce');
    expect(request.fields.sign).toMatch(/^[0-9A-F]{64}$/);
    expect(request.signOk).toBe(true);
    expect((res.data as { sign: string }).sign).toHaveLength(64);
  });

  it('refuses, before sending, a foreign mch_id, an unknown sign_type, json, and a missing secret', async () => {
    const before = seen.length;
    await expect(client.v2.pay.micropay.post({ xml: { ...micropay, mch_id: '1900000110' } })).rejects.toMatchObject({ name: 'ArgumentError', field: 'xml.mch_id' });
    await expect(loose(client).v2.mmpaymkttransfers.promotion.transfers.post({ xml: { mchid: '1' } })).rejects.toMatchObject({ field: 'xml.mchid' });
    await expect(loose(client).v2.pay.micropay.post({ xml: { ...micropay, sign_type: 'SHA1' } })).rejects.toBeInstanceOf(ArgumentError);
    await expect(loose(client).v2.pay.micropay.post({ json: micropay })).rejects.toBeInstanceOf(ArgumentError);
    // a GET takes its fields in the query (the catalog's APIv2 GETs); a PUT is no APIv2 verb
    await expect(loose(client).v2.pay.micropay.get({ xml: micropay })).rejects.toMatchObject({ name: 'ArgumentError', field: 'query' });
    await expect(loose(client).v2.pay.micropay.put({ xml: micropay })).rejects.toMatchObject({ name: 'ArgumentError', field: 'method' });
    await expect(loose(client).v2.pay.micropay.post({ xml: { detail: { goods: [] } } })).rejects.toMatchObject({ field: 'xml.detail' });
    const noSecret = Builder.factory({ ...config, secret: undefined });
    try {
      await expect(noSecret.v2.pay.micropay.post({ xml: micropay })).rejects.toMatchObject({ name: 'ArgumentError', field: 'secret' });
    } finally {
      await noSecret.close();
    }
    expect(seen.length).toBe(before);
  });

  it('presents the merchant certificate with security: true; /secapi/ without it (security: false) is refused by the server', async () => {
    mode = 'signed';
    const xml = { appid, mch_id: mchid, out_trade_no: 'T1', out_refund_no: 'R1', total_fee: 100, refund_fee: 100 };
    const res = await loose(client).v2.secapi.pay.refund.post({ xml, security: true });
    expect(seen.at(-1)).toMatchObject({ path: '/secapi/pay/refund', clientCn: mchid, signOk: true });
    expect(res.data).toMatchObject({ refund_id: '50000000382019052709732678859', refund_fee: '100' });

    const refused = await loose(client).v2.secapi.pay.refund.post({ xml, security: false }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(400);
    expect(seen.at(-1)?.clientCn).toBeUndefined();
  });

  it('reaches a literal path with chain() and security: true', async () => {
    mode = 'signed';
    await loose(client).chain('v2/secapi/mch/addInstitutionsub').post({ xml: { mch_id: mchid, sub_mch_name: 'x' }, security: true });
    expect(seen.at(-1)).toMatchObject({ path: '/secapi/mch/addInstitutionsub', clientCn: mchid });
  });

  it('says clearly when security: true is asked without a merchant certificate', async () => {
    const plain = Builder.factory({ ...config, merchant: undefined });
    try {
      const before = seen.length;
      const error = await loose(plain).v2.secapi.pay.refund.post({ xml: { mch_id: mchid }, security: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).field).toBe('merchant');
      expect((error as Error).message).toMatch(/merchant: \{ cert, key \}/);
      expect(seen.length).toBe(before);
    } finally {
      await plain.close();
    }
  });

  it('presents the certificate without security: true where the catalog requires it, also on another host (fraud.mch)', async () => {
    mode = 'signed';
    const xml = { appid, mch_id: mchid, out_trade_no: 'T1', out_refund_no: 'R3', total_fee: 100, refund_fee: 1 };
    const res = await loose(client).v2.secapi.pay.refund.post({ xml });
    expect(seen.at(-1)).toMatchObject({ path: '/secapi/pay/refund', clientCn: mchid, signOk: true });
    expect(res.data).toMatchObject({ out_refund_no: 'R3', refund_fee: '1' });
    // not under /secapi/: the server here does not insist, so only the catalog can have asked for it
    await loose(client).v2.mmpaymkttransfers.promotion.transfers.post({ xml: { mch_appid: appid, mchid, partner_trade_no: 'P1', openid: 'o1', amount: 100, desc: 'x' } });
    expect(seen.at(-1)).toMatchObject({ path: '/mmpaymkttransfers/promotion/transfers', clientCn: mchid, signOk: true });
    const key = await client.v2.risk.getpublickey.post({ xml: { mch_id: mchid, sign_type: 'MD5' } });
    expect(seen.at(-1)).toMatchObject({ path: '/risk/getpublickey', clientCn: mchid });
    expect((key.data as { pub_key: string }).pub_key).toMatch(/BEGIN RSA PUBLIC KEY/);
  });

  it('leaves an endpoint that does not need the certificate on the plain connection', async () => {
    mode = 'signed';
    await client.v2.pay.micropay.post({ xml: micropay });
    await loose(client).chain('v2/pay/orderquery').post({ xml: { appid, mch_id: mchid, out_trade_no: 'T1' } });
    expect(seen.slice(-2).map(({ path, clientCn }) => ({ path, clientCn }))).toEqual([
      { path: '/pay/micropay', clientCn: undefined },
      { path: '/pay/orderquery', clientCn: undefined },
    ]);
  });

  it('fails before connecting when an endpoint needs the certificate and none is configured', async () => {
    const plain = Builder.factory({ ...config, merchant: undefined });
    try {
      const before = { requests: seen.length, connections };
      const error = await loose(plain).v2.mmpaymkttransfers.promotion.transfers.post({ xml: { mch_appid: appid, mchid, partner_trade_no: 'P2' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as ArgumentError).field).toBe('merchant');
      expect((error as Error).message).toMatch(/v2\/mmpaymkttransfers\/promotion\/transfers needs the merchant API certificate/);
      expect((error as Error).message).toMatch(/merchant: \{ cert, key \}.*securityDispatcher.*security: false/);
      expect({ requests: seen.length, connections }).toEqual(before);
      // security: false sends it anyway (for a gateway that adds the certificate); this server has none to add
      await loose(plain).v2.mmpaymkttransfers.promotion.transfers.post({ xml: { mch_appid: appid, mchid, partner_trade_no: 'P2' }, security: false });
      expect(seen.at(-1)).toMatchObject({ path: '/mmpaymkttransfers/promotion/transfers', clientCn: undefined });
    } finally {
      await plain.close();
    }
  });

  it('accepts the certificate as a PKCS#12 bundle with a passphrase, and as file:// URLs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxpay-v2-'));
    try {
      writeFileSync(join(dir, 'cert.pem'), merchantCert.certificatePem);
      writeFileSync(join(dir, 'key.pem'), merchantCert.privateKeyPem);
      execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'cert.pem'), '-inkey', join(dir, 'key.pem'), '-out', join(dir, 'cert.p12'), '-passout', `pass:${mchid}`]);
      for (const merchant of [
        { pfx: readFileSync(join(dir, 'cert.p12')), passphrase: mchid },
        { pfx: `file://${join(dir, 'cert.p12')}`, passphrase: mchid },
        { cert: `file://${join(dir, 'cert.pem')}`, key: `file://${join(dir, 'key.pem')}` },
      ]) {
        const other = Builder.factory({ ...config, merchant });
        try {
          await loose(other).v2.secapi.pay.refund.post({ xml: { mch_id: mchid, out_refund_no: 'R2' }, security: true });
          expect(seen.at(-1)).toMatchObject({ clientCn: mchid, signOk: true });
        } finally {
          await other.close();
        }
      }
      const wrong = (() => {
        try {
          Builder.factory({ ...config, merchant: { pfx: readFileSync(join(dir, 'cert.p12')), passphrase: 'wrong-passphrase' } });
        } catch (e) {
          return e;
        }
      })();
      expect(wrong).toBeInstanceOf(ArgumentError);
      expect((wrong as Error).message).not.toContain('wrong-passphrase');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unsigned reply and a badly-signed reply on an endpoint that signs', async () => {
    mode = 'unsigned';
    const unsigned = await loose(client).v2.pay.orderquery.post({ xml: { mch_id: mchid, out_trade_no: 'T1' } }).catch((e: unknown) => e);
    expect(unsigned).toBeInstanceOf(VerificationError);
    expect((unsigned as VerificationError).reason).toBe('bad-signature');
    for (const sign_type of ['MD5', 'HMAC-SHA256']) {
      mode = 'badly-signed';
      const forged = await loose(client).v2.pay.orderquery.post({ xml: { mch_id: mchid, out_trade_no: 'T1', sign_type } }).catch((e: unknown) => e);
      expect(forged).toBeInstanceOf(VerificationError);
      expect(JSON.stringify(forged)).not.toContain(secret);
    }
  });

  it('turns return_code=FAIL and result_code=FAIL into BusinessError with the codes and the reply', async () => {
    mode = 'return-fail';
    const refused = await loose(client).v2.pay.orderquery.post({ xml: { mch_id: mchid, out_trade_no: 'T1' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BusinessError);
    expect(refused).toMatchObject({ returnCode: 'FAIL', returnMsg: undefined, unverifiedReturnMsg: '参数格式校验错误', verified: false, status: 200 });

    mode = 'result-fail';
    const failed = await loose(client).v2.pay.orderquery.post({ xml: { mch_id: mchid, out_trade_no: 'T1' } }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(BusinessError);
    expect(failed).toMatchObject({ returnCode: 'SUCCESS', resultCode: 'FAIL', errCode: 'ORDERPAID', errCodeDes: '该订单已支付', code: 'ORDERPAID', verified: true });
    expect((failed as BusinessError).unverifiedErrCode).toBeUndefined();
    expect((failed as BusinessError).reply).toMatchObject({ mch_id: mchid, err_code: 'ORDERPAID' });
    expect((failed as Error).message).toContain('ORDERPAID');

    mode = 'signed-fail-bad';
    const forged = await loose(client).v2.pay.orderquery.post({ xml: { mch_id: mchid } }).catch((e: unknown) => e);
    expect(forged).toBeInstanceOf(VerificationError);

    // neither the APIv2 key nor the merchant key ever shows in what a logger prints
    for (const printed of [refused, failed, forged, client].flatMap((thing) => [inspect(thing, { depth: 10 }), JSON.stringify(thing) ?? ''])) {
      expect(printed).not.toContain(secret);
      expect(printed).not.toContain('PRIVATE KEY');
    }

    mode = 'signed';
    const badSign = await loose(client).v2.pay.orderquery.post({ xml: { mch_id: mchid, sign: 'WRONG' } });
    expect(badSign.status).toBe(200); // a caller's own `sign` is replaced, never trusted
  });

  it.each(['xxe', 'laughs', 'deep', 'huge', 'no-code'] as const)('refuses a hostile %s reply with DecodeError', async (hostile) => {
    mode = hostile;
    const error = await loose(client).v2.pay.orderquery.post({ xml: { mch_id: mchid, out_trade_no: 'T1' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecodeError);
    expect(String((error as Error).message)).not.toMatch(/root:|lollol/);
  });

  it('returns downloadbill as text, as gzip bytes, or as a stream; a FAIL is a BusinessError', async () => {
    const xml = { appid, mch_id: mchid, bill_date: '20261121', bill_type: 'ALL' };
    const text = await loose(client).v2.pay.downloadbill.post({ xml });
    expect(text.data).toBe(bill);

    const gz = await loose(client).v2.pay.downloadbill.post({ xml: { ...xml, tar_type: 'GZIP' } });
    expect(Buffer.isBuffer(gz.data)).toBe(true);
    expect(gunzipSync(gz.data as Buffer).toString('utf8')).toBe(bill);

    const streamed = await loose(client).v2.pay.downloadbill.post({ xml: { ...xml, tar_type: 'GZIP' }, stream: true });
    const chunks: Buffer[] = [];
    for await (const chunk of streamed.body as Readable) chunks.push(chunk as Buffer);
    expect(gunzipSync(Buffer.concat(chunks)).toString('utf8')).toBe(bill);

    const missing = { appid, mch_id: mchid, bill_type: 'ALL' };
    // a bill failure is return_code=FAIL, which WeChat Pay never signs
    await expect(loose(client).v2.pay.downloadbill.post({ xml: missing })).rejects.toMatchObject({ name: 'BusinessError', unverifiedReturnMsg: 'invalid bill_date' });
    await expect(loose(client).v2.pay.downloadbill.post({ xml: missing, stream: true })).rejects.toMatchObject({ name: 'BusinessError', unverifiedReturnMsg: 'invalid bill_date' });
  });

  it('fetches the 付款到银行卡 public key (unsigned reply) and encrypts for it with RSA-OAEP', async () => {
    const res = await client.v2.risk.getpublickey.post({ xml: { mch_id: mchid, sign_type: 'MD5' }, security: true });
    expect(seen.at(-1)).toMatchObject({ path: '/risk/getpublickey', clientCn: mchid });
    const pem = (res.data as { pub_key: string }).pub_key;
    expect(pem).toContain('BEGIN RSA PUBLIC KEY');
    const encrypted = Rsa.encrypt('6225760000000000', pem);
    const plain = privateDecrypt({ key: bank.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(encrypted, 'base64'));
    expect(plain.toString()).toBe('6225760000000000');
  });

  it('verifies before handing out a stream on an XML endpoint, and keeps a caller-given Accept', async () => {
    mode = 'signed';
    const res = await loose(client).v2.pay.orderquery.post({ xml: { mch_id: mchid, out_trade_no: 'T1' }, stream: true, headers: { accept: 'application/xml' } });
    expect(res.data).toMatchObject({ return_code: 'SUCCESS', out_trade_no: 'T1' });
    expect(seen.at(-1)?.accept).toBe('application/xml');
    const chunks: Buffer[] = [];
    for await (const chunk of res.body as Readable) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('utf8')).toContain('<out_trade_no><![CDATA[T1]]></out_trade_no>');
    mode = 'badly-signed';
    await expect(loose(client).v2.pay.orderquery.post({ xml: { mch_id: mchid, out_trade_no: 'T1' }, stream: true })).rejects.toBeInstanceOf(VerificationError);
  });

  it('runs one pipeline for both protocols: a user step sees v2 requests, signed', async () => {
    mode = 'signed';
    const other = Builder.factory(config);
    const observed: string[] = [];
    other.pipeline.use(async (ctx, next) => {
      observed.push(`${ctx.protocol} ${ctx.path} ${String(ctx.body).includes('<sign>')}`);
      return next(ctx);
    }, 'observe');
    try {
      expect(other.pipeline.names()).toEqual(['retry', 'sign', 'observe', 'verify']);
      await loose(other).v2.pay.orderquery.post({ xml: { mch_id: mchid, out_trade_no: 'T1' } });
      expect(observed).toEqual(['v2 /pay/orderquery true']);
    } finally {
      await other.close();
    }
  });

  it('closes the mutual-TLS agent on client.close()', async () => {
    const other = Builder.factory(config);
    await loose(other).v2.secapi.pay.refund.post({ xml: { mch_id: mchid }, security: true });
    const open = () => new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
    const before = await open();
    await other.close();
    let after = await open();
    for (let i = 0; i < 50 && after >= before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await open();
    }
    expect(after).toBeLessThan(before);
  });
});
