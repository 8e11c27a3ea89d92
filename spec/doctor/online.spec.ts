/**
 * diagnose({ online: true }) against the emulator on loopback (issue 18): the emulator is made to
 * answer like a misconfigured setup, and each online check — clock-skew, signature, mode — is
 * driven to ok, warn and fail.
 */
import { verify } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose, type DoctorConfig, formatDiagnosis } from '../../lib/doctor/index.js';
import { Emulator, type IssuedCertificate } from '../../lib/testing/index.js';
import { expectCheck } from '../support/doctor.js';
import { httpServer, type Loopback } from '../support/loopback.js';

interface Running {
  emulator: Emulator;
  baseURL: string;
  close: () => Promise<void>;
}

const running: Running[] = [];
async function start(options: Parameters<typeof Emulator.create>[0] = {}): Promise<Running> {
  const emulator = Emulator.create(options);
  const { baseURL, close } = await emulator.listen();
  const out = { emulator, baseURL, close };
  running.push(out);
  return out;
}
afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
});

/** What the emulator's merchant would configure, talking over loopback. */
function configOf({ emulator, baseURL }: Running, overrides: DoctorConfig = {}): DoctorConfig {
  return {
    mchid: emulator.merchant.mchid,
    serial: emulator.merchant.serial,
    privateKey: emulator.merchant.privateKeyPem,
    certs: { [emulator.platform.serial]: emulator.platform.publicKeyPem },
    baseURL,
    apiv3Key: emulator.apiv3Key,
    timeout: 10_000,
    ...overrides,
  };
}

let publicKeyMode: Running;
let certificateMode: Running;
let platform: IssuedCertificate;

beforeAll(async () => {
  publicKeyMode = await start();
  certificateMode = await start();
  platform = await certificateMode.emulator.addPlatformCertificate();
}, 30_000);

describe('online checks, the right setup', () => {
  it('public-key mode: one signed GET /v3/certificates, and clock-skew, signature and mode all ok', async () => {
    const seen = publicKeyMode.emulator.requests.length;
    const diagnosis = await diagnose(configOf(publicKeyMode), { online: true });
    for (const check of diagnosis.checks) expect(check, `${check.id}: ${check.message}`).toMatchObject({ status: check.id.endsWith('certificate') ? 'warn' : 'ok' });
    expect(diagnosis.checks.slice(-3).map((c) => c.id)).toEqual(['clock-skew', 'signature', 'mode']);
    expect(publicKeyMode.emulator.requests.slice(seen).map((r) => `${r.method} ${r.path} ${r.verified}`)).toEqual(['GET /v3/certificates true']);
    expectCheck(diagnosis, 'signature', 'ok', /accepted the signature: .*answered 404 RESOURCE_NOT_EXISTS/);
    expectCheck(diagnosis, 'mode', 'ok', new RegExp(`public-key mode: WeChat Pay signs answers with ${publicKeyMode.emulator.platform.serial} and has no platform certificates.*certs holds; the answer verified`));
    expectCheck(diagnosis, 'clock-skew', 'ok', /Wechatpay-Timestamp \d+: [+-]?\d s; Date /);
  });

  it('certificate mode: mode ok, and the APIv3 key is proven by decrypting the certificates sent', async () => {
    const diagnosis = await diagnose(configOf(certificateMode, { certs: { [platform.serial]: platform.certificatePem } }), { online: true });
    expectCheck(diagnosis, 'signature', 'ok', /answered 200/);
    expectCheck(diagnosis, 'mode', 'ok', new RegExp(`certificate mode: WeChat Pay signs answers with the platform certificate ${platform.serial}, which certs holds`));
    expectCheck(diagnosis, 'apiv3-key', 'ok', /32 bytes; it decrypts the platform certificates WeChat Pay sent/);
  });

  it('sends nothing without online: true', async () => {
    const seen = publicKeyMode.emulator.requests.length;
    const diagnosis = await diagnose(configOf(publicKeyMode));
    expect(diagnosis.checks.map((c) => c.id)).not.toContain('signature');
    expect(publicKeyMode.emulator.requests.length).toBe(seen);
  });
});

describe('clock-skew', () => {
  it('a clock 10 minutes off fails; 2 minutes off warns (the emulator\'s Date and Wechatpay-Timestamp skewed)', async () => {
    const far = await start({ now: () => Date.now() + 10 * 60_000 });
    const near = await start({ now: () => Date.now() - 2 * 60_000 });
    const [farOff, nearOff] = await Promise.all([diagnose(configOf(far), { online: true }), diagnose(configOf(near), { online: true })]);
    expectCheck(farOff, 'clock-skew', 'fail', /the local clock is (59\d|60\d) s behind WeChat Pay's \(Wechatpay-Timestamp \d+: -(59\d|60\d) s; Date .*: -(59\d|60\d) s\)/, /NTP/);
    expectCheck(nearOff, 'clock-skew', 'warn', /the local clock is 1[12]\d s ahead of WeChat Pay's/, /NTP/);
    // the emulator refuses a request 10 minutes old, as WeChat Pay would; the key is still judged at the server's time
    expectCheck(farOff, 'signature', 'fail', /401 SIGN_ERROR/, /clock-skew/);
    expectCheck(farOff, 'mode', 'ok');
    expectCheck(nearOff, 'signature', 'ok');
  });
});

describe('signature', () => {
  it('a key that is not the certificate\'s: 401 SIGN_ERROR with the exact signed message, the Authorization fields (no signature) and the checklist', async () => {
    const other = Emulator.create({ freshKeys: true }); // another merchant key (emulators share keys by default)
    const seen = publicKeyMode.emulator.requests.length;
    const diagnosis = await diagnose(configOf(publicKeyMode, { privateKey: other.merchant.privateKeyPem }), { online: true });
    const check = expectCheck(diagnosis, 'signature', 'fail', /answered 401 SIGN_ERROR: 签名错误.* — signed by WeChat Pay, verified with certs/, /^Checklist for 401 SIGN_ERROR:\n1\. privateKey is the key of the merchant API certificate/);
    const [, signedLine = '', authorizationLine = ''] = check.message.split('\n');
    const recorded = publicKeyMode.emulator.requests.slice(seen)[0];
    const authorization = recorded?.headers.authorization ?? '';
    const field = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(authorization)?.[1] ?? '';
    // The layout, pinned from outside: wechatpay-go core/auth/credentials/wechat_pay_credential_test.go
    // expects the message "GET\n/v3/certificates\n1624523846\nA1B2C3D4E5F6G7\n\n" for a GET without body.
    const expected = `GET\n/v3/certificates\n${field('timestamp')}\n${field('nonce_str')}\n\n`;
    expect(signedLine).toBe(`signed message: ${JSON.stringify(expected)}`);
    expect(signedLine).toContain(String.raw`"GET\n/v3/certificates\n`);
    // what is shown is what was signed: the signature the server got verifies over it with the key used
    expect(verify('sha256', Buffer.from(expected), other.merchant.publicKey, Buffer.from(field('signature'), 'base64'))).toBe(true);
    expect(authorizationLine).toBe(`Authorization: WECHATPAY2-SHA256-RSA2048 mchid="${field('mchid')}",nonce_str="${field('nonce_str')}",timestamp="${field('timestamp')}",serial_no="${publicKeyMode.emulator.merchant.serial}",signature=(not shown)`);
    expect(JSON.stringify(diagnosis)).not.toContain(field('signature'));
    expect(field('signature').length).toBeGreaterThan(300);
  });

  it('reads SIGN_ERROR from the answer itself and says when the answer was not verified', async () => {
    // strip the signature of the 401: an unsigned error answer, as a gateway might give
    const { emulator } = publicKeyMode;
    emulator.tamperNext((res) => {
      for (const name of ['wechatpay-signature', 'wechatpay-serial', 'wechatpay-nonce', 'wechatpay-timestamp']) res.headers.delete(name);
    });
    const diagnosis = await diagnose(configOf(publicKeyMode, { serial: Emulator.create().merchant.serial }), { online: true });
    expectCheck(diagnosis, 'signature', 'fail', /answered 401 SIGN_ERROR: 签名错误: serial_no is not the merchant certificate serial — not verified \(header wechatpay-timestamp is missing\), so read as a hint only/);
    expectCheck(diagnosis, 'clock-skew', 'ok', /Date /);
  });

  it('an answer that is neither a success nor a 401 is inconclusive (warn); the server\'s text is escaped', async () => {
    const flaky = await start({ handlers: [http.get('*/v3/certificates', () => HttpResponse.json({ code: 'SYSTEM_ERROR', message: '系统错误\u001b[2J\nforged' }, { status: 500 }))] });
    const diagnosis = await diagnose(configOf(flaky), { online: true });
    const check = expectCheck(diagnosis, 'signature', 'warn', /inconclusive: .*answered 500 SYSTEM_ERROR: 系统错误\\x1b\[2J\\nforged/, /Request-ID/);
    expect(check.message).not.toContain('\u001b');
    expect(formatDiagnosis(diagnosis)).not.toContain('\u001b');
  });

  it('no answer at all fails signature, and the other online checks say they did not run', async () => {
    const gone: Loopback = await httpServer((_req, res) => res.destroy());
    await gone.close();
    const diagnosis = await diagnose(configOf(publicKeyMode, { baseURL: gone.baseURL }), { online: true });
    expectCheck(diagnosis, 'signature', 'fail', /got no answer \(NetworkError: /, /firewall/);
    expectCheck(diagnosis, 'clock-skew', 'warn', /not run: no answer/);
    expectCheck(diagnosis, 'mode', 'warn', /not run: no answer/);
  });

  it('a configuration no client can be built from: the online checks say why they did not run', async () => {
    const diagnosis = await diagnose(configOf(publicKeyMode, { privateKey: undefined }), { online: true });
    expectCheck(diagnosis, 'signature', 'warn', /not run: no request could be signed \(privateKey: expected PEM text/);
  });

  it('a certs entry that does not load does not stop the signature check', async () => {
    const diagnosis = await diagnose(configOf(publicKeyMode, { certs: { [publicKeyMode.emulator.platform.serial]: 'file:///nowhere/pub_key.pem' } }), { online: true });
    expectCheck(diagnosis, 'public-key-id', 'fail', /ENOENT/);
    expectCheck(diagnosis, 'signature', 'ok');
    expectCheck(diagnosis, 'mode', 'fail', /certs\["PUB_KEY_ID_\d+"\] is the right entry but does not load/);
  });
});

describe('mode', () => {
  it('a public-key-mode answer with only certificates configured fails, with the PUB_KEY_ID hint', async () => {
    const diagnosis = await diagnose(configOf(publicKeyMode, { certs: { [platform.serial]: platform.certificatePem } }), { online: true });
    expectCheck(
      diagnosis,
      'mode',
      'fail',
      new RegExp(`public-key mode: WeChat Pay signs answers with ${publicKeyMode.emulator.platform.serial} and has no platform certificates .*; certs holds "${platform.serial}" — only platform certificates, no public key: every answer fails verification \\(unknown-serial\\)`),
      /certs\["PUB_KEY_ID_…"\] = pub_key\.pem/,
    );
    expectCheck(diagnosis, 'signature', 'ok');
  });

  it('certificate mode with only a public key configured fails, with the wxpay crt hint', async () => {
    const diagnosis = await diagnose(configOf(certificateMode), { online: true });
    expectCheck(diagnosis, 'mode', 'fail', new RegExp(`certificate mode: .*${platform.serial}; certs holds "${certificateMode.emulator.platform.serial}"`), /wxpay crt/);
  });

  it('the right id with another key (a public key of another merchant) fails: the signature does not verify', async () => {
    const other = Emulator.create({ freshKeys: true }); // another platform key (emulators share keys by default)
    const diagnosis = await diagnose(configOf(publicKeyMode, { certs: { [publicKeyMode.emulator.platform.serial]: other.platform.publicKeyPem } }), { online: true });
    expectCheck(diagnosis, 'mode', 'fail', /does not hold the key WeChat Pay signs with/, /pub_key\.pem again/);
  });

  it('a certificate entry named in lower case is found online: Wechatpay-Serial is matched regardless of case (issue 16)', async () => {
    const diagnosis = await diagnose(configOf(certificateMode, { certs: { [platform.serial.toLowerCase()]: platform.certificatePem } }), { online: true });
    expectCheck(diagnosis, 'public-key-id', 'ok');
    expectCheck(diagnosis, 'signature', 'ok');
    expectCheck(diagnosis, 'mode', 'ok', new RegExp(`certificate mode: WeChat Pay signs answers with the platform certificate ${platform.serial}`));
  });

  it('a platform certificate WeChat Pay lists but certs lacks (a rotation coming) warns', async () => {
    const rotating = await start();
    const current = await rotating.emulator.addPlatformCertificate();
    const next = await rotating.emulator.addPlatformCertificate({ sign: false });
    const diagnosis = await diagnose(configOf(rotating, { certs: { [current.serial]: current.certificatePem } }), { online: true });
    expectCheck(diagnosis, 'mode', 'warn', new RegExp(`also lists ${next.serial}, which certs lacks`), /CertificateManager/);
  });

  it('an APIv3 key of the right length that is not the merchant\'s fails once the certificates do not decrypt', async () => {
    const diagnosis = await diagnose(configOf(certificateMode, { certs: { [platform.serial]: platform.certificatePem }, apiv3Key: 'X'.repeat(32) }), { online: true });
    expectCheck(diagnosis, 'apiv3-key', 'fail', /does not decrypt the platform certificates WeChat Pay sent/, /设置APIv3密钥/);
    expect(JSON.stringify(diagnosis)).not.toContain('X'.repeat(32));
  });
});
