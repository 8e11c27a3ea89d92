/**
 * `wxpay doctor` as a real process against the emulator on loopback (issue 18): exit codes 0
 * (warnings allowed) and 1 (a check failed), the `--json` shape, and no secret — private key PEM
 * body, APIv3 key, APIv2 key, signature value — in stdout or stderr, whatever the mode.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_IDS } from '../../lib/doctor/index.js';
import { Emulator } from '../../lib/testing/index.js';
import { wxpay, type Result } from '../support/wxpay.js';

const apiv2Secret = 'S3cretAPIv2keyS3cretAPIv2key0123';
const emulator = Emulator.create({ secret: apiv2Secret });
const stranger = Emulator.create({ freshKeys: true }); // keys of its own (emulators share keys by default)
let dir = '';
let baseURL = '';
let close = async () => {};
const path = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxpay-doctor-'));
  ({ baseURL, close } = await emulator.listen());
  const [certificate, otherCertificate] = await Promise.all([emulator.merchantCertificate(), stranger.merchantCertificate()]);
  await Promise.all([
    writeFile(path('apiclient_key.pem'), emulator.merchant.privateKeyPem),
    writeFile(path('apiclient_cert.pem'), certificate.certificatePem),
    writeFile(path('other_cert.pem'), otherCertificate.certificatePem),
    writeFile(path('pub_key.pem'), emulator.platform.publicKeyPem),
  ]);
  const config = {
    mchid: emulator.merchant.mchid,
    serial: emulator.merchant.serial,
    privateKey: 'file://apiclient_key.pem',
    certs: { [emulator.platform.serial]: 'file://pub_key.pem' },
    baseURL,
    apiv3Key: emulator.apiv3Key,
    secret: apiv2Secret,
  };
  await writeFile(path('wxpay.json'), JSON.stringify(config));
  // planted: the stranger's key with our certificate and serial (SIGN_ERROR), the merchant certificate in certs
  await writeFile(path('broken.json'), JSON.stringify({ ...config, privateKey: stranger.merchant.privateKeyPem, certs: { ...config.certs, '5157F09EFDC096DE15EBE81A47057A7232F1B8E1': 'file://apiclient_cert.pem' } }));
  await writeFile(path('lower.json'), JSON.stringify({ ...config, serial: emulator.merchant.serial.toLowerCase() }));
}, 30_000);
afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

const results: Result[] = [];
async function doctor(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const result = await wxpay(['doctor', ...args], env);
  results.push(result);
  return result;
}

describe('wxpay doctor (a real process against the emulator on loopback)', { timeout: 60_000 }, () => {
  it('--help lists --cert, --online and --json, and the checks', async () => {
    const help = await wxpay(['doctor', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/Usage: wxpay doctor \[options\]/);
    for (const flag of ['--cert <file>', '--online', '--json', '--config <file>']) expect(help.stdout).toContain(flag);
    for (const id of CHECK_IDS) expect(help.stdout).toContain(id);
    expect((await wxpay(['--help'])).stdout).toMatch(/doctor \[options\]/);
  });

  it('exits 0 for the right setup, online, and prints a line per check', async () => {
    const res = await doctor(['-c', path('wxpay.json'), '--cert', path('apiclient_cert.pem'), '--online']);
    expect(res.code, res.stdout + res.stderr).toBe(0);
    for (const id of CHECK_IDS) expect(res.stdout).toMatch(new RegExp(`^ok {4}${id} `, 'm'));
    expect(res.stdout).toMatch(/\n\n0 failed, 0 warnings, 12 ok\n$/);
    expect(res.stderr).toBe('');
  });

  it('--json prints { checks: [{ id, status, message, hint }] } and nothing else', async () => {
    const res = await doctor(['-c', path('wxpay.json'), '--json'], { WECHATPAY_APIV3_KEY: emulator.apiv3Key });
    expect(res.code, res.stderr).toBe(0);
    const parsed = JSON.parse(res.stdout) as { checks: Array<Record<string, unknown>> };
    expect(Object.keys(parsed)).toEqual(['checks']);
    expect(parsed.checks.map((c) => c.id)).toEqual(CHECK_IDS.slice(0, 9));
    for (const check of parsed.checks) {
      expect(Object.keys(check).sort()).toEqual(['hint', 'id', 'message', 'status']);
      expect(['ok', 'warn', 'fail']).toContain(check.status);
      for (const field of ['id', 'message', 'hint']) expect(typeof check[field]).toBe('string');
    }
    // no --cert: the certificate checks are warnings, and warnings exit 0
    expect(parsed.checks.filter((c) => c.status !== 'ok').map((c) => c.id)).toEqual(['key-matches-certificate', 'serial-matches-certificate']);
  });

  it('exits 0: a lower-case serial is ok, and the form is named (the client sends it in upper case)', async () => {
    const res = await doctor(['-c', path('lower.json'), '--cert', path('apiclient_cert.pem')]);
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).toMatch(/^ok {4}serial-matches-certificate {2}serial [0-9a-f]+ is the merchant certificate's serial [0-9A-F]+, written in lower case: the client sends it in upper case/m);
  });

  it('exits 1 when a check fails: the key is not the certificate\'s, the merchant certificate is in certs, SIGN_ERROR online', async () => {
    const [text, json] = await Promise.all([
      doctor(['-c', path('broken.json'), '--cert', path('apiclient_cert.pem'), '--online']),
      doctor(['-c', path('broken.json'), '--cert', path('apiclient_cert.pem'), '--online', '--json']),
    ]);
    expect(text.code, text.stderr).toBe(1);
    expect(json.code, json.stderr).toBe(1);
    expect(text.stdout).toMatch(/^FAIL {2}key-matches-certificate /m);
    expect(text.stdout).toMatch(/^FAIL {2}signature {19}GET http:\/\/127\.0\.0\.1:\d+\/v3\/certificates answered 401 SIGN_ERROR/m);
    expect(text.stdout).toMatch(/^ {34}signed message: "GET\\n\/v3\/certificates\\n\d+\\n[0-9A-Za-z]{32}\\n\\n"$/m);
    expect(text.stdout).toMatch(/^ {6}hint: Checklist for 401 SIGN_ERROR:$/m);
    const failed = (JSON.parse(json.stdout) as { checks: Array<{ id: string; status: string; hint: string }> }).checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.id)).toEqual(['key-matches-certificate', 'certs-not-merchant', 'public-key-id', 'signature']);
    for (const check of failed) expect(check.hint).not.toBe('');
    // a wrong certificate: key and serial both fail
    const wrongCert = await doctor(['-c', path('wxpay.json'), '--cert', path('other_cert.pem')]);
    expect(wrongCert.code).toBe(1);
    expect(wrongCert.stdout).toMatch(/^FAIL {2}serial-matches-certificate /m);
  });

  it('exits 2 for a config file it cannot read, as every command does', async () => {
    const res = await doctor(['-c', path('missing.json')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/config: cannot read .*missing\.json \(ENOENT\)/);
  });

  it('never prints a private key, the APIv3 or APIv2 key, or a signature value — in any mode', () => {
    expect(results.length).toBeGreaterThanOrEqual(7);
    const body = (pem: string) => pem.split('\n').filter((line) => /^[A-Za-z0-9+/=]{40,}$/.test(line));
    const secrets = [...body(emulator.merchant.privateKeyPem), ...body(stranger.merchant.privateKeyPem), emulator.apiv3Key, apiv2Secret];
    const signatures = emulator.requests.map((r) => /signature="([^"]+)"/.exec(r.headers.authorization ?? '')?.[1]).filter((s): s is string => s !== undefined);
    expect(signatures.length).toBeGreaterThanOrEqual(3);
    for (const { stdout, stderr } of results) {
      for (const secret of [...secrets, ...signatures]) {
        expect(stdout).not.toContain(secret);
        expect(stderr).not.toContain(secret);
      }
      expect(stdout).not.toMatch(/signature="/);
    }
  });
});
