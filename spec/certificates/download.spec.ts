import { lstat, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, HttpError, PublicKeyModeError, VerificationError, type WeChatPayClient } from '../../lib/index.js';
import { decryptCertificates, downloadCertificates, writeCertificates } from '../../lib/certificates/index.js';
import { certificateSerial } from '../../lib/crypto/index.js';
import { Emulator, type IssuedCertificate } from '../../lib/testing/index.js';

describe('downloadCertificates', () => {
  const emulator = Emulator.create();
  let certificate: IssuedCertificate;
  const clients: WeChatPayClient[] = [];
  const bare = () => {
    const client = Builder.factory(emulator.clientConfig({ certs: {} }));
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    certificate = await emulator.addPlatformCertificate();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });

  it('bootstraps a client that knows no certificate: decrypts, verifies with the carried certificate, feeds the verifier', async () => {
    const client = bare();
    await expect(client.v3.certificates.get()).rejects.toMatchObject({ reason: 'unknown-serial' });
    const [downloaded, ...rest] = await downloadCertificates(client, { apiv3Key: emulator.apiv3Key });
    expect(rest).toEqual([]);
    expect(downloaded?.serial).toBe(certificate.serial);
    expect(downloaded?.pem).toBe(certificate.certificatePem);
    expect(downloaded?.expire).toBeInstanceOf(Date);
    expect(client.verifier.serials()).toEqual([certificate.serial]);
    expect(client.verifier.expiresAt(certificate.serial)?.getTime()).toBe(downloaded?.expire.getTime());
    // from now on the client verifies ordinary answers with it
    expect((await client.v3.certificates.get()).status).toBe(200);
  });

  it('fails with decrypt-failed for a wrong APIv3 key and leaves the verifier alone', async () => {
    const client = bare();
    const error = await downloadCertificates(client, { apiv3Key: 'W'.repeat(32) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).reason).toBe('decrypt-failed');
    expect(String((error as Error).message)).not.toContain(emulator.apiv3Key);
    expect(client.verifier.serials()).toEqual([]);
  });

  it('rejects an answer signed by a key it neither knew nor received (unknown-serial) and a tampered one (bad-signature)', async () => {
    const client = bare();
    emulator.signWith(emulator.platform.serial);
    try {
      await expect(downloadCertificates(client, { apiv3Key: emulator.apiv3Key })).rejects.toMatchObject({ reason: 'unknown-serial' });
    } finally {
      emulator.signWith(certificate.serial);
    }
    emulator.tamperNext((res) => {
      res.body = Buffer.from(res.body.toString().replace('"data"', '"data" '));
    });
    await expect(downloadCertificates(bare(), { apiv3Key: emulator.apiv3Key })).rejects.toMatchObject({ reason: 'bad-signature' });
  });

  it('refuses an APIv3 key that is not 32 bytes before sending anything', async () => {
    const before = emulator.requests.length;
    await expect(downloadCertificates(bare(), { apiv3Key: 'short' })).rejects.toBeInstanceOf(ArgumentError);
    expect(emulator.requests.length).toBe(before);
  });

  it('tells a public-key-mode merchant what to configure instead', async () => {
    const publicKeyMode = Emulator.create();
    const client = Builder.factory(publicKeyMode.clientConfig());
    clients.push(client);
    const error = await downloadCertificates(client, { apiv3Key: publicKeyMode.apiv3Key }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublicKeyModeError);
    expect((error as Error).message).toMatch(/public key mode.*PUB_KEY_ID_/);
  });

  it('takes no public-key-mode decision on an unsigned 404 RESOURCE_NOT_EXISTS: an HttpError that says it could not be verified', async () => {
    const publicKeyMode = Emulator.create();
    const client = Builder.factory(publicKeyMode.clientConfig());
    clients.push(client);
    // a proxy (or an attacker) answers the same words without WeChat Pay's signature
    publicKeyMode.tamperNext((res) => {
      for (const name of ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial']) res.headers.delete(name);
    });
    const error = await downloadCertificates(client, { apiv3Key: publicKeyMode.apiv3Key }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(PublicKeyModeError);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 404, verified: false, code: undefined, unverifiedCode: 'RESOURCE_NOT_EXISTS' });
    expect((error as Error).message).toMatch(/may be .*public key mode.*could not be verified/);
  });

  it('hints at public key mode when the 404 is signed by a key the client does not have', async () => {
    const publicKeyMode = Emulator.create();
    const client = Builder.factory(publicKeyMode.clientConfig({ certs: {} }));
    clients.push(client);
    const error = await downloadCertificates(client, { apiv3Key: publicKeyMode.apiv3Key }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error).toMatchObject({ reason: 'unknown-serial', status: 404 });
    expect((error as Error).message).toContain(publicKeyMode.platform.serial);
    expect((error as Error).message).toMatch(/public key mode/);
  });

  it('writes wechatpay_<serial>.pem files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wechatpay-certs-'));
    try {
      const certificates = await downloadCertificates(bare(), { apiv3Key: emulator.apiv3Key });
      const paths = await writeCertificates(certificates, join(dir, 'nested'));
      expect(paths).toEqual([join(dir, 'nested', `wechatpay_${certificate.serial}.pem`)]);
      expect(await readdir(join(dir, 'nested'))).toEqual([`wechatpay_${certificate.serial}.pem`]);
      expect(certificateSerial(await readFile(paths[0] as string, 'utf8'))).toBe(certificate.serial);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never follows a symlink planted at the old predictable temporary name or at the target', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wechatpay-certs-'));
    try {
      const certificates = await downloadCertificates(bare(), { apiv3Key: emulator.apiv3Key });
      const target = join(dir, `wechatpay_${certificate.serial}.pem`);
      const victim = join(dir, 'victim.txt');
      const elsewhere = join(dir, 'elsewhere.txt');
      await writeFile(victim, 'untouched');
      await writeFile(elsewhere, 'untouched too');
      // the temporary name used to be `${path}.${pid}.tmp`, predictable by anyone who can write the directory
      await symlink(victim, `${target}.${process.pid}.tmp`);
      await symlink(elsewhere, target);
      const [path] = await writeCertificates(certificates, dir);
      expect(path).toBe(target);
      expect(await readFile(victim, 'utf8')).toBe('untouched');
      expect(await readFile(elsewhere, 'utf8')).toBe('untouched too');
      expect((await lstat(target)).isSymbolicLink()).toBe(false);
      expect(certificateSerial(await readFile(target, 'utf8'))).toBe(certificate.serial);
      // nothing left behind but the planted link itself
      expect((await readdir(dir)).sort()).toEqual([`wechatpay_${certificate.serial}.pem`, `wechatpay_${certificate.serial}.pem.${process.pid}.tmp`, 'elsewhere.txt', 'victim.txt'].sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('decryptCertificates: an answer that is not a certificate list', () => {
  const apiv3Key = 'a'.repeat(32);
  const reasonOf = (payload: unknown) => {
    try {
      decryptCertificates(payload, apiv3Key);
    } catch (error) {
      return error instanceof VerificationError ? error.reason : 'not a VerificationError';
    }
    return 'accepted';
  };

  it('is refused as malformed-certificates (it is no notification), naming what is wrong', () => {
    expect(reasonOf({})).toBe('malformed-certificates');
    expect(reasonOf({ data: [{ serial_no: '1' }] })).toBe('malformed-certificates');
    expect(reasonOf({ data: [{ encrypt_certificate: { ciphertext: 'x', nonce: 'n' } }] })).toBe('malformed-certificates');
    expect(() => decryptCertificates({ data: 'x' }, apiv3Key)).toThrow(/platform certificates rejected: the answer has no "data" array/);
  });
});
