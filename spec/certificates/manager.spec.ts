import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, HttpError, PublicKeyModeError, type WeChatPayClient } from '../../lib/index.js';
import { CertificateManager } from '../../lib/certificates/index.js';
import { Emulator, type IssuedCertificate } from '../../lib/testing/index.js';

async function until(condition: () => boolean, limit = 100): Promise<void> {
  for (let i = 0; i < limit && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(condition()).toBe(true);
}

describe('CertificateManager', () => {
  const emulator = Emulator.create();
  let first: IssuedCertificate;
  let client: WeChatPayClient;
  beforeAll(async () => {
    first = await emulator.addPlatformCertificate();
    client = Builder.factory(emulator.clientConfig({ certs: { [emulator.platform.serial]: emulator.platform.publicKeyPem } }));
  });
  afterAll(async () => {
    await client.close();
  });

  it('rotates: adds new certificates, drops withdrawn ones, keeps config certs, keeps old ones when a refresh fails', async () => {
    const updates: string[][] = [];
    const manager = await CertificateManager.start(client, { apiv3Key: emulator.apiv3Key, onUpdate: (list) => updates.push(list.map((c) => c.serial)) });
    try {
      expect(manager.certificates().map((c) => c.serial)).toEqual([first.serial]);
      expect(client.verifier.has(first.serial)).toBe(true);

      // WeChat Pay issues a new certificate and starts signing with it
      const second = await emulator.addPlatformCertificate();
      await manager.refresh();
      expect(new Set(client.verifier.serials())).toEqual(new Set([emulator.platform.serial, first.serial, second.serial]));

      // a failed refresh changes nothing
      emulator.use(http.get('*/v3/certificates', () => HttpResponse.json({ code: 'SYSTEM_ERROR', message: '系统繁忙' }, { status: 500 }), { once: true }));
      await expect(manager.refresh()).rejects.toBeInstanceOf(HttpError);
      expect(new Set(client.verifier.serials())).toEqual(new Set([emulator.platform.serial, first.serial, second.serial]));

      // the old certificate is withdrawn
      emulator.platformCertificates.splice(emulator.platformCertificates.indexOf(first), 1);
      await manager.refresh();
      expect(new Set(client.verifier.serials())).toEqual(new Set([emulator.platform.serial, second.serial]));
      expect(updates.at(-1)).toEqual([second.serial]);
      expect((await client.v3.certificates.get()).status).toBe(200);
    } finally {
      manager.stop();
    }
    expect(manager.nextRefreshAt).toBeUndefined();
  });

  it('refreshes by itself on its schedule, and stop() ends it', async () => {
    const own = Emulator.create();
    await own.addPlatformCertificate();
    const bare = Builder.factory(own.clientConfig({ certs: {} }));
    const manager = await CertificateManager.start(bare, { apiv3Key: own.apiv3Key, interval: 30 });
    try {
      const next = await own.addPlatformCertificate();
      await until(() => bare.verifier.has(next.serial));
    } finally {
      manager.stop();
      await bare.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // let a refresh in flight at stop() land
    const seen = own.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(own.requests.length).toBe(seen);
  });

  it('schedules the refresh ahead of the earliest expiry and drops certificates once expired after failed refreshes', async () => {
    const own = Emulator.create();
    const soon = await own.addPlatformCertificate({ notAfter: new Date(Date.now() + 2 * 3600_000) });
    const bare = Builder.factory(own.clientConfig({ certs: {} }));
    let clock = Date.now();
    const errors: unknown[] = [];
    const manager = await CertificateManager.start(bare, {
      apiv3Key: own.apiv3Key,
      refreshBeforeExpiry: 3600_000,
      now: () => clock,
      onError: (e) => errors.push(e),
    });
    try {
      const due = (manager.nextRefreshAt as number) - clock;
      expect(due).toBeGreaterThan(3500_000);
      expect(due).toBeLessThanOrEqual(3600_000);
      own.use(http.get('*/v3/certificates', () => HttpResponse.json({ code: 'SYSTEM_ERROR', message: '系统繁忙' }, { status: 500 })));
      clock += 90 * 60_000; // within the refresh window, still valid
      await expect(manager.refresh()).rejects.toBeInstanceOf(HttpError);
      expect(bare.verifier.has(soon.serial)).toBe(true);
      clock += 60 * 60_000; // now past its expiry
      await expect(manager.refresh()).rejects.toBeInstanceOf(HttpError);
      expect(bare.verifier.has(soon.serial)).toBe(false);
      expect(manager.certificates()).toEqual([]);
    } finally {
      manager.stop();
      await bare.close();
    }
  });

  it('never removes a certificate the client was configured with, even once WeChat Pay withdraws it', async () => {
    const own = Emulator.create();
    const configured = await own.addPlatformCertificate();
    const withCerts = Builder.factory(own.clientConfig({ certs: { [configured.serial]: configured.certificatePem } }));
    const manager = await CertificateManager.start(withCerts, { apiv3Key: own.apiv3Key });
    try {
      const next = await own.addPlatformCertificate();
      own.platformCertificates.splice(own.platformCertificates.indexOf(configured), 1);
      await manager.refresh();
      expect(manager.certificates().map((c) => c.serial)).toEqual([next.serial]);
      expect(new Set(withCerts.verifier.serials())).toEqual(new Set([configured.serial, next.serial]));
    } finally {
      manager.stop();
      await withCerts.close();
    }
  });

  it('reports public-key mode clearly and validates its options', async () => {
    const publicKeyMode = Emulator.create();
    const other = Builder.factory(publicKeyMode.clientConfig());
    try {
      await expect(CertificateManager.start(other, { apiv3Key: publicKeyMode.apiv3Key })).rejects.toBeInstanceOf(PublicKeyModeError);
      await expect(CertificateManager.start(other, { apiv3Key: publicKeyMode.apiv3Key, interval: -1 })).rejects.toBeInstanceOf(ArgumentError);
    } finally {
      await other.close();
    }
  });
});
