// examples/testing/vitest/certificate-mode.test.ts
import { describe, expect, it } from 'vitest';
import { Builder, PublicKeyModeError } from 'wechatpay-chain';
import { downloadCertificates } from 'wechatpay-chain/certificates';
import { Emulator } from 'wechatpay-chain/testing';

describe('public-key mode (the default)', () => {
  it('signs with PUB_KEY_ID_…; there are no certificates to download', async () => {
    const emulator = Emulator.create();
    expect(emulator.signingSerial).toMatch(/^PUB_KEY_ID_/);
    const client = Builder.factory(emulator.clientConfig()); // certs: { PUB_KEY_ID_…: its public key }
    await expect(downloadCertificates(client, { apiv3Key: emulator.apiv3Key })).rejects.toBeInstanceOf(PublicKeyModeError);
    await client.close();
  });
});

describe('certificate mode', () => {
  it('downloads the platform certificate and verifies answers with it', async () => {
    const emulator = Emulator.create();
    // issues a platform certificate (needs @peculiar/x509), serves it on GET /v3/certificates
    // (encrypted with emulator.apiv3Key) and signs every answer with it from now on
    const certificate = await emulator.addPlatformCertificate();

    // a merchant bootstrapping: no certs yet, the download verifies itself with what it carries
    const { certs: _publicKey, ...bootstrap } = emulator.clientConfig();
    const client = Builder.factory(bootstrap);
    const downloaded = await downloadCertificates(client, { apiv3Key: emulator.apiv3Key });
    expect(downloaded.map((c) => c.serial)).toEqual([certificate.serial]);

    // later requests verify with the downloaded certificate
    const { data } = await client.v3.certificates.get();
    expect(data.data?.[0]?.serial_no).toBe(certificate.serial);
    await client.close();
  });

  it('a rotation the client missed: answers signed by a certificate it does not hold', async () => {
    const emulator = Emulator.create();
    const current = await emulator.addPlatformCertificate();
    const next = await emulator.addPlatformCertificate({ sign: false }); // announced, not used yet
    expect(emulator.signingSerial).toBe(current.serial);
    emulator.signWith(next.serial); // the switch
    const client = Builder.factory(emulator.clientConfig({ certs: { [current.serial]: current.certificatePem } }));
    await expect(client.v3.certificates.get()).rejects.toMatchObject({ name: 'VerificationError', reason: 'unknown-serial' });
    await client.close();
  });
});
