/**
 * The emulator answering like a misconfigured setup (issue 18): its clock, the merchant
 * certificate it trusts.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Builder, VerificationError } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';
import { installInnerStep } from '../../lib/pipeline/pipeline.js';

const clients: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

describe('Emulator clock', () => {
  it('stamps Date and Wechatpay-Timestamp from its own clock, in process and over loopback', async () => {
    const offset = 10 * 60_000;
    const emulator = Emulator.create({ now: () => Date.now() + offset });
    const { baseURL, close } = await emulator.listen();
    try {
      for (const config of [emulator.clientConfig(), emulator.clientConfig({ baseURL })]) {
        const client = Builder.factory(config);
        clients.push(client);
        let headers: Record<string, unknown> = {};
        // the answer as received, before verification (which refuses it): only the library's own
        // inner steps may sit there, so this spec uses the internal door (user steps cannot, issue 13 item 5)
        installInnerStep(client.pipeline, 'verify', async (ctx, next) => {
          const res = await next(ctx);
          headers = res.headers;
          return res;
        }, 'peek');
        // 10 minutes apart: the emulator refuses our request (401) and we refuse its answer (stale)
        const error = await client.v3.certificates.get().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(VerificationError);
        const date = Date.parse(String(headers.date));
        const stamp = Number(headers['wechatpay-timestamp']) * 1000;
        expect(Math.abs(date - (Date.now() + offset))).toBeLessThan(5_000);
        expect(Math.abs(stamp - (Date.now() + offset))).toBeLessThan(5_000);
      }
    } finally {
      await close();
    }
  });
});

describe('Emulator.merchantCertificate()', () => {
  it('certifies the merchant key under the merchant serial; options can make it expired', async () => {
    const emulator = Emulator.create();
    const issued = await emulator.merchantCertificate();
    const x509 = new X509Certificate(issued.certificatePem);
    expect(x509.serialNumber).toBe(emulator.merchant.serial);
    expect(x509.checkPrivateKey(emulator.merchant.privateKey)).toBe(true);
    expect(x509.subject).toContain(`CN=${emulator.merchant.mchid}`);
    const expired = await emulator.merchantCertificate({ notBefore: new Date(Date.now() - 2 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    expect(new Date(new X509Certificate(expired.certificatePem).validTo).getTime()).toBeLessThan(Date.now());
  });
});
