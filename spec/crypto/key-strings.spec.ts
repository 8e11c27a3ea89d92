/**
 * Issue 16, "errors that say what to do": one rule for a key or certificate given as a string,
 * wherever one is taken — `privateKey`, `certs` values, `merchant.cert` / `.key` / `.pfx`, `ca`,
 * `Rsa.from`, `certificateSerial`, `diagnose()` — PEM text when it holds a `-----BEGIN` line, a
 * `file://` URL, else the path of a file. A path that names no file says so, naming the path; a
 * value that is neither (mistyped PEM, a base64 body without its armour, a secret pasted in the
 * wrong place) is described, never shown.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateSerial, loadKey } from '../../lib/crypto/keys.js';
import { Rsa } from '../../lib/crypto/index.js';
import { diagnose } from '../../lib/doctor/index.js';
import { ArgumentError, Builder, type ClientConfig } from '../../lib/index.js';
import { Emulator, type IssuedCertificate } from '../../lib/testing/index.js';
import { pick } from '../support/doctor.js';

const emulator = Emulator.create();
const dir = mkdtempSync(join(tmpdir(), 'wxpay-key-strings-'));
const file = (name: string) => join(dir, name);
let merchant: IssuedCertificate;

beforeAll(async () => {
  merchant = await emulator.merchantCertificate();
  writeFileSync(file('apiclient_key.pem'), emulator.merchant.privateKeyPem);
  writeFileSync(file('apiclient_cert.pem'), merchant.certificatePem);
  writeFileSync(file('pub_key.pem'), emulator.platform.publicKeyPem);
  execFileSync('openssl', ['pkcs12', '-export', '-in', file('apiclient_cert.pem'), '-inkey', file('apiclient_key.pem'), '-out', file('apiclient_cert.p12'), '-passout', `pass:${emulator.merchant.mchid}`]);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(config: Partial<ClientConfig>): ArgumentError {
  try {
    Builder.factory({ ...emulator.clientConfig(), ...config } as ClientConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentError);
    return error as ArgumentError;
  }
  throw new Error('expected an ArgumentError');
}

describe('a key or certificate given as a plain file path is read, everywhere one is taken', () => {
  it('privateKey and certs as absolute, ./relative and bare relative paths: the client signs and verifies with them', async () => {
    const fromCwd = relative(process.cwd(), file('apiclient_key.pem'));
    for (const privateKey of [file('apiclient_key.pem'), `./${fromCwd}`, fromCwd]) {
      const client = Builder.factory(emulator.clientConfig({ privateKey, certs: { [emulator.platform.serial]: file('pub_key.pem') } }));
      try {
        const res = await client.v3.ecommerce.refunds._refund_id_.returnAdvance.get({ refund_id: '1', query: { sub_mchid: '2' } });
        expect(res.status).toBe(200);
        expect(emulator.requests.at(-1)?.verified).toBe(true);
      } finally {
        await client.close();
      }
    }
  });

  it('merchant { cert, key } and { pfx } (APIv2 mutual TLS), ca, Rsa.from and certificateSerial take paths too', () => {
    const withCert = Builder.factory(emulator.clientConfig({ merchant: { cert: file('apiclient_cert.pem'), key: file('apiclient_key.pem') }, ca: file('apiclient_cert.pem') }));
    const withPfx = Builder.factory(emulator.clientConfig({ merchant: { pfx: file('apiclient_cert.p12'), passphrase: emulator.merchant.mchid } }));
    void withCert.close();
    void withPfx.close();
    expect(Rsa.from(file('apiclient_key.pem'), Rsa.KEY_TYPE_PRIVATE).equals(emulator.merchant.privateKey)).toBe(true);
    expect(Rsa.from(file('apiclient_cert.pem')).equals(emulator.merchant.publicKey)).toBe(true);
    expect(certificateSerial(file('apiclient_cert.pem'))).toBe(emulator.merchant.serial);
  });

  it('diagnose() loads privateKey, certs and the merchant certificate from paths, and names the file it read', async () => {
    const { checks } = await diagnose(
      { ...emulator.clientConfig(), privateKey: file('apiclient_key.pem'), certs: { [emulator.platform.serial]: file('pub_key.pem') } },
      { merchantCertificate: file('apiclient_cert.pem') },
    );
    expect(pick({ checks }, 'private-key')).toMatchObject({ status: 'ok', message: expect.stringContaining(file('apiclient_key.pem')) });
    expect(pick({ checks }, 'key-matches-certificate')).toMatchObject({ status: 'ok', message: expect.stringContaining(file('apiclient_cert.pem')) });
    expect(pick({ checks }, 'public-key-id').status).toBe('ok');
  });
});

describe('a path that names no file, or the wrong file, says what to do', () => {
  it.each([
    ['an absolute path', '/etc/wechatpay/apiclient_key.pem', '/etc/wechatpay/apiclient_key.pem'],
    ['a ./relative path', './apiclient_key.pem', 'apiclient_key.pem'],
    ['a Windows path', 'C:\\wechatpay\\apiclient_key.pem', 'C:\\wechatpay\\apiclient_key.pem'],
  ])('privateKey as %s: "cannot read <path> (ENOENT)", not "not a PEM private key"', (_name, privateKey, shown) => {
    const error = refusal({ privateKey });
    expect(error.field).toBe('privateKey');
    expect(error.message).toContain(shown);
    expect(error.message).toMatch(/\(ENOENT\)/);
    expect(error.message).toMatch(/PEM text, a file path or a file:\/\/ URL/);
  });

  it('certs values, merchant.cert and merchant.key name their path and option the same way', () => {
    const certs = refusal({ certs: { [emulator.platform.serial]: '/nowhere/pub_key.pem' } });
    expect(certs.field).toBe(`certs["${emulator.platform.serial}"]`);
    expect(certs.message).toMatch(/cannot read "?\/nowhere\/pub_key\.pem"? \(ENOENT\)/);
    const cert = refusal({ merchant: { cert: '/nowhere/apiclient_cert.pem', key: file('apiclient_key.pem') } });
    expect(cert.field).toBe('merchant.cert');
    expect(cert.message).toMatch(/cannot read "?\/nowhere\/apiclient_cert\.pem"? \(ENOENT\)/);
    const pfx = refusal({ merchant: { pfx: '/nowhere/apiclient_cert.p12' } });
    expect(pfx.message).toMatch(/^merchant\.pfx: cannot read "?\/nowhere\/apiclient_cert\.p12"? \(ENOENT\)/);
  });

  it('says "~" is not expanded', () => {
    expect(refusal({ privateKey: '~/wechatpay/apiclient_key.pem' }).message).toMatch(/"~" is not expanded.*full path/);
  });

  it('a file that holds the wrong thing is named with what it holds', () => {
    const error = refusal({ privateKey: file('apiclient_cert.pem') });
    expect(error.field).toBe('privateKey');
    expect(error.message).toContain(file('apiclient_cert.pem'));
    expect(error.message).toMatch(/expected a private key .* got "CERTIFICATE"/);
  });
});

describe('a value that is not a path is described, never shown', () => {
  const pem = emulator.merchant.privateKeyPem;
  const body = pem.split('\n').slice(1, -2).join('');
  const line = pem.split('\n')[3] as string;

  it('the base64 body of a key without its armour lines', () => {
    const error = refusal({ privateKey: body });
    expect(error.message).toMatch(/base64 .* without its "-----BEGIN …-----" and "-----END …-----" lines/);
    expect(error.message).not.toContain(body.slice(0, 24));
    expect(error.message).not.toContain(line);
  });

  it('PEM pasted with a typo on one line, or with its armour damaged', () => {
    for (const privateKey of [`----BEGIN PRIVATE KEY----${body}----END PRIVATE KEY----`, pem.replace('-----BEGIN PRIVATE KEY-----', '-----BEGIN PRIVATE KEY----'), pem.replace(/-----/g, '----')]) {
      const error = refusal({ privateKey });
      expect(error.message).not.toContain(line);
      expect(error.message).not.toContain(body.slice(0, 24));
      expect(error.message).not.toMatch(/ENOENT/);
    }
  });

  it('a secret pasted as privateKey: no file by that name, and its characters are not shown', () => {
    const apiv3Key = '0123456789abcdef0123456789abcdef';
    const error = refusal({ privateKey: apiv3Key });
    expect(error.message).not.toContain(apiv3Key);
    expect(error.message).toMatch(/a path of 32 characters/);
    expect(error.message).toMatch(/\(ENOENT\)/);
  });

  it('loadKey keeps file:// URLs as they were (absolute, and resolved against the working directory)', () => {
    expect(loadKey(`file://${file('apiclient_key.pem')}`, 'private').equals(emulator.merchant.privateKey)).toBe(true);
    expect(readFileSync(file('pub_key.pem'), 'utf8')).toBe(emulator.platform.publicKeyPem);
  });
});
