/**
 * APIv2 image upload (v2/secapi/mch/uploadmedia) against a real HTTPS loopback server with mutual
 * TLS: the server parses the multipart form, recomputes media_hash (MD5 of the file part) and the
 * APIv2 sign over mch_id/media_hash/sign_type with node:crypto directly, and answers signed XML.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, BusinessError, type ClientConfig, VerificationError, type WeChatPayClient } from '../../lib/index.js';
import { MediaUtil } from '../../lib/media/index.js';
import { createCertificate } from '../../lib/testing/certificates.js';
import { generateKeyPair } from '../../lib/testing/emulator.js';
import { parseMultipart, v2SignOf, type Part } from '../support/multipart.js';

const mchid = '1900000109';
const secret = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';


const signOf = (fields: Record<string, string>, type?: string) => v2SignOf(fields, secret, type);
const xmlOf = (fields: Record<string, string>) => `<xml>${Object.entries(fields).map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('')}</xml>`;

interface Seen {
  path: string;
  names: string[];
  fields: Record<string, string>;
  file: Part | undefined;
  hashOk: boolean;
  signOk: boolean;
  clientCn: string | undefined;
}

describe('APIv2 image upload (v2/secapi/mch/uploadmedia) over mutual TLS', () => {
  let server: Server;
  let config: ClientConfig;
  let client: WeChatPayClient;
  let dir: string;
  let answer: 'signed' | 'badly-signed' = 'signed';
  const seen: Seen[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'upload-v2-'));
    const ca = await createCertificate({ commonName: 'wechatpay-chain test CA', ca: true });
    const serverCert = await createCertificate({ commonName: '127.0.0.1', issuer: ca, usage: 'server', altNames: ['127.0.0.1', 'localhost'] });
    const merchantCert = await createCertificate({ commonName: mchid, issuer: ca, usage: 'client', subjectSuffix: 'O=WeChat Pay test merchant' });
    server = createServer({ key: serverCert.privateKeyPem, cert: serverCert.certificatePem, ca: [ca.certificatePem], requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const socket = req.socket as TLSSocket;
      // Node also reads `authorized` on a TLS 1.3 resumption without a client certificate: look at the peer's
      const peer = socket.authorized ? socket.getPeerCertificate() : undefined;
      const clientCn = peer?.subject === undefined ? undefined : String(peer.subject.CN);
      void parseMultipart(req).then((parts) => {
        const fields = Object.fromEntries(parts.filter((p) => p.filename === undefined).map((p) => [p.name, p.bytes.toString()]));
        const file = parts.find((p) => p.name === 'media');
        const hashOk = file !== undefined && fields.media_hash === createHash('md5').update(file.bytes).digest('hex');
        const signOk = fields.sign === signOf(fields);
        seen.push({ path: req.url ?? '', names: parts.map((p) => p.name), fields, file, hashOk, signOk, clientCn });
        const send = (xml: string) => {
          res.writeHead(200, { 'content-type': 'text/xml' });
          res.end(xml);
        };
        if (!clientCn) return send(xmlOf({ return_code: 'FAIL', return_msg: 'No required SSL certificate was sent' }));
        if (!signOk) return send(xmlOf({ return_code: 'FAIL', return_msg: '签名错误' }));
        if (!hashOk) return send(xmlOf({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'PARAM_ERROR', err_code_des: 'media_hash 与文件不符', mch_id: mchid }));
        const ok: Record<string, string> = { return_code: 'SUCCESS', return_msg: 'OK', result_code: 'SUCCESS', mch_id: mchid, nonce_str: 'srvNonce0123456789', media_id: `media-${seen.length}` };
        const type = fields.sign_type ?? 'MD5';
        return send(xmlOf({ ...ok, sign: answer === 'signed' ? signOf(ok, type) : signOf({ ...ok, media_id: 'other' }, type) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    config = {
      mchid,
      serial: merchantCert.serial,
      privateKey: generateKeyPair().privateKeyPem,
      certs: {},
      baseURL: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      secret,
      merchant: { cert: merchantCert.certificatePem, key: merchantCert.privateKeyPem },
      ca: ca.certificatePem,
    };
    client = Builder.factory(config);
  });
  beforeEach(() => {
    seen.length = 0;
    answer = 'signed';
  });
  afterAll(async () => {
    await client?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('posts mch_id, media_hash (lower-case MD5), sign_type and the sign over them, then the media part, over mutual TLS without being asked; the signed XML answer is verified', async () => {
    const bytes = randomBytes(3000);
    const { data } = await client.v2.secapi.mch.uploadmedia.post({ media: new MediaUtil('id.jpg', bytes) });
    expect((data as { media_id: string }).media_id).toBe('media-1');
    const [one] = seen;
    expect(one).toMatchObject({ path: '/secapi/mch/uploadmedia', hashOk: true, signOk: true, clientCn: mchid });
    expect(one!.names).toEqual(['media_hash', 'mch_id', 'sign_type', 'sign', 'media']);
    expect(one!.fields).toMatchObject({ mch_id: mchid, sign_type: 'MD5', media_hash: createHash('md5').update(bytes).digest('hex') });
    expect(one!.file).toMatchObject({ filename: 'id.jpg', contentType: 'image/jpeg' });
    expect(one!.file!.bytes.equals(bytes)).toBe(true);
  });

  it('signs HMAC-SHA256 when xml.sign_type asks, and streams a file given by path', async () => {
    const path = join(dir, 'licence.png');
    const bytes = randomBytes(200 * 1024);
    await writeFile(path, bytes);
    await client.v2.secapi.mch.uploadmedia.post({ media: new MediaUtil(path), xml: { sign_type: 'HMAC-SHA256' }, security: true });
    expect(seen[0]).toMatchObject({ hashOk: true, signOk: true, fields: { sign_type: 'HMAC-SHA256' } });
    expect(seen[0]!.fields.sign).toHaveLength(64);
    expect(seen[0]!.file!.bytes.equals(bytes)).toBe(true);
  });

  it('rejects an answer whose sign does not verify, and reports a refusal as BusinessError', async () => {
    answer = 'badly-signed';
    const error = await client.v2.secapi.mch.uploadmedia.post({ media: new MediaUtil('id.jpg', Buffer.from('x')), security: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    // without the merchant certificate (security: false opts out of the catalog's default) the server refuses
    const refused = await client.v2.secapi.mch.uploadmedia.post({ media: new MediaUtil('id.jpg', Buffer.from('x')), security: false }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BusinessError);
    expect((refused as BusinessError).returnCode).toBe('FAIL');
  });

  it('refuses before sending: a foreign mch_id, an unknown sign_type, media with body, and no APIv2 key', async () => {
    const media = new MediaUtil('id.jpg', Buffer.from('x'));
    await expect(client.v2.secapi.mch.uploadmedia.post({ media, xml: { mch_id: '1234567890' }, security: true })).rejects.toThrow(ArgumentError);
    await expect(client.v2.secapi.mch.uploadmedia.post({ media, xml: { sign_type: 'SHA1' }, security: true })).rejects.toThrow(/sign_type/);
    await expect(client.v2.secapi.mch.uploadmedia.post({ media, body: 'x', security: true })).rejects.toThrow(ArgumentError);
    const keyless = Builder.factory({ ...config, secret: undefined });
    const error = await keyless.v2.secapi.mch.uploadmedia.post({ media, security: true }).catch((e: unknown) => e);
    await keyless.close();
    expect((error as ArgumentError).field).toBe('secret');
    expect(seen).toEqual([]);
  });
});
