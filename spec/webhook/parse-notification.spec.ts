import { describe, expect, it } from 'vitest';
import { ArgumentError, VerificationError, type VerificationReason, Verifier } from '../../lib/index.js';
import { AesGcm } from '../../lib/crypto/index.js';
import { notificationReply, parseNotification } from '../../lib/webhook/index.js';
import { createNotification, Emulator } from '../../lib/testing/index.js';

const emulator = Emulator.create();
const certs = { [emulator.platform.serial]: emulator.platform.publicKeyPem };
const apiv3Key = emulator.apiv3Key;
const transaction = { out_trade_no: 'T20261122001', transaction_id: '4200000000000000000000000001', trade_state: 'SUCCESS', amount: { total: 100 } };

function reasonOf(run: () => unknown): VerificationReason {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(VerificationError);
    const message = String((error as Error).message) + JSON.stringify(error);
    expect(message).not.toContain(apiv3Key);
    return (error as VerificationError).reason;
  }
  throw new Error('expected a VerificationError');
}

/** Re-signs an arbitrary body (a notification WeChat Pay would really sign). */
function signed(body: string) {
  return { headers: emulator.signResponse(body), body };
}

describe('parseNotification', () => {
  it('verifies and decrypts a good notification (string body, plain header object)', () => {
    const incoming = createNotification(emulator, { resource: transaction });
    const notification = parseNotification<typeof transaction>(incoming, { certs, apiv3Key });
    expect(notification.resource).toEqual(transaction);
    expect(notification.event_type).toBe('TRANSACTION.SUCCESS');
    expect(notification.original_type).toBe('transaction');
    expect(notification.serial).toBe(emulator.platform.serial);
    expect(notification.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts a Buffer body, mixed-case header names, Fetch Headers and a Verifier', () => {
    const { headers, body } = createNotification(emulator, { resource: transaction });
    const mixed = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/(^|-)(\w)/g, (m) => m.toUpperCase()), v]));
    expect(parseNotification({ headers: mixed, body: Buffer.from(body) }, { certs, apiv3Key }).resource).toEqual(transaction);
    const verifier = new Verifier(certs);
    expect(parseNotification({ headers: new Headers(headers), body: new Uint8Array(Buffer.from(body)) }, { verifier, apiv3Key }).resource).toEqual(transaction);
  });

  describe('each Wechatpay-* header exactly once, whatever the framework hands over', () => {
    const { headers, body } = createNotification(emulator, { resource: transaction });
    const raw = Object.entries(headers).flatMap(([name, value]) => [name.replace(/(^|-)(\w)/g, (m) => m.toUpperCase()), value]);
    const twice = (name: string) => [...raw, name, headers[name.toLowerCase()] as string];

    it('accepts rawHeaders (a flat [name, value, …] array) and an IncomingMessage-like object', () => {
      expect(parseNotification({ headers: raw, body }, { certs, apiv3Key }).resource).toEqual(transaction);
      expect(parseNotification({ headers: { rawHeaders: raw, headers: {} } as never, body }, { certs, apiv3Key }).resource).toEqual(transaction);
    });

    it.each(['Wechatpay-Signature', 'Wechatpay-Serial', 'Wechatpay-Timestamp', 'Wechatpay-Nonce'])('refuses %s sent twice, in every form', (name) => {
      const lower = name.toLowerCase();
      // rawHeaders keeps both copies
      expect(reasonOf(() => parseNotification({ headers: twice(name), body }, { certs, apiv3Key }))).toBe('duplicated-header');
      expect(reasonOf(() => parseNotification({ headers: { rawHeaders: twice(name), headers: headers } as never, body }, { certs, apiv3Key }))).toBe('duplicated-header');
      // node:http's req.headers joins them with ", "
      expect(reasonOf(() => parseNotification({ headers: { ...headers, [lower]: `${headers[lower]}, ${headers[lower]}` }, body }, { certs, apiv3Key }))).toBe('duplicated-header');
      // Fetch Headers joins them too
      const fetchHeaders = new Headers(headers);
      fetchHeaders.append(name, headers[lower] as string);
      expect(reasonOf(() => parseNotification({ headers: fetchHeaders, body }, { certs, apiv3Key }))).toBe('duplicated-header');
      // an object with arrays (req.headersDistinct) or two spellings
      expect(reasonOf(() => parseNotification({ headers: { ...headers, [lower]: [headers[lower] as string, headers[lower] as string] }, body }, { certs, apiv3Key }))).toBe('duplicated-header');
      expect(reasonOf(() => parseNotification({ headers: { ...headers, [name]: headers[lower] }, body }, { certs, apiv3Key }))).toBe('duplicated-header');
    });

    it('refuses a rawHeaders array of odd length, or with a non-string entry, as a bad argument', () => {
      expect(() => parseNotification({ headers: raw.slice(1), body }, { certs, apiv3Key })).toThrow(ArgumentError);
      expect(() => parseNotification({ headers: [...raw.slice(0, -1), 5] as never, body }, { certs, apiv3Key })).toThrow(ArgumentError);
    });
  });

  it('follows changes to certs at the next call: a removed key stops verifying, an added key starts', () => {
    const other = Emulator.create({ apiv3Key, freshKeys: true }); // another platform key (emulators share keys by default)
    const live: Record<string, string> = { [emulator.platform.serial]: emulator.platform.publicKeyPem };
    const byOld = createNotification(emulator, { resource: transaction });
    const byNew = createNotification(other, { resource: transaction });
    const parse = (incoming: { headers: Record<string, string>; body: string }) => parseNotification(incoming, { certs: live, apiv3Key });
    expect(parse(byOld).serial).toBe(emulator.platform.serial);
    expect(reasonOf(() => parse(byNew))).toBe('unknown-serial');

    // the merchant rotates: delete certs[old]; certs[new] = pem
    delete live[emulator.platform.serial];
    live[other.platform.serial] = other.platform.publicKeyPem;
    expect(reasonOf(() => parse(byOld))).toBe('unknown-serial');
    expect(parse(byNew).serial).toBe(other.platform.serial);

    // a key replaced under the same serial: the old key no longer verifies
    live[other.platform.serial] = emulator.platform.publicKeyPem;
    expect(reasonOf(() => parse(byNew))).toBe('bad-signature');
    live[other.platform.serial] = other.platform.publicKeyPem;
    expect(parse(byNew).serial).toBe(other.platform.serial);

    // an unreadable key added is reported on every call until it is fixed; the others keep working meanwhile once it is gone
    live.BROKEN = 'not a key';
    expect(() => parse(byNew)).toThrow(ArgumentError);
    expect(() => parse(byNew)).toThrow(ArgumentError);
    delete live.BROKEN;
    expect(parse(byNew).serial).toBe(other.platform.serial);

    // a fresh object with the same content works at once, and a frozen one too
    expect(parseNotification(byOld, { certs: Object.freeze({ ...certs }), apiv3Key }).serial).toBe(emulator.platform.serial);
  });

  it('accepts notifications signed by a platform certificate when certs holds both kinds', async () => {
    const other = Emulator.create({ apiv3Key });
    const certificate = await other.addPlatformCertificate();
    const both = { ...certs, [certificate.serial]: certificate.certificatePem };
    const incoming = createNotification(other, { resource: transaction });
    expect(incoming.headers['wechatpay-serial']).toBe(certificate.serial);
    expect(parseNotification(incoming, { certs: both, apiv3Key }).serial).toBe(certificate.serial);
  });

  it('rejects a tampered body (bad-signature)', () => {
    const { headers, body } = createNotification(emulator, { resource: transaction });
    expect(reasonOf(() => parseNotification({ headers, body: body.replace('TRANSACTION.SUCCESS', 'TRANSACTION.SUCCESs') }, { certs, apiv3Key }))).toBe('bad-signature');
    // a re-serialized body (what a JSON body parser gives back) does not verify either
    const reserialized = JSON.stringify(JSON.parse(body), null, 1);
    expect(reasonOf(() => parseNotification({ headers, body: reserialized }, { certs, apiv3Key }))).toBe('bad-signature');
  });

  it('rejects a stale timestamp (±300 s window)', () => {
    const { headers, body } = createNotification(emulator, { resource: transaction });
    const later = Number(headers['wechatpay-timestamp']) * 1000 + 301_000;
    expect(reasonOf(() => parseNotification({ headers, body }, { certs, apiv3Key, now: later }))).toBe('stale-timestamp');
    expect(parseNotification({ headers, body }, { certs, apiv3Key, now: later - 2000 }).resource).toEqual(transaction);
  });

  it('rejects an unknown serial', () => {
    const stranger = Emulator.create({ apiv3Key });
    const incoming = createNotification(stranger, { resource: transaction });
    expect(reasonOf(() => parseNotification(incoming, { certs, apiv3Key }))).toBe('unknown-serial');
  });

  it('rejects a resource encrypted with another APIv3 key (decrypt-failed), without naming the key', () => {
    const incoming = createNotification(emulator, { resource: transaction, apiv3Key: 'Z'.repeat(32) });
    expect(reasonOf(() => parseNotification(incoming, { certs, apiv3Key }))).toBe('decrypt-failed');
  });

  it('rejects an algorithm other than AEAD_AES_256_GCM', () => {
    const envelope = JSON.parse(createNotification(emulator, { resource: transaction }).body);
    envelope.resource.algorithm = 'AEAD_AES_128_GCM';
    expect(reasonOf(() => parseNotification(signed(JSON.stringify(envelope)), { certs, apiv3Key }))).toBe('unsupported-algorithm');
  });

  it('checks Wechatpay-Signature-Type when present', () => {
    const { headers, body } = createNotification(emulator, { resource: transaction });
    const typed = { ...headers, 'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048' };
    expect(parseNotification({ headers: typed, body }, { certs, apiv3Key }).resource).toEqual(transaction);
    const other = { ...headers, 'wechatpay-signature-type': 'WECHATPAY2-SM2-WITH-SM3' };
    expect(reasonOf(() => parseNotification({ headers: other, body }, { certs, apiv3Key }))).toBe('unsupported-algorithm');
  });

  it('rejects missing headers and missing envelope fields', () => {
    const { headers, body } = createNotification(emulator, { resource: transaction });
    for (const name of ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial']) {
      const partial: Record<string, string> = { ...headers };
      delete partial[name];
      expect(reasonOf(() => parseNotification({ headers: partial, body }, { certs, apiv3Key }))).toBe('missing-header');
    }
    const envelope = JSON.parse(body);
    for (const field of ['ciphertext', 'nonce', 'algorithm']) {
      const copy = structuredClone(envelope);
      delete copy.resource[field];
      expect(reasonOf(() => parseNotification(signed(JSON.stringify(copy)), { certs, apiv3Key }))).toBe('malformed-notification');
    }
    expect(reasonOf(() => parseNotification(signed('{"id":"x"}'), { certs, apiv3Key }))).toBe('malformed-notification');
    expect(reasonOf(() => parseNotification(signed('not json'), { certs, apiv3Key }))).toBe('malformed-notification');
    const iv = 'abcdefghijkl';
    const notJson = { ...envelope, resource: { ...envelope.resource, nonce: iv, ciphertext: AesGcm.encrypt('plain text', apiv3Key, iv, envelope.resource.associated_data) } };
    expect(reasonOf(() => parseNotification(signed(JSON.stringify(notJson)), { certs, apiv3Key }))).toBe('malformed-notification');
  });

  it('rejects bad options with ArgumentError and never prints the key', () => {
    const incoming = createNotification(emulator, { resource: transaction });
    expect(() => parseNotification(incoming, { certs, apiv3Key: 'short-key' })).toThrow(ArgumentError);
    expect(() => parseNotification(incoming, { certs, apiv3Key: 'short-key' })).not.toThrow(/short-key/);
    expect(() => parseNotification(incoming, { apiv3Key })).toThrow(/certs/);
    expect(() => parseNotification({ headers: incoming.headers, body: JSON.parse(incoming.body) }, { certs, apiv3Key })).toThrow(/raw body/);
  });
});

describe('notificationReply', () => {
  it('answers 200 SUCCESS, 401 for verification failures and 500 for processing failures', () => {
    expect(notificationReply()).toMatchObject({ status: 200, body: '{"code":"SUCCESS","message":"成功"}' });
    const forged = new VerificationError('bad-signature', 'x');
    expect(notificationReply(forged).status).toBe(401);
    expect(JSON.parse(notificationReply(forged).body).code).toBe('FAIL');
    const failed = notificationReply(new Error('database down: password=hunter2'));
    expect(failed.status).toBe(500);
    expect(failed.body).not.toContain('hunter2');
    expect(JSON.parse(notificationReply(new Error('x'), '稍后重试').body)).toEqual({ code: 'FAIL', message: '稍后重试' });
  });
});
