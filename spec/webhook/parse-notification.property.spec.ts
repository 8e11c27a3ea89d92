import { describe, expect, it } from 'vitest';
import { ArgumentError, VerificationError, type VerificationReason } from '../../lib/index.js';
import { AesGcm } from '../../lib/crypto/index.js';
import { parseNotification } from '../../lib/webhook/index.js';
import { createNotification, Emulator } from '../../lib/testing/index.js';
import { anyString, fc } from '../support/property.js';

const emulator = Emulator.create();
const certs = { [emulator.platform.serial]: emulator.platform.publicKeyPem };
const apiv3Key = emulator.apiv3Key;
const ENVELOPE_REASONS: VerificationReason[] = ['malformed-notification', 'unsupported-algorithm', 'decrypt-failed'];

/** Signs a body as WeChat Pay would, so only the envelope is hostile. */
const signed = (body: string) => ({ headers: emulator.signResponse(body), body });

/** parseNotification must return a notification or throw a VerificationError with a known reason — nothing else, and never the key. */
function outcome(incoming: { headers: Record<string, unknown>; body: unknown }): unknown {
  try {
    return parseNotification(incoming as Parameters<typeof parseNotification>[0], { certs, apiv3Key });
  } catch (error) {
    if (!(error instanceof VerificationError) && !(error instanceof ArgumentError)) throw error;
    expect(error.message).not.toContain(apiv3Key);
    expect(JSON.stringify(error)).not.toContain(apiv3Key);
    return error;
  }
}

const anyValue = fc.oneof(fc.anything({ maxDepth: 2 }), anyString(), fc.constant(null), fc.integer(), fc.constant(''));
const resource = fc.oneof(
  anyValue,
  fc.record(
    {
      algorithm: fc.oneof(fc.constant('AEAD_AES_256_GCM'), fc.constantFrom('AEAD_AES_128_GCM', 'aead_aes_256_gcm', 'AES-256-GCM', ''), anyValue),
      ciphertext: fc.oneof(fc.base64String({ maxLength: 80 }), anyValue),
      nonce: fc.oneof(fc.string({ unit: 'binary-ascii', minLength: 12, maxLength: 12 }), anyValue),
      associated_data: fc.oneof(fc.constantFrom('transaction', ''), anyValue),
      original_type: anyValue,
    },
    { requiredKeys: [] },
  ),
);
const envelope = fc.record(
  { id: anyValue, create_time: anyValue, event_type: anyValue, resource_type: anyValue, summary: anyValue, resource },
  { requiredKeys: [] },
);

describe('parseNotification with hostile notification JSON (signed, so only the envelope is wrong)', () => {
  it('missing fields, wrong types, wrong algorithm: a VerificationError naming the problem, never a TypeError', () => {
    fc.assert(
      fc.property(envelope, (value) => {
        const result = outcome(signed(JSON.stringify(value)));
        expect(result).toBeInstanceOf(VerificationError);
        expect(ENVELOPE_REASONS).toContain((result as VerificationError).reason);
        expect((result as VerificationError).message).toMatch(/^notification rejected: (the body|the "resource"|resource[. ]|the decrypted)/);
      }),
      { numRuns: 200 },
    );
  });

  it('any signed body that is not an envelope → malformed-notification', () => {
    fc.assert(
      fc.property(fc.oneof(anyString(200), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null')), (body) => {
        const result = outcome(signed(body));
        expect(result).toBeInstanceOf(VerificationError);
        expect(ENVELOPE_REASONS).toContain((result as VerificationError).reason);
      }),
      { numRuns: 200 },
    );
  });

  it('a genuine notification with one resource field replaced by any value still fails cleanly', () => {
    fc.assert(
      fc.property(fc.constantFrom('algorithm', 'ciphertext', 'nonce', 'associated_data'), anyValue, (field, value) => {
        const genuine = createNotification(emulator, { resource: { out_trade_no: 'T1' } });
        const parsed = JSON.parse(genuine.body) as { resource: Record<string, unknown> };
        if (JSON.stringify(parsed.resource[field]) === JSON.stringify(value)) return;
        parsed.resource[field] = value;
        const result = outcome(signed(JSON.stringify(parsed)));
        // associated_data of a wrong type can only make decryption fail; nothing decrypts to the original by accident
        expect(result).toBeInstanceOf(VerificationError);
      }),
      { numRuns: 150 },
    );
  });

  it('names each problem in the message', () => {
    const good = JSON.parse(createNotification(emulator, { resource: { a: 1 } }).body) as { resource: Record<string, unknown> };
    const cases: Array<[unknown, VerificationReason, RegExp]> = [
      ['not json', 'malformed-notification', /the body is not JSON/],
      [[1, 2], 'malformed-notification', /not a JSON object/],
      [{ ...good, resource: undefined }, 'malformed-notification', /"resource" object is missing/],
      [{ ...good, resource: { ...good.resource, nonce: 7 } }, 'malformed-notification', /resource\.nonce is missing/],
      [{ ...good, resource: { ...good.resource, algorithm: 'AEAD_AES_128_GCM' } }, 'unsupported-algorithm', /resource\.algorithm is "AEAD_AES_128_GCM", expected AEAD_AES_256_GCM/],
      [{ ...good, resource: { ...good.resource, ciphertext: Buffer.from('x'.repeat(40)).toString('base64') } }, 'decrypt-failed', /does not decrypt with the APIv3 key/],
    ];
    for (const [value, reason, message] of cases) {
      const result = outcome(signed(typeof value === 'string' ? value : JSON.stringify(value))) as VerificationError;
      expect(result.reason).toBe(reason);
      expect(result.message).toMatch(message);
    }
    // encrypted with the right key, but the plaintext is not JSON
    const iv = 'abcdefghijkl';
    const notJson = { ...good, resource: { ...good.resource, nonce: iv, associated_data: 'x', ciphertext: AesGcm.encrypt('<xml/>', apiv3Key, iv, 'x') } };
    const result = outcome(signed(JSON.stringify(notJson))) as VerificationError;
    expect(result.reason).toBe('malformed-notification');
    expect(result.message).toMatch(/decrypted resource is not JSON/);
  });

  it('hostile headers or body types → VerificationError or ArgumentError, before anything is decrypted', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('wechatpay-timestamp', 'Wechatpay-Nonce', 'WECHATPAY-SIGNATURE', 'wechatpay-serial', 'wechatpay-signature-type', 'x'), fc.oneof(anyString(), fc.array(anyString(), { maxLength: 2 }))),
        fc.oneof(anyString(100), fc.constant(undefined), fc.integer(), fc.object()),
        (headers, body) => {
          const result = outcome({ headers, body });
          expect(result instanceof VerificationError || result instanceof ArgumentError).toBe(true);
        },
      ),
    );
  });
});
