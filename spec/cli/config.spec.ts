import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '../../lib/index.js';
import { keyValue, resolveCliConfig } from '../../lib/cli/config.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxpay-config-'));
  await writeFile(join(dir, 'key.pem'), 'not read here');
  await writeFile(join(dir, 'cfg.json'), JSON.stringify({ mchid: '1', serial: 'A', privateKey: 'file://key.pem', certs: { PUB_KEY_ID_1: 'file://pub.pem' }, baseURL: 'http://file/', apiv3Key: 'x'.repeat(32) }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveCliConfig', () => {
  it('layers config file < WECHATPAY_* < flags, field by field', () => {
    const file = join(dir, 'cfg.json');
    expect(resolveCliConfig({ config: file }, {}).config).toMatchObject({ mchid: '1', serial: 'A', baseURL: 'http://file/' });
    const env = { WECHATPAY_MCHID: '2', WECHATPAY_BASE_URL: 'http://env/', WECHATPAY_APIV3_KEY: 'y'.repeat(32) };
    const fromEnv = resolveCliConfig({ config: file }, env);
    expect(fromEnv.config).toMatchObject({ mchid: '2', serial: 'A', baseURL: 'http://env/' });
    expect(fromEnv.apiv3Key).toBe('y'.repeat(32));
    const fromFlags = resolveCliConfig({ config: file, mchid: '3', key: 'z'.repeat(32), timeout: '500' }, env);
    expect(fromFlags.config).toMatchObject({ mchid: '3', serial: 'A', baseURL: 'http://env/', timeout: 500 });
    expect(fromFlags.apiv3Key).toBe('z'.repeat(32));
    expect(resolveCliConfig({}, { WECHATPAY_CONFIG: file }).config.mchid).toBe('1');
  });

  it('resolves relative file:// paths in the config file against the file, and plain paths on flags against cwd', () => {
    const { config } = resolveCliConfig({ config: join(dir, 'cfg.json') }, {});
    expect(config.privateKey).toBe(pathToFileURL(join(dir, 'key.pem')).href);
    expect(config.certs).toEqual({ PUB_KEY_ID_1: pathToFileURL(join(dir, 'pub.pem')).href });
    expect(resolveCliConfig({ privatekey: 'key.pem' }, {}, dir).config.privateKey).toBe(join(dir, 'key.pem'));
    expect(keyValue('-----BEGIN PRIVATE KEY-----\n…', dir)).toBe('-----BEGIN PRIVATE KEY-----\n…');
    expect(keyValue('file:///abs/key.pem', dir)).toBe('file:///abs/key.pem');
  });

  it('takes plain paths by the library\'s rule: relative ones made absolute whether or not the file exists, so the error names it', async () => {
    // issue 16: a path that does not exist used to reach the library as is, which said "not a PEM private key"
    expect(keyValue('./missing/apiclient_key.pem', dir)).toBe(join(dir, 'missing/apiclient_key.pem'));
    expect(keyValue('apiclient_key.pem', dir)).toBe(join(dir, 'apiclient_key.pem'));
    expect(keyValue('/etc/wechatpay/apiclient_key.pem', dir)).toBe('/etc/wechatpay/apiclient_key.pem');
    expect(keyValue('~/apiclient_key.pem', dir)).toBe('~/apiclient_key.pem'); // left for the library to say "~" is not expanded
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4';
    expect(keyValue(body, dir)).toBe(body); // not a path: the library refuses it, describing it
    const file = join(dir, 'plain.json');
    await writeFile(
      file,
      JSON.stringify({ privateKey: 'keys/apiclient_key.pem', certs: { PUB_KEY_ID_1: './pub.pem' }, merchant: { cert: 'apiclient_cert.pem', key: 'file://apiclient_key.pem', passphrase: 'apiclient_key.pem' }, ca: ['ca.pem'] }),
    );
    const { config } = resolveCliConfig({ config: file }, {}, '/somewhere/else');
    expect(config.privateKey).toBe(join(dir, 'keys/apiclient_key.pem'));
    expect(config.certs).toEqual({ PUB_KEY_ID_1: join(dir, 'pub.pem') });
    // the APIv2 merchant certificate and the CA certificates by the same rule (a passphrase is not a path)
    expect(config.merchant).toEqual({ cert: join(dir, 'apiclient_cert.pem'), key: pathToFileURL(join(dir, 'apiclient_key.pem')).href, passphrase: 'apiclient_key.pem' });
    expect(config.ca).toEqual([join(dir, 'ca.pem')]);
  });

  it('takes hosts and gatewayPrefix from the config file and the environment; Builder.factory judges them', async () => {
    const file = join(dir, 'hosts.json');
    await writeFile(file, JSON.stringify({ mchid: '1', hosts: { 'https://apihk.mch.weixin.qq.com': 'http://127.0.0.1:8080/' } }));
    expect(resolveCliConfig({ config: file }, {}).config.hosts).toEqual({ 'https://apihk.mch.weixin.qq.com': 'http://127.0.0.1:8080/' });
    const env = { WECHATPAY_HOSTS: '{"https://fraud.mch.weixin.qq.com":"http://127.0.0.1:8081/"}', WECHATPAY_GATEWAY_PREFIX: '/strip' };
    expect(resolveCliConfig({ config: file }, env).config).toMatchObject({ hosts: { 'https://fraud.mch.weixin.qq.com': 'http://127.0.0.1:8081/' }, gatewayPrefix: '/strip' });
    expect(() => resolveCliConfig({}, { WECHATPAY_HOSTS: 'hk=x' })).toThrow(/WECHATPAY_HOSTS is not valid JSON/);
    expect(() => resolveCliConfig({}, { WECHATPAY_HOSTS: '["x"]' })).toThrow(/must be a JSON object/);
  });

  it('reads --certs as SERIAL=KEY pairs or a JSON object, and rejects anything else', () => {
    expect(resolveCliConfig({ certs: ['PUB_KEY_ID_1=file:///a.pem', 'ABC=file:///b.pem'] }, {}).config.certs).toEqual({ PUB_KEY_ID_1: 'file:///a.pem', ABC: 'file:///b.pem' });
    expect(resolveCliConfig({}, { WECHATPAY_CERTS: '{"PUB_KEY_ID_2":"file:///c.pem"}' }).config.certs).toEqual({ PUB_KEY_ID_2: 'file:///c.pem' });
    expect(() => resolveCliConfig({ certs: ['no-equals-sign'] }, {})).toThrow(ArgumentError);
    expect(() => resolveCliConfig({}, { WECHATPAY_CERTS: '{broken' })).toThrow(/WECHATPAY_CERTS is not valid JSON/);
    expect(() => resolveCliConfig({ config: join(dir, 'missing.json') }, {})).toThrow(/cannot read/);
    expect(() => resolveCliConfig({ timeout: 'soon' }, {})).toThrow(/--timeout/);
  });
});
