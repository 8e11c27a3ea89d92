import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateSerial } from '../../lib/crypto/index.js';
import { Emulator, generateKeyPair } from '../../lib/testing/index.js';
import { wxpay } from '../support/wxpay.js';

const emulator = Emulator.create({
  handlers: [
    http.post('*/v3/pay/transactions/native', async ({ request }) => {
      const body = (await request.json()) as { out_trade_no?: string };
      if (!body.out_trade_no) return HttpResponse.json({ code: 'PARAM_ERROR', message: 'out_trade_no 为必填参数' }, { status: 400 });
      return HttpResponse.json({ code_url: `weixin://wxpay/bizpayurl?pr=${body.out_trade_no}` });
    }),
    http.get('*/v3/pay/transactions/out-trade-no/:no', ({ request, params }) =>
      HttpResponse.json({ out_trade_no: params.no, mchid: new URL(request.url).searchParams.get('mchid'), trade_state: 'NOTPAY' }),
    ),
  ],
});
let dir = '';
let baseURL = '';
let close = async () => {};
let configPath = '';
const keyFile = () => join(dir, 'apiclient_key.pem');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxpay-cli-'));
  ({ baseURL, close } = await emulator.listen());
  await writeFile(keyFile(), emulator.merchant.privateKeyPem);
  await writeFile(join(dir, 'pub_key.pem'), emulator.platform.publicKeyPem);
  configPath = join(dir, 'wxpay.json');
  await writeFile(
    configPath,
    JSON.stringify({
      mchid: emulator.merchant.mchid,
      serial: emulator.merchant.serial,
      privateKey: 'file://apiclient_key.pem', // relative to the config file
      certs: { [emulator.platform.serial]: 'file://pub_key.pem' },
    }),
  );
});
afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

// each process loads TypeScript through tsx: generous bounds on a shared, noisy machine
describe('wxpay (a real process against the emulator on loopback)', { timeout: 60_000 }, () => {
  it('prints help with exit 0, and usage with exit 2 when given nothing', async () => {
    const [help, requestHelp, crtHelp, nothing] = await Promise.all([wxpay(['--help']), wxpay(['request', '--help']), wxpay(['crt', '--help']), wxpay([])]);
    expect(help.code, `stderr: ${help.stderr}`).toBe(0);
    expect(help.stdout).toMatch(/Usage: wxpay/);
    expect(help.stdout).toMatch(/Exit codes/);
    expect(requestHelp.code, `stderr: ${requestHelp.stderr}`).toBe(0);
    expect(requestHelp.stdout).toMatch(/--out_trade_no=T1/);
    expect(crtHelp.code, `stderr: ${crtHelp.stderr}`).toBe(0);
    expect(crtHelp.stdout).toMatch(/--output <dir>/);
    expect(nothing.code, `stderr: ${nothing.stderr}`).toBe(2);
  });

  it('<endpoint> --help explains one catalog endpoint (exit 0); an unknown path is said to be outside the catalog', async () => {
    const seed = 'v3/ecommerce/refunds/{refund_id}/return-advance';
    const [byPath, byRequest, byChain, v2, unknown, plain, nothing] = await Promise.all([
      wxpay([seed, '--help']),
      wxpay(['request', seed, '-h']),
      wxpay(['v3.ecommerce.refunds._refund_id_.returnAdvance', '-c', configPath, '--help']),
      wxpay(['v2/pay/micropay', '--help']),
      wxpay(['v3/nowhere/at-all', '--help']),
      wxpay(['--help']),
      wxpay([]),
    ]);
    for (const res of [byPath, byRequest, byChain, v2, unknown]) expect(res.code, `stderr: ${res.stderr}`).toBe(0);
    expect(byPath.stdout).toMatch(/^Usage: wxpay v3\/ecommerce\/refunds\/\{refund_id\}\/return-advance/);
    expect(byPath.stdout).toMatch(/refund_id\s+string\s+required\s+微信退款单号/);
    expect(byPath.stdout).toContain(`wxpay ${seed} --refund_id=50000000382019052709732678859 --json '{"sub_mchid":"1900000109"}'`);
    expect(byPath.stdout).not.toMatch(/Exit codes/);
    expect(byRequest.stdout).toBe(byPath.stdout);
    expect(byChain.stdout).toBe(byPath.stdout);
    expect(v2.stdout).toMatch(/APIv2 \(XML\) · POST/);
    expect(v2.stdout).toMatch(/wxpay v2\/pay\/micropay --xml '\{"appid"/);
    expect(unknown.stdout).toMatch(/v3\/nowhere\/at-all is not in the endpoint catalog\.\nIt can still be called/);
    // the program's own help is untouched: the same text as for no arguments
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe(nothing.stdout);
    expect(plain.stdout).toMatch(/Usage: wxpay \[options\] \[command\]/);
  });

  it('--xml sends an APIv2 payload as signed XML', async () => {
    const v2Config = join(dir, 'wxpay-v2.json');
    await writeFile(v2Config, JSON.stringify({ ...JSON.parse(await readFile(configPath, 'utf8')), secret: emulator.secret }));
    const xml = { appid: 'wxd678efh567hg6787', mch_id: emulator.merchant.mchid, body: 'CLI', out_trade_no: 'CLIV2', total_fee: 1, spbill_create_ip: '127.0.0.1', auth_code: '134567890123456789' };
    const [res, notObject] = await Promise.all([
      wxpay(['v2/pay/micropay', '-c', v2Config, '-b', baseURL, '--xml', JSON.stringify(xml)]),
      wxpay(['v2/pay/micropay', '-c', v2Config, '-b', baseURL, '--xml', '[1]']),
    ]);
    expect(res.code, `stderr: ${res.stderr}`).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS', out_trade_no: 'CLIV2' });
    expect(emulator.requests.at(-1)).toMatchObject({ method: 'POST', path: '/pay/micropay' });
    expect(notObject.code).toBe(2);
    expect(notObject.stderr).toMatch(/--xml: must be a JSON object/);
    // an endpoint that needs the merchant certificate goes over mutual TLS: without one, nothing is sent
    const sent = emulator.requests.length;
    const noCertificate = await wxpay(['v2/secapi/pay/refund', '-c', v2Config, '-b', baseURL, '--xml', '{"out_refund_no":"R1"}']);
    expect(noCertificate.code, `stderr: ${noCertificate.stderr}`).toBe(2);
    expect(noCertificate.stderr).toMatch(/needs the merchant API certificate/);
    expect(emulator.requests.length).toBe(sent);
  });

  it('sends a signed chain request with --config and --baseURL and prints the verified answer', async () => {
    const json = { appid: 'wxd678efh567hg6787', mchid: emulator.merchant.mchid, description: 'Image', out_trade_no: 'CLI0001', notify_url: 'https://example.com/notify', amount: { total: 1 } };
    const res = await wxpay(['v3.pay.transactions.native', '--config', configPath, '--baseURL', baseURL, '--json', JSON.stringify(json)]);
    expect(res.stderr, `exit ${res.code}`).toBe('');
    expect(res.code, `stderr: ${res.stderr}`).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ code_url: 'weixin://wxpay/bizpayurl?pr=CLI0001' });
    const seen = emulator.requests.at(-1);
    expect(seen).toMatchObject({ method: 'POST', path: '/v3/pay/transactions/native', verified: true });
    expect(JSON.parse(seen?.body ?? '{}')).toEqual(json);
  });

  it('expands a path template from --name=value flags, with --query and --method', async () => {
    const res = await wxpay(['v3/pay/transactions/out-trade-no/{out_trade_no}', '--out_trade_no=CLI 2', '--query', '{"mchid":"1900000109"}', '--method', 'GET', '-c', configPath, '-b', baseURL, '--include']);
    expect(res.code, `stderr: ${res.stderr}`).toBe(0);
    const printed = JSON.parse(res.stdout);
    expect(printed.status).toBe(200);
    expect(printed.data).toEqual({ out_trade_no: 'CLI 2', mchid: '1900000109', trade_state: 'NOTPAY' });
    expect(emulator.requests.at(-1)?.path).toBe('/v3/pay/transactions/out-trade-no/CLI%202?mchid=1900000109');
  });

  it('--encrypt encrypts sensitive fields and sets Wechatpay-Serial (payload from --json @file, path with a trailing slash)', async () => {
    const json = { business_code: 'CLI_APPLY', contact_info: { contact_name: '张三', mobile_phone: '13800138000' } };
    await writeFile(join(dir, 'applyment.json'), JSON.stringify(json));
    const res = await wxpay(['v3/applyment4sub/applyment/', '-c', configPath, '-b', baseURL, '--json', `@${join(dir, 'applyment.json')}`, '--encrypt', 'contact_info.contact_name', 'contact_info.mobile_phone']);
    expect(res.stderr, `exit ${res.code}`).toBe('');
    expect(res.code, `stderr: ${res.stderr}`).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ applyment_id: 2000002124775691 });
    const seen = emulator.requests.at(-1);
    expect(seen?.headers['wechatpay-serial']).toBe(emulator.platform.serial);
    expect(JSON.parse(seen?.body ?? '{}').contact_info.mobile_phone).not.toBe('13800138000');
  });

  it('WECHATPAY_* variables override the config file, and flags override the variables', async () => {
    const env = { WECHATPAY_CONFIG: configPath, WECHATPAY_BASE_URL: baseURL, WECHATPAY_MCHID: emulator.merchant.mchid };
    const wrongInFile = join(dir, 'wrong-mchid.json');
    await writeFile(wrongInFile, JSON.stringify({ mchid: '1999999999', serial: emulator.merchant.serial, privateKey: keyFile(), certs: { [emulator.platform.serial]: join(dir, 'pub_key.pem') } }));
    const [envWins, flagWins] = await Promise.all([
      wxpay(['v3/pay/transactions/out-trade-no/{out_trade_no}', '--out_trade_no', 'E1'], { ...env, WECHATPAY_CONFIG: wrongInFile }),
      wxpay(['v3/pay/transactions/out-trade-no/{out_trade_no}', '--out_trade_no', 'E2', '--mchid', '1999999999'], env),
    ]);
    expect(envWins.code, `stderr: ${envWins.stderr}`).toBe(0);
    expect(JSON.parse(envWins.stdout).out_trade_no).toBe('E1');
    // the flag's wrong mchid wins: the emulator refuses the signature → an HTTP error, exit 3
    expect(flagWins.code, `stderr: ${flagWins.stderr}`).toBe(3);
    expect(flagWins.stderr).toMatch(/401 SIGN_ERROR/);
    expect(flagWins.stdout).toBe('');
  });

  it('exit codes: 3 for an error answer, 4 for a forged one, 5 for no server, 2 for bad input', async () => {
    const impostor = generateKeyPair();
    const [http400, forged, down, badJson, missingVariable, badMethod] = await Promise.all([
      wxpay(['v3.pay.transactions.native', '-c', configPath, '-b', baseURL, '--json', '{"mchid":"1900000109"}']),
      wxpay(['v3.pay.transactions.native', '-c', configPath, '-b', baseURL, '--json', '{"out_trade_no":"F1"}', '--certs', `${emulator.platform.serial}=${impostor.publicKeyPem}`]),
      wxpay(['v3.pay.transactions.native', '-c', configPath, '-b', 'http://127.0.0.1:9/', '--json', '{"out_trade_no":"F2"}', '--timeout', '3000']),
      wxpay(['v3.pay.transactions.native', '-c', configPath, '-b', baseURL, '--json', '{oops']),
      wxpay(['v3/pay/transactions/out-trade-no/{out_trade_no}', '-c', configPath, '-b', baseURL]),
      wxpay(['v3.pay.transactions.native', '-c', configPath, '-X', 'fetch']),
    ]);
    expect(http400.code, `stderr: ${http400.stderr}`).toBe(3);
    expect(http400.stderr).toMatch(/PARAM_ERROR/);
    expect(forged.code, `stderr: ${forged.stderr}`).toBe(4);
    expect(forged.stderr).toMatch(/bad-signature/);
    expect(forged.stdout).toBe('');
    expect(down.code, `stderr: ${down.stderr}`).toBe(5);
    expect(badJson.code, `stderr: ${badJson.stderr}`).toBe(2);
    expect(badJson.stderr).toMatch(/--json: not valid JSON/);
    expect(missingVariable.code, `stderr: ${missingVariable.stderr}`).toBe(2);
    expect(missingVariable.stderr).toMatch(/out_trade_no/);
    expect(badMethod.code, `stderr: ${badMethod.stderr}`).toBe(2);
  });

  it('key files as plain paths, by the library\'s rule: relative to the config file, and a missing one is named (issue 16)', async () => {
    const plain = join(dir, 'plain-paths.json');
    await writeFile(plain, JSON.stringify({ ...JSON.parse(await readFile(configPath, 'utf8')), privateKey: 'apiclient_key.pem', certs: { [emulator.platform.serial]: './pub_key.pem' } }));
    const query = ['v3/pay/transactions/out-trade-no/{out_trade_no}', '--out_trade_no=P1', '-b', baseURL];
    const [works, missing, missingRelative] = await Promise.all([
      wxpay([...query, '-c', plain]),
      wxpay([...query, '-c', plain, '-k', '/etc/wechatpay/apiclient_key.pem']),
      wxpay([...query, '-c', plain, '-k', './nowhere/apiclient_key.pem']),
    ]);
    expect(works.code, `stderr: ${works.stderr}`).toBe(0);
    expect(JSON.parse(works.stdout).out_trade_no).toBe('P1');
    expect(missing.code, `stderr: ${missing.stderr}`).toBe(2);
    expect(missing.stderr).toMatch(/privateKey: cannot read \/etc\/wechatpay\/apiclient_key\.pem \(ENOENT\)/);
    expect(missing.stderr).not.toMatch(/not a PEM/);
    expect(missingRelative.code, `stderr: ${missingRelative.stderr}`).toBe(2);
    // relative to the working directory (the repository root, where the spec runs wxpay)
    expect(missingRelative.stderr).toContain(`cannot read ${join(process.cwd(), 'nowhere/apiclient_key.pem')} (ENOENT)`);
  });

  it('a path variable spelled --refund-id or --refundId names --refund_id; a flag that is no path variable is refused (issue 16)', async () => {
    const seed = 'v3/ecommerce/refunds/{refund_id}/return-advance';
    const sent = emulator.requests.length;
    const [kebab, camel, stray] = await Promise.all([
      wxpay([seed, '--refund-id=1', '-c', configPath, '-b', baseURL, '--json', '{"sub_mchid":"1900000109"}']),
      wxpay(['v3.ecommerce.refunds._refund_id_.returnAdvance', '--refundId', '1', '-c', configPath, '-b', baseURL, '--json', '{}']),
      wxpay([seed, '--refund_id=1', '--sub_mchid=1900000109', '-c', configPath, '-b', baseURL, '-X', 'GET']),
    ]);
    expect(kebab.code, `stderr: ${kebab.stderr}`).toBe(2);
    expect(kebab.stderr).toBe(`wxpay: --refund_id: missing, the path variable refund_id of "${seed}"; you gave --refund-id — did you mean --refund_id?\n`);
    expect(camel.code, `stderr: ${camel.stderr}`).toBe(2);
    expect(camel.stderr).toMatch(/you gave --refundId — did you mean --refund_id\?/);
    expect(stray.code, `stderr: ${stray.stderr}`).toBe(2);
    expect(stray.stderr).toMatch(/--sub_mchid: not a path variable of "v3\/ecommerce\/refunds\/\{refund_id\}\/return-advance" \(its path variables: --refund_id\); query parameters go in --query '\{"sub_mchid":…\}'/);
    expect(emulator.requests.length).toBe(sent);
  });

  // issue 16: `wxpay v3/certificates` with nothing configured said only "mchid: required"
  it('with no configuration, names --config, every WECHATPAY_* variable it reads, and wxpay sandbox / doctor to try (issue 16)', async () => {
    // the variables lib/cli/config.ts reads, written out: a variable dropped from the message or added unread fails here
    const variables = [
      'WECHATPAY_CONFIG',
      'WECHATPAY_MCHID',
      'WECHATPAY_SERIAL',
      'WECHATPAY_PRIVATE_KEY',
      'WECHATPAY_CERTS',
      'WECHATPAY_APIV3_KEY',
      'WECHATPAY_BASE_URL',
      'WECHATPAY_HOSTS',
      'WECHATPAY_GATEWAY_PREFIX',
      'WECHATPAY_TIMEOUT',
    ];
    const sent = emulator.requests.length;
    const [request, onlyBase, crt, partial, nothing] = await Promise.all([
      wxpay(['v3/certificates']),
      wxpay(['v3/certificates', '-b', baseURL]),
      wxpay(['crt', '-o', join(dir, 'never')]),
      wxpay(['v3/certificates', '-b', baseURL], { WECHATPAY_MCHID: emulator.merchant.mchid }),
      wxpay([]),
    ]);
    for (const res of [request, onlyBase, crt]) {
      expect(res.code, `stderr: ${res.stderr}`).toBe(2);
      expect(res.stderr).toMatch(/^wxpay: no configuration: nothing gave mchid, serial, privateKey or certs\. /);
      expect(res.stderr).toContain('--config wxpay.json');
      for (const name of variables) expect(res.stderr).toContain(name);
      expect(res.stderr.match(/WECHATPAY_[A-Z0-9_]+/g)?.sort()).toEqual([...variables].sort());
      expect(res.stderr).toContain('wxpay sandbox --dir ./sandbox');
      expect(res.stderr).toContain('wxpay --config ./sandbox/config.json');
      expect(res.stderr).toContain('wxpay doctor');
      expect(res.stderr.split('\n')).toHaveLength(2); // one line
    }
    expect(crt.stderr).toBe(request.stderr); // the configuration comes before the APIv3 key
    // a configuration begun: the missing option, and the three places it can come from
    expect(partial.code, `stderr: ${partial.stderr}`).toBe(2);
    expect(partial.stderr).toMatch(/^wxpay: serial: required, the merchant API certificate serial number \(hex\); give it as --serial, WECHATPAY_SERIAL or "serial" in the --config file\n$/);
    // `wxpay` alone: its usage says where the configuration comes from too
    expect(nothing.code).toBe(2);
    const usage = nothing.stdout + nothing.stderr;
    expect(usage).toMatch(/Configuration \(crt, doctor, requests\): --config cfg\.json/);
    for (const name of variables) expect(usage).toContain(name);
    expect(usage).toMatch(/No credentials yet\? wxpay sandbox/);
    expect(emulator.requests.length).toBe(sent);
  });

  it('never prints the private key or the APIv3 key, even on failure', async () => {
    const res = await wxpay(['crt', '-c', configPath, '-b', baseURL], { WECHATPAY_APIV3_KEY: 'short-secret-key' });
    expect(res.code, `stderr: ${res.stderr}`).toBe(2);
    expect(res.stderr).toMatch(/apiv3Key/);
    expect(res.stderr + res.stdout).not.toContain('short-secret-key');
    expect(res.stderr + res.stdout).not.toContain('PRIVATE KEY');
  });
});

describe('wxpay crt', { timeout: 60_000 }, () => {
  it('downloads, verifies and writes the platform certificates with no certs configured', async () => {
    const certEmulator = Emulator.create();
    const certificate = await certEmulator.addPlatformCertificate();
    const server = await certEmulator.listen();
    const out = join(dir, 'certs');
    const key = join(dir, 'crt_key.pem');
    await writeFile(key, certEmulator.merchant.privateKeyPem);
    try {
      const res = await wxpay(
        ['crt', '--mchid', certEmulator.merchant.mchid, '--serial', certEmulator.merchant.serial, '--privatekey', key, '--output', out, '--baseURL', server.baseURL],
        { WECHATPAY_APIV3_KEY: certEmulator.apiv3Key },
      );
      expect(res.stderr, `exit ${res.code}`).toBe('');
      expect(res.code, `stderr: ${res.stderr}`).toBe(0);
      const [printed] = JSON.parse(res.stdout);
      expect(printed.serial).toBe(certificate.serial);
      expect(await readdir(out)).toEqual([`wechatpay_${certificate.serial}.pem`]);
      expect(certificateSerial(`file://${printed.path}`)).toBe(certificate.serial);

      const wrongKey = await wxpay(['crt', '-m', certEmulator.merchant.mchid, '-s', certEmulator.merchant.serial, '-k', key, '-b', server.baseURL, '--key', 'K'.repeat(32)]);
      expect(wrongKey.code, `stderr: ${wrongKey.stderr}`).toBe(4);
      expect(wrongKey.stderr).toMatch(/decrypt-failed/);
    } finally {
      await server.close();
    }
  });

  it('explains public-key mode with exit 3', async () => {
    const res = await wxpay(['crt', '-c', configPath, '-b', baseURL], { WECHATPAY_APIV3_KEY: emulator.apiv3Key });
    expect(res.code, `stderr: ${res.stderr}`).toBe(3);
    expect(res.stderr).toMatch(/public key mode/);
  });
});
