/**
 * diagnose() without --online (issue 18): one planted fault per check, each reported with its id,
 * `fail` or `warn`, and a hint; the right setup in every form the client accepts is `ok`.
 * Certificates are generated here (lib/testing/certificates.ts, @peculiar/x509).
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '../../lib/index.js';
import { CHECK_IDS, diagnose, type DiagnoseOptions, type Diagnosis, type DoctorConfig, formatDiagnosis } from '../../lib/doctor/index.js';
import { createCertificate, Emulator, type IssuedCertificate } from '../../lib/testing/index.js';
import { expectCheck, pick } from '../support/doctor.js';

const DAY = 86_400_000;
const emulator = Emulator.create();
const apiv3Key = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const secret = 'abcdefghijklmnopqrstuvwxyz012345';
let merchant: IssuedCertificate; // the emulator's merchant key, certified under its serial
let stranger: IssuedCertificate; // another merchant's certificate and key
let platform: IssuedCertificate; // a WeChat Pay platform certificate
let expired: IssuedCertificate;
let expiring: IssuedCertificate;
let zeroSerial: IssuedCertificate; // a serial whose hex starts with 0
let dir = '';

beforeAll(async () => {
  [merchant, stranger, platform, expired, expiring, zeroSerial] = await Promise.all([
    emulator.merchantCertificate(),
    createCertificate({ commonName: '1900000999' }),
    createCertificate({ commonName: 'Tenpay.com Root CA' }),
    createCertificate({ commonName: 'Tenpay.com Root CA', notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) }),
    createCertificate({ commonName: 'Tenpay.com Root CA', notAfter: new Date(Date.now() + 10 * DAY) }),
    createCertificate({ commonName: '1900000109', serial: '0ABCDEF0123456789ABCDEF0123456789ABCDEF0' }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'wxpay-doctor-'));
  await writeFile(join(dir, 'apiclient_key.pem'), emulator.merchant.privateKeyPem);
  await writeFile(join(dir, 'apiclient_cert.pem'), merchant.certificatePem);
  await writeFile(join(dir, 'pub_key.pem'), emulator.platform.publicKeyPem);
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A configuration that is right in every respect (public-key mode). */
function good(overrides: DoctorConfig = {}): DoctorConfig {
  return {
    mchid: emulator.merchant.mchid,
    serial: emulator.merchant.serial,
    privateKey: emulator.merchant.privateKeyPem,
    certs: { [emulator.platform.serial]: emulator.platform.publicKeyPem },
    apiv3Key,
    secret,
    ...overrides,
  };
}

async function run(config: DoctorConfig, options: DiagnoseOptions = { merchantCertificate: merchant.certificatePem }): Promise<Diagnosis> {
  return diagnose(config, options);
}

describe('diagnose(): the right setup', () => {
  it('reports every offline check ok, in CHECK_IDS order, and sends nothing', async () => {
    const seen = emulator.requests.length;
    const diagnosis = await run(good());
    expect(diagnosis.checks.map((c) => c.id)).toEqual(CHECK_IDS.filter((id) => !['clock-skew', 'signature', 'mode'].includes(id)));
    for (const check of diagnosis.checks) expect(check, `${check.id}: ${check.message}`).toMatchObject({ status: 'ok' });
    expect(Object.keys(diagnosis.checks[0] as object).sort()).toEqual(['hint', 'id', 'message', 'status']);
    expect(emulator.requests.length).toBe(seen);
  });

  it('loads privateKey, certs and the certificate in every form the client takes: file:// URL, Buffer, KeyObject, JWK', async () => {
    const keyUrl = pathToFileURL(join(dir, 'apiclient_key.pem')).href;
    const forms: Array<[DoctorConfig, DiagnoseOptions]> = [
      [good({ privateKey: keyUrl, certs: { [emulator.platform.serial]: pathToFileURL(join(dir, 'pub_key.pem')).href } }), { merchantCertificate: pathToFileURL(join(dir, 'apiclient_cert.pem')).href }],
      [good({ privateKey: Buffer.from(emulator.merchant.privateKeyPem), certs: { [emulator.platform.serial]: Buffer.from(emulator.platform.publicKeyPem) } }), { merchantCertificate: Buffer.from(merchant.certificatePem) }],
      [good({ privateKey: emulator.merchant.privateKey, certs: { [emulator.platform.serial]: emulator.platform.publicKey } }), { merchantCertificate: merchant.certificatePem }],
      [good({ privateKey: emulator.merchant.privateKey.export({ format: 'jwk' }), certs: { [emulator.platform.serial]: emulator.platform.publicKey.export({ format: 'jwk' }) } }), {}],
      // the certificate as DER bytes, and from merchant.cert (the APIv2 mutual-TLS option) when not given
      [good(), { merchantCertificate: Buffer.from(merchant.certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64') }],
      [good({ merchant: { cert: merchant.certificatePem, key: emulator.merchant.privateKeyPem } }), {}],
    ];
    for (const [config, options] of forms) {
      const diagnosis = await run(config, options);
      const expected = options.merchantCertificate === undefined && config.merchant === undefined ? ['key-matches-certificate', 'serial-matches-certificate'] : [];
      for (const check of diagnosis.checks) expect(check, `${check.id}: ${check.message}`).toMatchObject({ status: expected.includes(check.id) ? 'warn' : 'ok' });
    }
    expect(pick(await run(good({ privateKey: keyUrl })), 'private-key').message).toContain(keyUrl);
    expect(pick(await run(good({ merchant: { cert: merchant.certificatePem, key: emulator.merchant.privateKeyPem } }), {}), 'key-matches-certificate').message).toMatch(/merchant\.cert/);
  });

  it('without a merchant certificate, says the two certificate checks were not run (warn, hint: --cert)', async () => {
    const diagnosis = await run(good(), {});
    expectCheck(diagnosis, 'key-matches-certificate', 'warn', /not checked: no merchant API certificate/, /--cert apiclient_cert\.pem/);
    expectCheck(diagnosis, 'serial-matches-certificate', 'warn', /not compared/, /--cert/);
  });
});

describe('diagnose(): planted faults', () => {
  it('config: no mchid, or an appid as mchid, fails', async () => {
    expectCheck(await run(good({ mchid: undefined })), 'config', 'fail', /mchid is not set/, /商户号/);
    expectCheck(await run(good({ mchid: 'wxd678efh567hg6787' })), 'config', 'fail', /not a merchant id/, /not the appid/);
    expectCheck(await run(good({ baseURL: 'api.mch.weixin.qq.com' })), 'config', 'fail', /not an http\(s\) URL/);
  });

  it('private-key: missing, a public key, a certificate, RSA-1024, halves that disagree', async () => {
    expectCheck(await run(good({ privateKey: undefined })), 'private-key', 'fail', /privateKey is not set/, /apiclient_key\.pem/);
    expectCheck(await run(good({ privateKey: emulator.merchant.publicKeyPem })), 'private-key', 'fail', /expected a private key/, /apiclient_key\.pem/);
    expectCheck(await run(good({ privateKey: merchant.certificatePem })), 'private-key', 'fail', /expected a private key.*CERTIFICATE/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expectCheck(await run(good({ privateKey: small })), 'private-key', 'fail', /RSA-1024 key; merchant API certificates hold RSA-2048/, /not apiclient_key\.pem/);
    // a KeyObject whose modulus is another key's: node imports it, every signature it makes is wrong
    const jwk = emulator.merchant.privateKey.export({ format: 'jwk' });
    const other = stranger.privateKey.export({ format: 'jwk' });
    const broken: KeyObject = createPrivateKey({ key: { ...jwk, n: other.n }, format: 'jwk' });
    expectCheck(await run(good({ privateKey: broken })), 'private-key', 'fail', /public half does not verify/, /inconsistent/);
    expectCheck(await run(good({ privateKey: { ...jwk, n: other.n } })), 'private-key', 'fail', /inconsistent/, /damaged/);
    expectCheck(await run(good({ privateKey: 'file:///nowhere/apiclient_key.pem' })), 'private-key', 'fail', /cannot read \/nowhere\/apiclient_key\.pem \(ENOENT\)/);
  });

  it('key-matches-certificate: a private key that is not the certificate\'s fails, with the hint to use one pair', async () => {
    const diagnosis = await run(good({ privateKey: stranger.privateKeyPem }));
    expectCheck(diagnosis, 'key-matches-certificate', 'fail', new RegExp(`privateKey is not the key of the merchant certificate \\(PEM text, serial ${merchant.serial}\\).*401 SIGN_ERROR`), /apiclient_key\.pem and apiclient_cert\.pem of one application/);
    expectCheck(await run(good(), { merchantCertificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }), 'key-matches-certificate', 'fail', /could not be loaded/);
    expectCheck(await run(good(), { merchantCertificate: emulator.merchant.publicKeyPem }), 'key-matches-certificate', 'warn', /bare key, not a certificate/);
  });

  it('serial-matches-certificate: another certificate\'s serial fails and names the right one', async () => {
    const diagnosis = await run(good({ serial: stranger.serial }));
    expectCheck(diagnosis, 'serial-matches-certificate', 'fail', new RegExp(`not the serial of the merchant certificate .* which is ${merchant.serial}.*SIGN_ERROR`), new RegExp(`Set serial to ${merchant.serial}`));
  });

  it('serial-matches-certificate: a lower-case serial is ok (the client sends it in upper case); a zero-trimmed one warns', async () => {
    // issue 16: the client normalises serial to upper case, so the case no longer matters — said, not warned
    const lower = await run(good({ serial: merchant.serial.toLowerCase() }));
    expectCheck(lower, 'serial-matches-certificate', 'ok', new RegExp(`is the merchant certificate's serial ${merchant.serial}, written in lower case: the client sends it in upper case, as WeChat Pay writes it`));
    // Node prints 0ABC…; the Java SDK's PemUtil.getSerialNumber (BigInteger.toString(16).toUpperCase(),
    // wechatpay-java core/src/main/java/com/wechat/pay/java/core/util/PemUtil.java) prints ABC…
    const zero = { serial: zeroSerial.serial.slice(1), privateKey: zeroSerial.privateKeyPem };
    const trimmed = await run(good(zero), { merchantCertificate: zeroSerial.certificatePem });
    expect(zeroSerial.serial.startsWith('0')).toBe(true);
    expectCheck(trimmed, 'serial-matches-certificate', 'warn', /written without its leading zero/, new RegExp(zeroSerial.serial));
    const both = await run(good({ ...zero, serial: zero.serial.toLowerCase() }), { merchantCertificate: zeroSerial.certificatePem });
    // the case is fixed by the client, the missing zero is not
    const check = expectCheck(both, 'serial-matches-certificate', 'warn', /written without its leading zero \(the case does not matter: sent in upper case\)/, new RegExp(`Write it as ${zeroSerial.serial}`));
    expect(check.message).not.toMatch(/written in lower case/);
    for (const d of [lower, trimmed, both]) expect(d.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('serial-matches-certificate: colons, a PUB_KEY_ID, a platform certificate\'s serial or non-hex fail, even without --cert', async () => {
    const colons = merchant.serial.toLowerCase().match(/../g)?.join(':') as string;
    expectCheck(await run(good({ serial: colons })), 'serial-matches-certificate', 'fail', /written with colons, in lower case/, new RegExp(`Write it as ${merchant.serial}`));
    expectCheck(await run(good({ serial: emulator.platform.serial }), {}), 'serial-matches-certificate', 'fail', /public key id, not a certificate serial/, /goes into certs/);
    const certs = { [platform.serial]: platform.certificatePem };
    expectCheck(await run(good({ serial: platform.serial, certs }), {}), 'serial-matches-certificate', 'fail', /serial of the platform certificate in certs/, /platform certificate serials belong in certs only/);
    expectCheck(await run(good({ serial: 'apiclient_cert.pem' }), {}), 'serial-matches-certificate', 'fail', /not a certificate serial/);
    expectCheck(await run(good({ serial: undefined }), {}), 'serial-matches-certificate', 'fail', /serial is not set/, /openssl x509/);
  });

  it('certs-not-merchant: the merchant certificate in certs is found by its key, whatever it is named', async () => {
    // filed under a made-up platform-like serial: serials alone would not find it
    const misfiled = await run(good({ certs: { [emulator.platform.serial]: emulator.platform.publicKeyPem, '5157F09EFDC096DE15EBE81A47057A7232F1B8E1': merchant.certificatePem } }));
    const check = expectCheck(misfiled, 'certs-not-merchant', 'fail', /certs\["5157F09EFDC096DE15EBE81A47057A7232F1B8E1"\] holds the merchant's own certificate/, /never apiclient_cert\.pem/);
    expect(check.message.split('\n')).toHaveLength(1);
    // the merchant's public key as a "WeChat Pay public key"
    const asPublicKey = await run(good({ certs: { [emulator.platform.serial]: emulator.merchant.publicKeyPem } }), {});
    expectCheck(asPublicKey, 'certs-not-merchant', 'fail', /holds the merchant's own public key \(the key pair of privateKey\)/);
    // the merchant certificate under its own serial: the Builder refuses that outright, the doctor explains it
    const ownSerial = await run(good({ certs: { [merchant.serial]: merchant.certificatePem } }));
    expectCheck(ownSerial, 'certs-not-merchant', 'fail', /merchant's own certificate/);
    expectCheck(ownSerial, 'serial-matches-certificate', 'ok');
  });

  it('public-key-id: a PUB_KEY_ID entry holding a certificate, a misshapen id, a certificate under another serial, an empty certs', async () => {
    expectCheck(await run(good({ certs: { [emulator.platform.serial]: platform.certificatePem } })), 'public-key-id', 'fail', new RegExp(`holds a certificate \\(serial ${platform.serial}\\), not the WeChat Pay public key`), /pub_key\.pem/);
    expectCheck(await run(good({ certs: { [emulator.platform.serial.toLowerCase()]: emulator.platform.publicKeyPem } })), 'public-key-id', 'fail', /not shaped like a public key id/, new RegExp(`probably "${emulator.platform.serial}"`));
    expectCheck(await run(good({ certs: { [`${emulator.platform.serial} `]: emulator.platform.publicKeyPem } })), 'public-key-id', 'fail', /not shaped like a public key id/);
    expectCheck(await run(good({ certs: { [stranger.serial]: platform.certificatePem } })), 'public-key-id', 'fail', new RegExp(`holds the certificate of serial ${platform.serial}`), new RegExp(`certs\\["${platform.serial}"\\]`));
    expectCheck(await run(good({ certs: {} })), 'public-key-id', 'fail', /certs is empty/, /PUB_KEY_ID_…/);
    expectCheck(await run(good({ certs: undefined })), 'public-key-id', 'fail', /certs is empty/);
    expectCheck(await run(good({ certs: { [emulator.platform.serial]: 'file:///nowhere/pub_key.pem' } })), 'public-key-id', 'fail', /does not load: .*ENOENT/);
    expectCheck(await run(good({ certs: { wechatpay: platform.certificatePem } })), 'public-key-id', 'fail', /named neither PUB_KEY_ID_… nor like a certificate serial/);
  });

  it('public-key-id: a certificate entry named in lower case is ok (matched regardless of case); zero-trimmed, or a bare key under a serial, is a warning', async () => {
    const lower = await run(good({ certs: { [platform.serial.toLowerCase()]: platform.certificatePem } }));
    expectCheck(lower, 'public-key-id', 'ok', /a platform certificate \(certificate mode\), named in lower case: Wechatpay-Serial is matched regardless of case/);
    const trimmedCertificate = await createCertificate({ commonName: 'Tenpay.com Root CA', serial: '0ABCDEF0123456789ABCDEF0123456789ABCDEF1' });
    const trimmed = await run(good({ certs: { [trimmedCertificate.serial.slice(1).toLowerCase()]: trimmedCertificate.certificatePem } }));
    expectCheck(trimmed, 'public-key-id', 'warn', /named without its leading zero; Wechatpay-Serial is matched digit for digit/, new RegExp(`Name it "${trimmedCertificate.serial}"`));
    const bare = await run(good({ certs: { [platform.serial]: platform.publicKey } }));
    expectCheck(bare, 'public-key-id', 'warn', /bare public key under a certificate serial/, /wechatpay_/);
    const fine = await run(good({ certs: { [emulator.platform.serial]: emulator.platform.publicKeyPem, [platform.serial]: platform.certificatePem } }));
    expectCheck(fine, 'public-key-id', 'ok', /public key \(public-key mode\)\n.*platform certificate \(certificate mode\)/);
  });

  it('certificate-expiry: an expired platform or merchant certificate fails, one expiring within 30 days warns', async () => {
    expectCheck(await run(good({ certs: { [expired.serial]: expired.certificatePem } })), 'certificate-expiry', 'fail', new RegExp(`platform certificate certs\\["${expired.serial}"\\] expired on \\d{4}-\\d\\d-\\d\\d`), /wxpay crt/);
    expectCheck(await run(good({ certs: { [expiring.serial]: expiring.certificatePem } })), 'certificate-expiry', 'warn', /expires on \d{4}-\d\d-\d\d, in (9|10) days/, /wxpay crt/);
    const old = await emulator.merchantCertificate({ notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) });
    expectCheck(await run(good(), { merchantCertificate: old.certificatePem }), 'certificate-expiry', 'fail', /merchant certificate \(PEM text\) expired on/, /更换证书/);
    expectCheck(await run(good(), {}), 'certificate-expiry', 'ok', /no certificate to check/);
  });

  it('apiv3-key: 31 bytes fails; missing warns; whitespace fails; the value is never shown', async () => {
    const short = apiv3Key.slice(0, 31);
    const check = expectCheck(await run(good({ apiv3Key: short })), 'apiv3-key', 'fail', /apiv3Key is 31 bytes; the APIv3 key is exactly 32/, /设置APIv3密钥/);
    expect(JSON.stringify(check)).not.toContain(short);
    expectCheck(await run(good({ apiv3Key: undefined })), 'apiv3-key', 'warn', /notifications/, /WECHATPAY_APIV3_KEY/);
    expectCheck(await run(good({ apiv3Key: `${apiv3Key.slice(0, 31)}\n` })), 'apiv3-key', 'fail', /32 bytes but starts or ends with whitespace/);
    expectCheck(await run(good({ apiv3Key: Buffer.from(apiv3Key) })), 'apiv3-key', 'ok', /32 bytes/);
  });

  it('apiv2-secret: a wrong length fails; a merchant certificate without it fails; the same value as the APIv3 key warns', async () => {
    expectCheck(await run(good({ secret: secret.slice(1) })), 'apiv2-secret', 'fail', /secret is 31 bytes/, /APIv2 key/);
    expectCheck(await run(good({ secret: undefined, merchant: { cert: merchant.certificatePem, key: emulator.merchant.privateKeyPem } })), 'apiv2-secret', 'fail', /secret \(the APIv2 key\) is not/);
    expectCheck(await run(good({ secret: undefined })), 'apiv2-secret', 'ok', /only APIv2/);
    expectCheck(await run(good({ secret: apiv3Key })), 'apiv2-secret', 'warn', /same value/, /pasted/);
  });
});

describe('diagnose(): what it never does', () => {
  it('prints no key material, APIv2/APIv3 key — not even one pasted into the wrong field', async () => {
    const pemBody = emulator.merchant.privateKeyPem.split('\n').filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l));
    const diagnoses = await Promise.all([
      run(good({ serial: apiv3Key, mchid: secret })),
      run(good({ certs: { [apiv3Key]: emulator.platform.publicKeyPem } })),
      run(good({ privateKey: emulator.merchant.privateKeyPem.replace('PRIVATE KEY-----\n', 'PRIVATE KEY-----\nAAAA') })),
    ]);
    for (const diagnosis of diagnoses) {
      const text = `${JSON.stringify(diagnosis)}\n${formatDiagnosis(diagnosis)}`;
      expect(text).not.toContain(apiv3Key);
      expect(text).not.toContain(secret);
      for (const line of pemBody) expect(text).not.toContain(line);
    }
    expect(JSON.stringify(diagnoses[0])).toContain('[REDACTED]');
  });

  it('refuses a config or options that are not objects with ArgumentError', async () => {
    await expect(diagnose(null as unknown as DoctorConfig)).rejects.toThrow(ArgumentError);
    await expect(diagnose(good(), 'online' as unknown as DiagnoseOptions)).rejects.toThrow(/options: expected/);
    await expect(diagnose(good(), { online: 'yes' as unknown as boolean })).rejects.toThrow(/online: expected true or false/);
  });
});

describe('formatDiagnosis()', () => {
  it('prints a line per check, the hint under each one not ok, and the counts', async () => {
    const text = formatDiagnosis(await run(good({ apiv3Key: undefined, privateKey: stranger.privateKeyPem })));
    expect(text).toMatch(/^ok {4}config {22}mchid /m);
    expect(text).toMatch(/^FAIL {2}key-matches-certificate {5}privateKey is not the key/m);
    expect(text).toMatch(/^ {6}hint: Use the apiclient_key\.pem/m);
    expect(text).toMatch(/^warn {2}apiv3-key /m);
    expect(text).toMatch(/\n\n1 failed, 1 warning, 7 ok\n$/);
  });
});
