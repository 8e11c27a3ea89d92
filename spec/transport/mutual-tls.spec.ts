import { inspect } from 'node:util';
import type { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../lib/errors.js';
import { loadMerchant, SecureDispatcher } from '../../lib/transport/mutual-tls.js';
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
