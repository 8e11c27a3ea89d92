import { generateKeyPairSync, KeyObject, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { ArgumentError, Builder, type ClientConfig, VERSION } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';

const emulator = Emulator.create();
const base = emulator.clientConfig();
const dir = mkdtempSync(join(tmpdir(), 'wxpay-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function argumentError(config: Partial<ClientConfig>): ArgumentError {
  try {
    Builder.factory({ ...base, ...config } as ClientConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentError);
    return error as ArgumentError;
  }
  throw new Error('expected an ArgumentError');
}

describe('Builder.factory', () => {
  it('keeps VERSION equal to package.json', () => {
    expect(VERSION).toBe(pkg.version);
  });

  it('accepts the private key in every documented form and signs with it', async () => {
    const pem = emulator.merchant.privateKeyPem;
    const pkcs1 = emulator.merchant.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const file = join(dir, 'apiclient_key.pem');
    writeFileSync(file, pkcs1);
    const cryptoKey = await webcrypto.subtle.importKey(
      'pkcs8',
      emulator.merchant.privateKey.export({ type: 'pkcs8', format: 'der' }),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      true,
      ['sign'],
    );
    const forms: unknown[] = [
      pem,
      pkcs1,
      Buffer.from(pem),
      emulator.merchant.privateKey.export({ type: 'pkcs8', format: 'der' }),
      emulator.merchant.privateKey,
      cryptoKey,
      emulator.merchant.privateKey.export({ format: 'jwk' }),
      pathToFileURL(file).href,
    ];
    for (const privateKey of forms) {
      const client = Builder.factory({ ...base, privateKey: privateKey as ClientConfig['privateKey'] });
      const res = await client.v3.ecommerce.refunds._refund_id_.returnAdvance.get({ refund_id: '1', query: { sub_mchid: '2' } });
      expect(res.status).toBe(200);
      expect(emulator.requests.at(-1)?.verified).toBe(true);
    }
  });

  it.each([
    ['garbage text', 'not\na key', /privateKey: not a PEM private key/],
    ['a path to no file', '/etc/wechatpay/apiclient_key.pem', /privateKey: cannot read \/etc\/wechatpay\/apiclient_key\.pem \(ENOENT\)/],
    ['a public key', emulator.merchant.publicKeyPem, /expected a private key .* got "PUBLIC KEY"/],
    ['an encrypted PEM', '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n', /encrypted with a passphrase/],
    ['a corrupt PEM', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', /could not be parsed/],
    ['a missing file', 'file:///nonexistent/apiclient_key.pem', /cannot read \/nonexistent\/apiclient_key.pem \(ENOENT\)/],
    ['a number', 42, /got a number \(42\)/],
    ['an EC key', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, /expected an RSA key, got ec/],
    ['a public KeyObject', emulator.merchant.publicKey, /expected a private KeyObject/],
    ['random bytes', Buffer.from('0123456789abcdef'), /neither a PEM nor a DER/],
  ])('refuses %s as privateKey with a precise message', (_name, privateKey, message) => {
    const error = argumentError({ privateKey: privateKey as ClientConfig['privateKey'] });
    expect(error.field).toBe('privateKey');
    expect(error.message).toMatch(message);
  });

  it('never echoes key material in a key error', () => {
    const half = emulator.merchant.privateKeyPem.slice(0, 200) + '\n-----END PRIVATE KEY-----\n';
    const error = argumentError({ privateKey: half });
    const body = emulator.merchant.privateKeyPem.split('\n')[2]!;
    expect(error.message).not.toContain(body);
    expect(JSON.stringify(error)).not.toContain(body);
  });

  it('refuses a certs entry that holds the merchant own serial', () => {
    const error = argumentError({ certs: { [base.serial.toLowerCase()]: emulator.merchant.publicKeyPem } });
    expect(error.field).toBe('certs');
    expect(error.message).toContain("merchant's own serial");
  });

  it('refuses an unreadable platform key, naming its serial', () => {
    const error = argumentError({ certs: { PUB_KEY_ID_1: 'nope' } });
    expect(error.field).toBe('certs["PUB_KEY_ID_1"]');
  });

  it.each([
    [{ mchid: '' }, 'mchid', /required/],
    [{ mchid: '19"00' }, 'mchid', /letters, digits/],
    [{ serial: undefined }, 'serial', /required/],
    [{ serial: 'AB CD' }, 'serial', /letters, digits/],
    [{ baseURL: 'not a url' }, 'baseURL', /not an absolute URL/],
    [{ baseURL: 'ftp://x/' }, 'baseURL', /http\(s\)/],
    [{ baseURL: 'https://u:p@x/' }, 'baseURL', /credentials/],
    [{ timeout: -1 }, 'timeout', /positive number of milliseconds up to 2147483647/],
    [{ maxBodySize: 0 }, 'maxBodySize', /positive number of bytes/],
    [{ headers: { 'x-a': 'b\r\nc' } }, 'headers', /CR, LF or NUL/],
    [{ hosts: { 'https://apihk.mch.weixin.qq.com': 'nope' } }, "hosts['https://apihk.mch.weixin.qq.com']", /not an absolute URL/],
  ] as Array<[Partial<ClientConfig>, string, RegExp]>)('refuses %j', (config, field, message) => {
    const error = argumentError(config);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('refuses a missing config', () => {
    expect(() => Builder.factory(undefined as never)).toThrow(ArgumentError);
  });

  it('accepts a platform certificate, a public key and a KeyObject in certs', () => {
    const client = Builder.factory({
      ...base,
      certs: { A1: emulator.platform.publicKeyPem, B2: emulator.platform.publicKey, C3: Buffer.from(emulator.platform.publicKeyPem) },
    });
    expect(client.verifier.serials()).toEqual(['A1', 'B2', 'C3']);
    expect(client.verifier.get('B2')).toBeInstanceOf(KeyObject);
  });
});
