import { inspect } from 'node:util';
import type { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { resolveApiV2, type ApiV2Config } from '../../lib/client/config.js';
import type { RequestOptions } from '../../lib/endpoint/options.js';
import { ArgumentError } from '../../lib/errors.js';
import type { Next, RequestContext } from '../../lib/pipeline/context.js';
import { certificateRequired, loadMerchant, routeMutualTls, SecureDispatcher } from '../../lib/transport/mutual-tls.js';
import { createCertificate } from '../../lib/testing/certificates.js';

describe('merchant certificate', () => {
  it('loads a matching PEM pair and never prints the key', async () => {
    const cert = await createCertificate({ commonName: '1900000109', usage: 'client' });
    const loaded = loadMerchant({ cert: cert.certificatePem, key: cert.privateKeyPem });
    expect(loaded.kind).toBe('pem');
    expect(inspect(loaded)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(loaded)).not.toContain('PRIVATE KEY');
  });

  it('opens an encrypted PEM key with its passphrase, and says so when the passphrase is wrong', async () => {
    const cert = await createCertificate({ commonName: '1900000109', usage: 'client' });
    const encrypted = cert.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' }).toString();
    expect(loadMerchant({ cert: cert.certificatePem, key: encrypted, passphrase: 'correct horse' }).tls.passphrase).toBe('correct horse');
    const wrong = (() => {
      try {
        loadMerchant({ cert: cert.certificatePem, key: encrypted, passphrase: 'battery staple' });
      } catch (e) {
        return e as ArgumentError;
      }
    })();
    expect(wrong).toBeInstanceOf(ArgumentError);
    expect(wrong?.message).not.toContain('battery');
    expect(() => loadMerchant({ cert: cert.certificatePem, key: encrypted })).toThrow(/encrypted with a passphrase/);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const a = await createCertificate({ commonName: 'a' });
    const b = await createCertificate({ commonName: 'b' });
    expect(() => loadMerchant({ cert: a.certificatePem, key: b.privateKeyPem })).toThrow(/does not match/);
  });

  it('gives a clear error when security is asked without a certificate, and closes only its own Agent', async () => {
    const none = new SecureDispatcher(undefined, undefined);
    expect(none.available).toBe(false);
    expect(() => none.get()).toThrow(ArgumentError);
    const cert = await createCertificate({ commonName: 'c' });
    const own = new SecureDispatcher(loadMerchant({ cert: cert.certificatePem, key: cert.privateKeyPem }), undefined);
    const agent = own.get();
    expect(own.get()).toBe(agent);
    await own.close();
    expect((agent as Agent).closed).toBe(true);
  });
});

describe('certificateRequired', () => {
  it('follows the catalog for the chain template, and never for APIv3', () => {
    expect(certificateRequired('v2/secapi/pay/refund')).toBe(true);
    expect(certificateRequired('v2/mmpaymkttransfers/promotion/transfers')).toBe(true);
    expect(certificateRequired('v2/risk/getpublickey')).toBe(true);
    // the host aliases are gone: fraud/… is not an APIv2 template
    expect(certificateRequired('fraud/v2/risk/getpublickey')).toBe(false);
    expect(certificateRequired('v2/pay/micropay')).toBe(false);
    expect(certificateRequired('hk/v2/pay/micropay')).toBe(false);
    expect(certificateRequired('v3/refund/domestic/refunds')).toBe(false);
    expect(certificateRequired('secapi/pay/refund')).toBe(false);
  });
});

describe('routeMutualTls: the end of the pipeline for APIv2', () => {
  // the plain transport records what reached it; with no certificate configured, mutual TLS cannot be used
  function router(config: ApiV2Config) {
    const plain: string[] = [];
    const send: Next = (ctx) => {
      plain.push(ctx.template);
      return Promise.resolve({ status: 200, headers: {}, data: undefined, body: Buffer.alloc(0) });
    };
    return { plain, route: routeMutualTls(send, new SecureDispatcher(resolveApiV2(config).merchant, config.securityDispatcher)) };
  }
  const ctx = (template: string, options: RequestOptions = {}, protocol: 'v2' | 'v3' = 'v2') => ({ protocol, template, options }) as unknown as RequestContext;

  it('sends APIv3 and non-certificate APIv2 requests through the plain transport, whatever `security` says on APIv3', async () => {
    const { plain, route } = router({});
    await route(ctx('v2/pay/micropay'));
    await route(ctx('v2/secapi/pay/refund', { security: false }));
    await route(ctx('v3/refund/domestic/refunds', { security: 'yes' as unknown as boolean }, 'v3'));
    expect(plain).toEqual(['v2/pay/micropay', 'v2/secapi/pay/refund', 'v3/refund/domestic/refunds']);
  });

  it('without a certificate, refuses an endpoint that needs one, naming it and the options, before sending', async () => {
    const { plain, route } = router({});
    const error = await route(ctx('v2/secapi/pay/refund')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error).toMatchObject({ field: 'merchant' });
    const message = (error as Error).message;
    for (const part of ['v2/secapi/pay/refund', 'merchant: { cert, key }', 'securityDispatcher', 'security: false']) expect(message).toContain(part);
    await expect(route(ctx('v2/pay/micropay', { security: true }))).rejects.toThrow(/security: true \(v2\/pay\/micropay\)/);
    expect(plain).toEqual([]);
  });

  it('refuses a `security` that is not a boolean on APIv2', async () => {
    const { plain, route } = router({});
    await expect(route(ctx('v2/pay/micropay', { security: 1 as unknown as boolean }))).rejects.toMatchObject({ name: 'ArgumentError', field: 'security' });
    expect(plain).toEqual([]);
  });
});
