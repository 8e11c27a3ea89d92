import { constants, privateDecrypt, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, HttpError, Verifier, type WeChatPayClient } from '../../lib/index.js';
import { decryptFields, encryptFields, Rsa } from '../../lib/crypto/index.js';
import { choosePlatformSerial } from '../../lib/sensitive/fields.js';
import { Emulator, generateKeyPair, type IssuedCertificate } from '../../lib/testing/index.js';

const contact = { contact_type: 'LEGAL', contact_name: '张三', mobile_phone: '13800138000', contact_email: 'zhangsan@example.com' };
const applyment = {
  business_code: 'APPLY_0001',
  contact_info: contact,
  subject_info: { subject_type: 'SUBJECT_TYPE_INDIVIDUAL' },
  ubo_info_list: [{ ubo_id_doc_name: '李四' }, { ubo_id_doc_name: '王五' }],
};
// a partial applyment payload, so the loose chain type: the path is given as a plain string
const APPLYMENT: string = 'v3/applyment4sub/applyment/';
const fields = ['contact_info.contact_name', 'contact_info.mobile_phone', 'contact_info.contact_email', 'ubo_info_list.*.ubo_id_doc_name'];

function decryptWith(key: KeyObject, value: unknown): string {
  return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(String(value), 'base64')).toString();
}

describe('the encrypt request option (applyment4sub)', () => {
  const emulator = Emulator.create();
  let client: WeChatPayClient;
  beforeAll(() => {
    client = Builder.factory(emulator.clientConfig());
  });
  afterAll(async () => {
    await client.close();
  });

  it('encrypts the named fields with the platform key and sends its serial; the service decrypts them', async () => {
    const input = structuredClone(applyment);
    const res = await client.v3.applyment4sub.applyment.chain('/').post({ json: input, encrypt: fields });
    expect(res.data).toEqual({ applyment_id: 2000002124775691 });
    expect(input).toEqual(applyment); // the caller's object is left alone

    const sent = emulator.requests.at(-1);
    expect(sent?.path).toBe('/v3/applyment4sub/applyment/');
    expect(sent?.headers['wechatpay-serial']).toBe(emulator.platform.serial);
    const body = JSON.parse(sent?.body ?? '{}');
    const key = emulator.platform.privateKey;
    expect(decryptWith(key, body.contact_info.contact_name)).toBe('张三');
    expect(decryptWith(key, body.contact_info.mobile_phone)).toBe('13800138000');
    expect(body.ubo_info_list.map((u: { ubo_id_doc_name: string }) => decryptWith(key, u.ubo_id_doc_name))).toEqual(['李四', '王五']);
    expect(body.contact_info.contact_type).toBe('LEGAL');
    expect(body.business_code).toBe('APPLY_0001');
  });

  it('without it the service refuses the plaintext (what the option prevents)', async () => {
    const error = await client.chain(APPLYMENT).post({ json: applyment }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).message).toMatch(/Wechatpay-Serial/);
  });

  it('refuses bad use before sending anything', async () => {
    const before = emulator.requests.length;
    const post = (options: Record<string, unknown>) => client.chain(APPLYMENT).post(options);
    await expect(post({ encrypt: fields })).rejects.toThrow(/needs a json payload/);
    await expect(post({ json: { contact_info: { contact_name: { first: 'x' } } }, encrypt: ['contact_info.contact_name'] })).rejects.toThrow(/contact_info.contact_name must be a string/);
    await expect(post({ json: applyment, encrypt: ['contact_info..x'] })).rejects.toBeInstanceOf(ArgumentError);
    await expect(post({ json: applyment, encrypt: { fields, serial: 'PUB_KEY_ID_UNKNOWN' } })).rejects.toThrow(/not among the platform keys/);
    await expect(post({ json: applyment, encrypt: 'contact_info.mobile_phone' })).rejects.toBeInstanceOf(ArgumentError);
    expect(emulator.requests.length).toBe(before);
  });
});

describe('choosing the platform key', () => {
  let older: IssuedCertificate;
  let newer: IssuedCertificate;
  let expired: IssuedCertificate;
  const emulator = Emulator.create();
  beforeAll(async () => {
    older = await emulator.addPlatformCertificate({ notAfter: new Date(Date.now() + 10 * 86400_000) });
    newer = await emulator.addPlatformCertificate({ notAfter: new Date(Date.now() + 400 * 86400_000) });
    expired = await emulator.addPlatformCertificate({ notBefore: new Date(Date.now() - 2 * 86400_000), notAfter: new Date(Date.now() - 86400_000), sign: false });
  });

  it('picks the unexpired certificate that expires last, whatever the order', () => {
    const verifier = new Verifier({ [newer.serial]: newer.certificatePem, [expired.serial]: expired.certificatePem, [older.serial]: older.certificatePem });
    expect(choosePlatformSerial(verifier)).toBe(newer.serial);
  });

  it('prefers a PUB_KEY_ID_ public key, honours an explicit serial, and explains an empty or expired set', () => {
    const verifier = new Verifier({ [newer.serial]: newer.certificatePem, [emulator.platform.serial]: emulator.platform.publicKeyPem });
    expect(choosePlatformSerial(verifier)).toBe(emulator.platform.serial);
    expect(choosePlatformSerial(verifier, newer.serial)).toBe(newer.serial);
    expect(() => choosePlatformSerial(new Verifier())).toThrow(/no platform key/);
    expect(() => choosePlatformSerial(new Verifier({ [expired.serial]: expired.certificatePem }))).toThrow(/expired/);
  });

  it('a Wechatpay-Serial header given by the caller is the explicit choice, and the encryption matches it', async () => {
    const client = Builder.factory(
      emulator.clientConfig({ certs: { [older.serial]: older.certificatePem, [newer.serial]: newer.certificatePem } }),
    );
    try {
      emulator.signWith(newer.serial);
      await client.chain(APPLYMENT).post({ json: applyment, encrypt: fields, headers: { 'Wechatpay-Serial': older.serial } });
      const sent = emulator.requests.at(-1);
      expect(sent?.headers['wechatpay-serial']).toBe(older.serial);
      expect(decryptWith(older.privateKey, JSON.parse(sent?.body ?? '{}').contact_info.mobile_phone)).toBe('13800138000');
      await client.chain(APPLYMENT).post({ json: applyment, encrypt: fields });
      expect(emulator.requests.at(-1)?.headers['wechatpay-serial']).toBe(newer.serial);
    } finally {
      await client.close();
    }
  });
});

describe('encryptFields / decryptFields', () => {
  const merchant = generateKeyPair();

  it('round-trips with the merchant key pair in one call each, leaving other fields and the input alone', () => {
    const data = { account_name: '张三', account_number: '6222000000000000', bank: 'ICBC', list: [{ name: 'a' }, { name: 'b' }] };
    const encrypted = encryptFields(data, ['account_name', 'account_number', 'list.*.name'], merchant.publicKeyPem);
    expect(encrypted.bank).toBe('ICBC');
    expect(encrypted.account_name).not.toBe('张三');
    expect(data.account_name).toBe('张三');
    expect(decryptFields(encrypted, ['account_name', 'account_number', 'list.*.name'], merchant.privateKeyPem)).toEqual(data);
  });

  it('skips absent fields and names the field that does not decrypt', () => {
    expect(encryptFields({ a: 1 }, ['b.c'], merchant.publicKey)).toEqual({ a: 1 });
    const other = generateKeyPair();
    const encrypted = { x: { secret: Rsa.encrypt('s', other.publicKey) } };
    expect(() => decryptFields(encrypted, ['x.secret'], merchant.privateKey)).toThrow(/x\.secret does not decrypt/);
  });
});

describe('Verifier.expiresAt (what the serial rule reads)', () => {
  it('knows the expiry of certificates given as PEM text, PEM or DER bytes, and none for bare public keys', async () => {
    const emulator = Emulator.create();
    const certificate = await emulator.addPlatformCertificate();
    const { X509Certificate } = await import('node:crypto');
    const x509 = new X509Certificate(certificate.certificatePem);
    const verifier = new Verifier({
      A: certificate.certificatePem,
      B: Buffer.from(certificate.certificatePem),
      C: x509.raw,
      PUB_KEY_ID_1: emulator.platform.publicKeyPem,
      D: emulator.platform.publicKey.export({ type: 'spki', format: 'der' }),
    });
    for (const serial of ['A', 'B', 'C']) expect(verifier.expiresAt(serial)?.getTime()).toBe(new Date(x509.validTo).getTime());
    expect(verifier.expiresAt('PUB_KEY_ID_1')).toBeUndefined();
    expect(verifier.expiresAt('D')).toBeUndefined();
    verifier.delete('A');
    expect(verifier.expiresAt('A')).toBeUndefined();
  });
});
