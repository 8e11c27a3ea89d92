/**
 * Issue 16: `Emulator.create()` reuses the keys it generated within a process (RSA key generation
 * is about 0.5 s for the two pairs), yet every emulator stays independent: its own serials,
 * handlers, requests, sandbox. `freshKeys: true` and keys given as options bypass the cache.
 * (The time itself is measured by `npm run bench`, section "Sandbox", not asserted here.)
 */
import { generateKeyPairSync, verify } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { afterAll, describe, expect, it } from 'vitest';
import { Builder, HttpError, VerificationError, type WeChatPayClient } from '../../lib/index.js';
import { ArgumentError } from '../../lib/errors.js';
import { Emulator } from '../../lib/testing/index.js';

const clients: WeChatPayClient[] = [];
const emulators: Emulator[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(emulators.map((emulator) => emulator.close()));
});

function create(options: Parameters<typeof Emulator.create>[0] = {}): Emulator {
  const emulator = Emulator.create(options);
  emulators.push(emulator);
  return emulator;
}

function clientOf(emulator: Emulator, overrides: Parameters<Emulator['clientConfig']>[0] = {}): WeChatPayClient {
  const client = Builder.factory(emulator.clientConfig(overrides));
  clients.push(client);
  return client;
}

describe('Emulator.create() key reuse', () => {
  it('hands the second emulator the same key objects and PEMs as the first (same modulusLength)', () => {
    const first = create();
    const second = create({ mchid: '1230000109' });
    expect(second.merchant.privateKey).toBe(first.merchant.privateKey);
    expect(second.merchant.publicKeyPem).toBe(first.merchant.publicKeyPem);
    expect(second.platform.privateKey).toBe(first.platform.privateKey);
    expect(second.platform.privateKeyPem).toBe(first.platform.privateKeyPem);
    // the merchant and the platform still have different keys
    expect(first.merchant.publicKeyPem).not.toBe(first.platform.publicKeyPem);
  });

  it('keeps one cache per modulusLength', () => {
    const small = create({ modulusLength: 1024 });
    const again = create({ modulusLength: 1024 });
    const big = create();
    expect(small.merchant.privateKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(again.merchant.privateKey).toBe(small.merchant.privateKey);
    expect(big.merchant.privateKey).not.toBe(small.merchant.privateKey);
    expect(big.merchant.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('generates new keys with freshKeys: true, without replacing the shared ones', () => {
    const shared = create({ modulusLength: 1024 });
    const fresh = create({ modulusLength: 1024, freshKeys: true });
    expect(fresh.merchant.publicKeyPem).not.toBe(shared.merchant.publicKeyPem);
    expect(fresh.platform.publicKeyPem).not.toBe(shared.platform.publicKeyPem);
    expect(fresh.merchant.publicKeyPem).not.toBe(fresh.platform.publicKeyPem);
    expect(create({ modulusLength: 1024 }).merchant.privateKey).toBe(shared.merchant.privateKey);
  });

  it('uses merchantKey / platformKey as given (PEM or KeyObject), the other pair still from the cache', async () => {
    const mine = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = mine.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const shared = create({ modulusLength: 1024 });
    const byPem = create({ modulusLength: 1024, merchantKey: pem });
    expect(byPem.merchant.publicKeyPem).toBe(mine.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    expect(byPem.platform.privateKey).toBe(shared.platform.privateKey);
    const byObject = create({ modulusLength: 1024, platformKey: mine.privateKey });
    expect(byObject.platform.privateKey.equals(mine.privateKey)).toBe(true);
    expect(byObject.merchant.privateKey).toBe(shared.merchant.privateKey);
    // and it really signs with that key: a client trusting only `mine` verifies its answers
    const client = clientOf(byObject, { certs: { [byObject.platform.serial]: mine.publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
    const answer = await client.v3.certificates.get().catch((e: unknown) => e);
    expect(answer).toBeInstanceOf(HttpError); // 404 RESOURCE_NOT_EXISTS in public-key mode, verified
    expect((answer as HttpError).verified).toBe(true);
  });

  it('refuses a merchantKey / platformKey that is not an RSA private key, naming the option', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => Emulator.create({ merchantKey: ec.privateKey })).toThrow(ArgumentError);
    expect(() => Emulator.create({ merchantKey: ec.privateKey })).toThrow(/merchantKey/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => Emulator.create({ platformKey: rsa.publicKey })).toThrow(/platformKey: .*private/);
    expect(() => Emulator.create({ platformKey: 'not a key' })).toThrow(ArgumentError);
    const error = (() => {
      try {
        Emulator.create({ merchantKey: 'not a key' });
      } catch (e) {
        return e as ArgumentError;
      }
      return undefined;
    })();
    expect(error?.field).toBe('merchantKey');
  });

  it('refuses a modulusLength that is not an integer from 1024 to 16384', () => {
    for (const modulusLength of [512, 2048.5, Number.NaN, 32_768]) {
      expect(() => Emulator.create({ modulusLength })).toThrow(ArgumentError);
    }
  });
});

describe('emulators sharing keys stay independent', () => {
  it('have their own serials, handlers, requests and sandbox', async () => {
    const a = create({ sandbox: true });
    const b = create({ sandbox: true });
    expect(a.merchant.serial).not.toBe(b.merchant.serial);
    expect(a.platform.serial).not.toBe(b.platform.serial);

    a.use(http.get('*/v3/pay/transactions/id/:id', ({ params }) => HttpResponse.json({ transaction_id: params.id, trade_state: 'SUCCESS' })));
    const clientA = clientOf(a);
    const clientB = clientOf(b);
    const ok = await clientA.v3.pay.transactions.id._transaction_id_.get({ transaction_id: '4200000001', query: { mchid: a.merchant.mchid } });
    expect(ok.data).toEqual({ transaction_id: '4200000001', trade_state: 'SUCCESS' });
    // b has no such handler: its sandbox answers ORDER_NOT_EXIST
    const missing = await clientB.v3.pay.transactions.id._transaction_id_.get({ transaction_id: '4200000001', query: { mchid: b.merchant.mchid } }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(HttpError);
    expect((missing as HttpError).code).toBe('ORDER_NOT_EXIST');

    await clientA.v3.pay.transactions.native.post({ json: { appid: 'wxd678efh567hg6787', mchid: a.merchant.mchid, description: 'a', out_trade_no: 'K1', notify_url: 'https://example.com/notify', amount: { total: 1 } } });
    expect(a.sandbox?.store.orders.map((order) => order.out_trade_no)).toEqual(['K1']);
    expect(b.sandbox?.store.orders).toEqual([]);
    expect(a.requests.map((r) => r.path)).toEqual(['/v3/pay/transactions/id/4200000001?mchid=1900000109', '/v3/pay/transactions/native']);
    expect(b.requests.map((r) => r.path)).toEqual(['/v3/pay/transactions/id/4200000001?mchid=1900000109']);
  });

  it("refuses a request signed for another emulator with the same keys (its serial is not this merchant's)", async () => {
    const a = create();
    const b = create();
    const crossed = clientOf(a, { serial: b.merchant.serial });
    const error = await crossed.v3.certificates.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).code).toBe('SIGN_ERROR');
    expect(a.requests.at(-1)?.verified).toBe(false);
  });

  it('lets a client trusting another emulator refuse the answers when that one has fresh keys', async () => {
    const a = create();
    const other = create({ freshKeys: true });
    // a's platform serial, but the other emulator's public key: the signature cannot verify
    const client = clientOf(a, { certs: { [a.platform.serial]: other.platform.publicKeyPem } });
    const error = await client.v3.certificates.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    const signature = a.signResponse('{}');
    const message = Buffer.from(`${signature['wechatpay-timestamp']}\n${signature['wechatpay-nonce']}\n{}\n`);
    expect(verify('sha256', message, other.platform.publicKey, Buffer.from(signature['wechatpay-signature'] as string, 'base64'))).toBe(false);
  });
});
