import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../lib/errors.js';
import { Verifier, type HeaderBag } from '../../lib/apiv3/verifier.js';
import { Emulator } from '../../lib/testing/index.js';
import { anyString, fc } from '../support/property.js';

const emulator = Emulator.create();
const verifier = new Verifier({ [emulator.platform.serial]: emulator.platform.publicKeyPem });
const NAMES = ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial', 'wechatpay-statement-sha1'] as const;
const REASONS = ['missing-header', 'duplicated-header', 'bad-timestamp', 'stale-timestamp', 'unknown-serial', 'bad-signature', 'digest-mismatch'];

/** check() must either return a known serial or throw a VerificationError with a known reason. */
function outcome(headers: HeaderBag, body: Buffer | string): string | VerificationError {
  try {
    return verifier.check(headers, body);
  } catch (error) {
    expect(error).toBeInstanceOf(VerificationError);
    expect(REASONS).toContain((error as VerificationError).reason);
    expect((error as VerificationError).message).toMatch(/^response rejected: /);
    return error as VerificationError;
  }
}

const headerValue = fc.oneof(
  anyString(),
  fc.array(anyString(), { maxLength: 3 }),
  fc.constant(undefined),
  fc.constant(''),
  fc.integer().map(String),
  fc.constantFrom(' 1700000000', '1e9', '0x10', '１７００', '-1', '99999999999999', emulator.platform.serial, '__proto__'),
);

describe('Verifier.check with hostile headers and bodies', () => {
  it('never throws anything but a VerificationError, and never accepts a made-up answer', () => {
    fc.assert(
      fc.property(
        fc.record({ 'wechatpay-timestamp': headerValue, 'wechatpay-nonce': headerValue, 'wechatpay-signature': headerValue, 'wechatpay-serial': headerValue, 'wechatpay-statement-sha1': headerValue }, { requiredKeys: [] }),
        fc.dictionary(anyString(12), headerValue, { maxKeys: 3 }),
        fc.oneof(anyString(200), fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes))),
        (wechatpay, extra, body) => {
          const result = outcome({ ...extra, ...wechatpay } as HeaderBag, body);
          expect(result).toBeInstanceOf(VerificationError);
        },
      ),
    );
  });

  it('accepts a genuine answer, and rejects it after any change to body, nonce, timestamp or signature', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyString(100), fc.uint8Array({ maxLength: 100 }).map((bytes) => Buffer.from(bytes))),
        fc.constantFrom('body', 'nonce', 'timestamp', 'signature'),
        fc.integer({ min: 0, max: 1000 }),
        (body, part, at) => {
          const bytes = Buffer.from(body);
          const headers = emulator.signResponse(bytes);
          expect(outcome(headers, bytes)).toBe(emulator.platform.serial);
          const tampered: Record<string, string> = { ...headers };
          let tamperedBody = bytes;
          if (part === 'body') {
            tamperedBody = Buffer.concat([bytes, Buffer.from([at % 256])]);
          } else {
            const name = `wechatpay-${part}`;
            const value = tampered[name] as string;
            const i = at % value.length;
            // flip one character to another allowed one of the same kind
            const ch = value[i] as string;
            const swap = /\d/.test(ch) ? String((Number(ch) + 1) % 10) : ch === 'A' ? 'B' : 'A';
            tampered[name] = value.slice(0, i) + swap + value.slice(i + 1);
            // base64 has spare bits in its last group: a flip there decodes to the same signature
            if (part === 'signature' && Buffer.from(tampered[name] as string, 'base64').equals(Buffer.from(value, 'base64'))) return;
          }
          const result = outcome(tampered, tamperedBody);
          expect(result).toBeInstanceOf(VerificationError);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a header given twice is refused even when both copies are genuine', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NAMES.slice(0, 4)), (name) => {
        const headers: Record<string, string | string[]> = emulator.signResponse('{}');
        headers[name] = [headers[name] as string, headers[name] as string];
        const result = outcome(headers, '{}');
        expect((result as VerificationError).reason).toBe('duplicated-header');
      }),
      { numRuns: 20 },
    );
  });

  it('matches names in any case, and refuses two spellings of one header', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }), fc.constantFrom(...NAMES.slice(0, 4)), (upper, twice) => {
        const genuine = emulator.signResponse('{"x":1}');
        const cased: Record<string, string> = {};
        for (const [name, value] of Object.entries(genuine)) cased[name.replace(/[a-z]/g, (ch, i: number) => (upper[i % 20] ? ch.toUpperCase() : ch))] = value;
        expect(outcome(cased, '{"x":1}')).toBe(emulator.platform.serial);
        const withTwin = { ...cased, [twice.toUpperCase()]: genuine[twice] as string, [twice]: genuine[twice] as string };
        expect((outcome(withTwin, '{"x":1}') as VerificationError).reason).toBe('duplicated-header');
      }),
      { numRuns: 50 },
    );
  });

  it('names the problem in the message', () => {
    const headers = emulator.signResponse('{}');
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ ...headers, 'wechatpay-nonce': undefined }, 'missing-header', /wechatpay-nonce is missing/],
      [{ ...headers, 'wechatpay-timestamp': '17e8' }, 'bad-timestamp', /not a unix time/],
      [{ ...headers, 'wechatpay-timestamp': '1000' }, 'stale-timestamp', /s away from now/],
      [{ ...headers, 'wechatpay-serial': 'PUB_KEY_ID_X' }, 'unknown-serial', /"PUB_KEY_ID_X" is not among the configured certs/],
      [{ ...headers, 'wechatpay-signature': 'bm90IGEgc2lnbmF0dXJl' }, 'bad-signature', /is not 344 characters of padded standard base64/],
      [{ ...headers, 'wechatpay-signature': emulator.signResponse('{"other":1}')['wechatpay-signature'] }, 'bad-signature', /does not verify/],
    ];
    for (const [bag, reason, message] of cases) {
      const result = outcome(bag as HeaderBag, '{}') as VerificationError;
      expect(result.reason).toBe(reason);
      expect(result.message).toMatch(message);
    }
  });
});
