import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArgumentError, Builder } from '../lib/index.js';
import { OwnSecrets } from '../lib/own-secrets.js';
import { Emulator, generateKeyPair } from '../lib/testing/index.js';

const secret = randomBytes(16).toString('hex');
const key = generateKeyPair().privateKey;
const jwk = key.export({ format: 'jwk' });
const pkcs8 = key.export({ type: 'pkcs8', format: 'pem' }).toString();
const secrets = new OwnSecrets().add('the APIv2 secret', secret).addPrivateKey('the merchant private key', key).add('a passphrase', 'correct-horse');
const headers = { accept: 'application/json, text/plain, */*', 'user-agent': 'wechatpay-chain/0.1.0 node/20.20.2 (linux)' };

function refusal(path: string, extra: Record<string, string> = {}): ArgumentError | undefined {
  try {
    secrets.check(path, { ...headers, ...extra });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentError);
    return error as ArgumentError;
  }
}

describe('OwnSecrets: the client never sends its own secrets', () => {
  it('lets ordinary requests through', () => {
    expect(refusal('/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1230000109')).toBeUndefined();
    expect(refusal('/v3/certificates', { 'x-trace': 'abc', 'wechatpay-serial': 'PUB_KEY_ID_0114232134912410000000000000' })).toBeUndefined();
  });

  it.each([
    ['a path segment', `/v3/x/${secret}`, 'path'],
    ['part of a path segment', `/v3/x/order-${secret}-1`, 'path'],
    ['a query value', `/v3/x?a=1&key=${secret}`, 'query'],
    ['a query key', `/v3/x?${secret}=1`, 'query'],
    ['a percent-encoded JWK d', `/v3/x/${encodeURIComponent(String(jwk.d))}`, 'path'],
    ['a PKCS#8 body', `/v3/x?k=${encodeURIComponent(key.export({ type: 'pkcs8', format: 'der' }).toString('base64'))}`, 'query'],
    ['any PEM private key', `/v3/x/${encodeURIComponent(generateKeyPair().privateKeyPem)}`, 'path'],
    ['a short passphrase', '/v3/x/correct-horse', 'path'],
  ])('refuses %s, naming where and what, never the value', (_kind, path, field) => {
    const error = refusal(path);
    expect(error?.field).toBe(field);
    expect(error?.message).toMatch(/holds (the APIv2 secret|the merchant private key|a PEM private key|a passphrase); the client never sends its own secrets/);
    expect(error?.message).not.toContain(secret.slice(0, 8));
  });

  it('checks header values and header names (any case)', () => {
    expect(refusal('/v3/x', { 'x-gateway': `Bearer ${secret}` })?.field).toBe('headers');
    expect(refusal('/v3/x', { [String(jwk.d).toLowerCase()]: '1' })?.message).toMatch(/merchant private key/);
    expect(refusal('/v3/x', { 'x-key': pkcs8.replace(/\n/g, ' ') })?.message).toMatch(/PEM private key/);
  });

  it('ignores texts too short to recognise', () => {
    const tiny = new OwnSecrets().add('short', '1234567');
    expect(() => tiny.check('/v3/x/1234567', {})).not.toThrow();
  });

  it('is wired into the client (the APIv2 secret, the private key; spec/e2e/secrets.spec.ts has the rest)', async () => {
    const emulator = Emulator.create({ secret });
    const client = Builder.factory({ ...emulator.clientConfig(), secret });
    const before = emulator.requests.length;
    await expect(client.chain('v3/x/{id}').get({ id: secret })).rejects.toThrow(/path: holds the APIv2 secret/);
    await expect(client.chain('v3/x').get({ query: { d: String(emulator.merchant.privateKey.export({ format: 'jwk' }).d) } })).rejects.toThrow(/query: holds the merchant private key/);
    expect(emulator.requests.length).toBe(before);
    await client.close();
  });
});
