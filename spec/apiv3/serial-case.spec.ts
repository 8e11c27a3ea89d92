/**
 * Issue 16: a lower-case `serial` failed as 401 SIGN_ERROR. Certificate serials are hexadecimal
 * numbers; WeChat Pay and its SDKs write them in upper case, so the client normalises the merchant
 * `serial` and the `certs` keys that are certificate serials to upper case (never a `PUB_KEY_ID_…`
 * id), and matches a response's `Wechatpay-Serial` against them regardless of case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, HttpError, VerificationError, Verifier } from '../../lib/index.js';
import { certificateSerial, choosePlatformSerial } from '../../lib/crypto/index.js';
import { createCertificate, Emulator, type IssuedCertificate } from '../../lib/testing/index.js';

// The form, pinned from outside: wechatpay-go utils/pem_test.go (TestGetCertificateSerialNumber)
// expects `testPemUtilCertificateSerial = 0C4AEF34B89340881BB2B25226393DC2E47F094B` for its test
// certificate — utils/pem.go GetCertificateSerialNumber is fmt.Sprintf("%X", serial bytes): upper-case
// hex. (wechatpay-java's PemUtil.getSerialNumber agrees on the case: BigInteger.toString(16).toUpperCase().)
const GO_SDK_SERIAL = '0C4AEF34B89340881BB2B25226393DC2E47F094B';

const emulator = Emulator.create();
let platform: IssuedCertificate;
let goLike: IssuedCertificate;

beforeAll(async () => {
  [platform, goLike] = await Promise.all([emulator.addPlatformCertificate({ sign: false }), createCertificate({ commonName: 'Tenpay.com sign', serial: GO_SDK_SERIAL.toLowerCase() })]);
}, 60_000);
afterAll(() => {
  emulator.signWith(emulator.platform.serial);
});

describe('serial: upper-case hex, as WeChat Pay writes it', () => {
  it('certificateSerial reads a certificate serial in the official SDKs\' form (wechatpay-go vector)', () => {
    expect(certificateSerial(goLike.certificatePem)).toBe(GO_SDK_SERIAL);
    // the emulator is pinned to that form: its merchant serial is upper-case hex, compared exactly
    expect(emulator.merchant.serial).toMatch(/^[0-9A-F]+$/);
  });

  it('the emulator refuses a serial_no in lower case (it is pinned to the upper-case form)', async () => {
    const client = Builder.factory(emulator.clientConfig());
    // a step after `sign` rewrites serial_no only: the signature still verifies, the serial does not match
    client.pipeline.use(async (ctx, next) => {
      ctx.headers.authorization = String(ctx.headers.authorization).replace(/serial_no="([^"]+)"/, (_, s: string) => `serial_no="${s.toLowerCase()}"`);
      return next(ctx);
    });
    const error = await client.v3.certificates.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(401);
    expect((error as HttpError).code).toBe('SIGN_ERROR');
    await client.close();
  });

  it('a lower-case merchant serial is sent in upper case, and the emulator verifies the request (it was SIGN_ERROR)', async () => {
    const sent = emulator.requests.length;
    for (const serial of [emulator.merchant.serial.toLowerCase(), `${emulator.merchant.serial.slice(0, 8).toLowerCase()}${emulator.merchant.serial.slice(8)}`]) {
      const client = Builder.factory(emulator.clientConfig({ serial }));
      const res = await client.v3.certificates.get();
      expect(res.status).toBe(200);
      await client.close();
    }
    const seen = emulator.requests.slice(sent);
    expect(seen).toHaveLength(2);
    for (const request of seen) {
      expect(request.verified).toBe(true);
      expect(request.headers.authorization).toContain(`serial_no="${emulator.merchant.serial}"`);
    }
  });

  it('a serial that is not hex is left as it is (the doctor judges it); the merchant\'s own serial in certs is refused whatever its case', () => {
    const config = emulator.clientConfig();
    expect(() => Builder.factory({ ...config, serial: 'not-a-serial' })).not.toThrow();
    // the merchant's own serial in certs is found whatever its case
    expect(() => Builder.factory({ ...config, certs: { ...config.certs, [emulator.merchant.serial.toLowerCase()]: emulator.merchant.publicKeyPem } })).toThrow(ArgumentError);
  });
});

describe('certs keys that are certificate serials: upper case; Wechatpay-Serial matched regardless of case', () => {
  const signedBy = (serial: string) => {
    emulator.signWith(platform.serial);
    const headers = emulator.signResponse('{}');
    emulator.signWith(emulator.platform.serial);
    return { ...headers, 'wechatpay-serial': serial };
  };

  it('a certs key in lower case verifies answers signed under the upper-case serial, and the reverse', () => {
    const lowerKey = new Verifier({ [platform.serial.toLowerCase()]: platform.certificatePem });
    expect(lowerKey.serials()).toEqual([platform.serial]);
    expect(lowerKey.has(platform.serial.toLowerCase())).toBe(true);
    expect(lowerKey.get(platform.serial)).toBeDefined();
    expect(lowerKey.expiresAt(platform.serial.toLowerCase())).toBeInstanceOf(Date);
    expect(lowerKey.check(signedBy(platform.serial), '{}')).toBe(platform.serial);
    const upperKey = new Verifier({ [platform.serial]: platform.certificatePem });
    expect(upperKey.check(signedBy(platform.serial.toLowerCase()), '{}')).toBe(platform.serial);
    // one entry per serial, whatever the case it was set with
    upperKey.set(platform.serial.toLowerCase(), platform.certificatePem);
    expect(upperKey.serials()).toEqual([platform.serial]);
    expect(upperKey.delete(platform.serial.toLowerCase())).toBe(true);
    expect(upperKey.serials()).toEqual([]);
  });

  it('a zero-trimmed serial is another serial (not normalised: the leading zeros cannot be known)', () => {
    const verifier = new Verifier({ [platform.serial]: platform.certificatePem });
    let error: unknown;
    try {
      verifier.check(signedBy(`0${platform.serial}`), '{}');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).reason).toBe('unknown-serial');
  });

  it('PUB_KEY_ID_… ids keep their case: they are ids, not hex numbers', () => {
    const id = emulator.platform.serial;
    const verifier = new Verifier({ [id]: emulator.platform.publicKeyPem });
    expect(verifier.serials()).toEqual([id]);
    expect(verifier.has(id.toLowerCase())).toBe(false);
    const headers = emulator.signResponse('{}');
    expect(verifier.check(headers, '{}')).toBe(id);
    expect(() => verifier.check({ ...headers, 'wechatpay-serial': id.toLowerCase() }, '{}')).toThrow(/not among the configured certs/);
  });

  it('a client with a lower-case certs key verifies answers and sends Wechatpay-Serial in upper case with encrypt', async () => {
    emulator.signWith(platform.serial);
    try {
      const client = Builder.factory(emulator.clientConfig({ certs: { [platform.serial.toLowerCase()]: platform.certificatePem } }));
      const sent = emulator.requests.length;
      const res = await client.v3.certificates.get();
      expect(res.status).toBe(200);
      expect(choosePlatformSerial(client.verifier, platform.serial.toLowerCase())).toBe(platform.serial);
      const loose = client.chain('v3/applyment4sub/applyment/') as unknown as { post(options: object): Promise<unknown> };
      await loose.post({ json: { contact: 'x' }, encrypt: { fields: ['contact'], serial: platform.serial.toLowerCase() } }).catch(() => undefined);
      const encrypted = emulator.requests.slice(sent).find((request) => request.headers['wechatpay-serial'] !== undefined);
      expect(encrypted?.headers['wechatpay-serial']).toBe(platform.serial);
      await client.close();
    } finally {
      emulator.signWith(emulator.platform.serial);
    }
  });
});
