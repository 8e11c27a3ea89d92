import { describe, expect, it } from 'vitest';
import { VerificationError, type VerificationReason, Verifier } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';

const emulator = Emulator.create();
const verifier = new Verifier({ [emulator.platform.serial]: emulator.platform.publicKeyPem });
const NAMES = ['wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial'] as const;

function reasonOf(headers: Record<string, string | string[]>, body = '{}'): VerificationReason | 'verified' {
  try {
    verifier.check(headers, body);
    return 'verified';
  } catch (error) {
    expect(error).toBeInstanceOf(VerificationError);
    return (error as VerificationError).reason;
  }
}

describe('Verifier: each Wechatpay-* header exactly once', () => {
  // node:http's IncomingMessage.headers and Fetch's Headers.get() join a repeated header with ", "
  // (RFC 9110 5.3); an HTTP proxy may do the same. None of the four values can hold a comma.
  it.each(NAMES)('a joined %s ("a, b") is a duplicated-header, even when both copies are genuine', (name) => {
    const headers = emulator.signResponse('{}');
    expect(reasonOf(headers)).toBe('verified');
    expect(reasonOf({ ...headers, [name]: `${headers[name]}, ${headers[name]}` })).toBe('duplicated-header');
    expect(reasonOf({ ...headers, [name]: `${headers[name]},${headers[name]}` })).toBe('duplicated-header');
    expect(reasonOf({ ...headers, [name]: [headers[name] as string, headers[name] as string] })).toBe('duplicated-header');
  });
});

describe('Verifier: Wechatpay-Signature is decoded strictly', () => {
  const headers = emulator.signResponse('{}');
  const signature = headers['wechatpay-signature'] as string;
  const withSignature = (value: string) => ({ ...headers, 'wechatpay-signature': value });

  it('a 2048-bit signature is 344 characters of standard, padded base64', () => {
    expect(signature).toHaveLength(344);
    expect(signature).toMatch(/^[A-Za-z0-9+/]{342}==$/);
  });

  // Buffer.from(x, 'base64') skips characters outside the alphabet and stops at the padding,
  // so each of these decoded to the genuine 256 bytes and verified before
  it.each([
    ['junk after the padding', `${signature}!!!`],
    ['a base64 quartet after the padding', `${signature}AAAA`],
    ['a space inside', `${signature.slice(0, 100)} ${signature.slice(100)}`],
    ['a tab inside', `${signature.slice(0, 100)}\t${signature.slice(100)}`],
    ['the padding left out', signature.slice(0, -2)],
    ['one padding character short', signature.slice(0, -1)],
    ['URL-safe characters', signature.replace(/\+/g, '-').replace(/\//g, '_')],
    ['non-zero bits after the last byte', `${signature.slice(0, -3)}${String.fromCharCode(signature.charCodeAt(341) + 1)}==`],
  ])('%s is a bad-signature', (_kind, value) => {
    expect(value).not.toBe(signature);
    expect(Buffer.from(value, 'base64').equals(Buffer.from(signature, 'base64')) || value.includes('-')).toBe(true);
    expect(reasonOf(withSignature(value))).toBe('bad-signature');
  });

  it('follows the key size (a 1024-bit key signs 172 characters)', () => {
    const small = Emulator.create({ modulusLength: 1024 });
    const smallVerifier = new Verifier({ [small.platform.serial]: small.platform.publicKeyPem });
    const signed = small.signResponse('{}');
    expect(signed['wechatpay-signature']).toHaveLength(172);
    expect(smallVerifier.check(signed, '{}')).toBe(small.platform.serial);
    expect(() => smallVerifier.check({ ...signed, 'wechatpay-signature': `${signed['wechatpay-signature']}=` }, '{}')).toThrow(/bad|base64/);
  });
});
