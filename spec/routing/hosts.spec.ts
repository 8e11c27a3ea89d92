/**
 * `hosts` maps a documented WeChat Pay origin to where to send instead, `baseURL` being that
 * mapping for https://api.mch.weixin.qq.com; a request's own `baseURL` (wechatpay-php's per-call
 * `base_uri`) is sent and signed; `gatewayPrefix` is sent and not signed.
 */
import { verify } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, type ClientConfig, DEFAULT_HOSTS, documentedOrigin, KNOWN_ORIGINS } from '../../lib/index.js';
import { knownOrigins } from '../../lib/routing/hosts.js';
import { Emulator } from '../../lib/testing/index.js';
import { RecordingDispatcher, type SentRequest } from '../support/recording-dispatcher.js';
import { loose } from '../support/loose.js';

const emulator = Emulator.create();

function recorded(config: Partial<ClientConfig> = {}) {
  const sent: SentRequest[] = [];
  const client = Builder.factory({ ...emulator.clientConfig(), dispatcher: new RecordingDispatcher(undefined, sent), ...config });
  return { client, sent };
}

function argumentError(config: Partial<ClientConfig>): ArgumentError {
  try {
    Builder.factory({ ...emulator.clientConfig(), ...config } as ClientConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentError);
    return error as ArgumentError;
  }
  throw new Error('no error');
}

/** The independent check of spec/routing/signature-walk.spec.ts, for one request. */
function signedOver(request: SentRequest): string | undefined {
  const fields = Object.fromEntries([...(request.headers.authorization ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  for (let cut = 0; cut <= request.path.length; cut = request.path.indexOf('/', cut + 1) === -1 ? request.path.length + 1 : request.path.indexOf('/', cut + 1)) {
    const path = request.path.slice(cut);
    const message = `${request.method}\n${path}\n${fields.timestamp}\n${fields.nonce_str}\n${request.body}\n`;
    if (verify('sha256', Buffer.from(message), emulator.merchant.publicKey, Buffer.from(fields.signature ?? '', 'base64'))) return path;
  }
  return undefined;
}

describe('documentedOrigin', () => {
  it('follows the catalog: x-base-uri, global/, hk/ and the default', () => {
    expect(documentedOrigin('v2/risk/getpublickey')).toBe('https://fraud.mch.weixin.qq.com');
    expect(documentedOrigin('v3/global/certificates')).toBe('https://apihk.mch.weixin.qq.com');
    expect(documentedOrigin('global/v3/customs/orders')).toBe('https://apihk.mch.weixin.qq.com');
    expect(documentedOrigin('hk/v3/statements')).toBe('https://api.mch.weixin.qq.com');
    expect(documentedOrigin('v3/global/statements')).toBe('https://api.mch.weixin.qq.com');
    expect(documentedOrigin('v2/appauth/authindex?x=1')).toBe('https://payapp.mch.weixin.qq.com');
  });

  it('lists every WeChat Pay origin the client knows, each mapped to itself by default', () => {
    expect(KNOWN_ORIGINS).toEqual(
      expect.arrayContaining([
        'https://api.mch.weixin.qq.com',
        'https://apihk.mch.weixin.qq.com',
        'https://fraud.mch.weixin.qq.com',
        'https://payapp.mch.weixin.qq.com',
        'https://payapp.weixin.qq.com',
        // backup and newer domains: wechatpay-go core/consts/const.go, wechatpay-java core/…/http/Constant.java
        'https://api2.mch.weixin.qq.com',
        'https://api.wechatpay.cn',
        'https://api2.wechatpay.cn',
      ]),
    );
    for (const origin of KNOWN_ORIGINS) expect(DEFAULT_HOSTS[origin]).toBe(`${origin}/`);
  });
});

describe('hosts', () => {
  it('sends a mapped origin elsewhere, trailing slash optional on both sides', async () => {
    for (const [key, value] of [
      ['https://apihk.mch.weixin.qq.com', 'http://127.0.0.1:8080/'],
      ['https://apihk.mch.weixin.qq.com/', 'http://127.0.0.1:8080'],
    ]) {
      const { client, sent } = recorded({ hosts: { [key as string]: value as string } });
      await loose(client).global.v3.customs.orders.post({ json: {} }).catch(() => undefined);
      await loose(client).hk.v3.statements.get({ query: { date: '20240101' } }).catch(() => undefined);
      expect(sent.map((r) => `${r.origin}${r.path}`)).toEqual(['http://127.0.0.1:8080/global/v3/customs/orders', 'https://api.mch.weixin.qq.com/hk/v3/statements?date=20240101']);
      await client.close();
    }
  });

  it('is what baseURL is for https://api.mch.weixin.qq.com', async () => {
    const viaBase = recorded({ baseURL: 'http://127.0.0.1:8081/' });
    const viaHosts = recorded({ hosts: { 'https://api.mch.weixin.qq.com': 'http://127.0.0.1:8081/' } });
    for (const { client } of [viaBase, viaHosts]) await loose(client).hk.v3.statements.get({ query: { date: '20240101' } }).catch(() => undefined);
    expect(viaBase.sent.map((r) => `${r.origin}${r.path}`)).toEqual(['http://127.0.0.1:8081/hk/v3/statements?date=20240101']);
    expect(viaHosts.sent.map((r) => `${r.origin}${r.path}`)).toEqual(['http://127.0.0.1:8081/hk/v3/statements?date=20240101']);
  });

  it('refuses baseURL beside hosts for the same origin', () => {
    const error = argumentError({ baseURL: 'http://127.0.0.1:1/', hosts: { 'https://api.mch.weixin.qq.com/': 'http://127.0.0.1:2/' } });
    expect(error.message).toMatch(/give one/);
  });

  it.each([
    ['hk', /hk\/ is a path segment.*baseURL/],
    ['global', /'https:\/\/apihk\.mch\.weixin\.qq\.com': '<where to send>'/],
    ['fraud', /'https:\/\/fraud\.mch\.weixin\.qq\.com': '<where to send>'/],
  ])('refuses the old alias key %s, saying what to write instead', (alias, advice) => {
    const error = argumentError({ hosts: { [alias]: 'http://127.0.0.1:8080/' } });
    expect(error.field).toBe(`hosts.${alias}`);
    expect(error.message).toMatch(/alias is gone/);
    expect(error.message).toMatch(advice);
  });

  it('refuses a key that is not a WeChat Pay origin, and bad values, without repeating them', () => {
    const secret = 'https://user:SECRET-0123456789@evil.example.com/';
    for (const [hosts, field] of [
      [{ 'https://evil.example.com': 'http://127.0.0.1:1/' }, 'hosts'],
      [{ 'https://apihk.mch.weixin.qq.com/v3': 'http://127.0.0.1:1/' }, 'hosts'],
      [{ 'https://apihk.mch.weixin.qq.com': secret }, "hosts['https://apihk.mch.weixin.qq.com']"],
      [{ 'https://apihk.mch.weixin.qq.com': 'not a url SECRET-0123456789' }, "hosts['https://apihk.mch.weixin.qq.com']"],
      [{ 'https://apihk.mch.weixin.qq.com': 42 }, "hosts['https://apihk.mch.weixin.qq.com']"],
    ] as Array<[Record<string, unknown>, string]>) {
      const error = argumentError({ hosts: hosts as Record<string, string> });
      expect(error.field).toBe(field);
      expect(error.message).not.toMatch(/SECRET|evil/);
    }
    expect(argumentError({ hosts: 'x' as never }).field).toBe('hosts');
    expect(argumentError({ baseURL: 'SECRET-0123456789' }).message).toMatch(/a string of 17 characters \(.*\) is not an absolute URL/);
  });
});

describe('the emulator maps every documented origin to itself', () => {
  it('answers requests for every origin in process', async () => {
    const config = emulator.clientConfig();
    for (const origin of KNOWN_ORIGINS.filter((o) => o !== 'https://api.mch.weixin.qq.com')) expect(config.hosts?.[origin]).toBe(`${origin}/`);
    const client = Builder.factory(config);
    await expect(loose(client).v3.global.certificates.get()).rejects.toMatchObject({ status: 404 }); // answered (no handler), signed
    await expect(client.v2.risk.getpublickey.post({ xml: { mch_id: emulator.merchant.mchid, sign_type: 'MD5' } })).resolves.toMatchObject({ status: 200 });
    await client.close();
  });

  it('maps every origin to its loopback address over a socket', async () => {
    const { baseURL, close } = await emulator.listen();
    try {
      const config = emulator.clientConfig({ baseURL });
      for (const origin of KNOWN_ORIGINS.filter((o) => o !== 'https://api.mch.weixin.qq.com')) expect(config.hosts?.[origin]).toBe(baseURL);
      const client = Builder.factory(config);
      await expect(client.v2.risk.getpublickey.post({ xml: { mch_id: emulator.merchant.mchid, sign_type: 'MD5' } })).resolves.toMatchObject({ status: 200 });
      await expect(loose(client).hk.v3.certificates.get()).rejects.toMatchObject({ status: 404 });
      expect(emulator.requests.at(-1)).toMatchObject({ path: '/hk/v3/certificates', verified: true });
      await client.close();
    } finally {
      await close();
    }
  });
});

describe('what is signed is what is sent', () => {
  it('signs the path of baseURL, as wechatpay-php signs its base_uri path', async () => {
    const { client, sent } = recorded({ baseURL: 'https://proxy.example.com/wechatpay/' });
    await client.v3.certificates.get().catch(() => undefined);
    expect(sent[0]?.path).toBe('/wechatpay/v3/certificates');
    expect(signedOver(sent[0]!)).toBe('/wechatpay/v3/certificates');
  });

  it('passes a baseURL path prefix through the emulator, verified', async () => {
    const { baseURL, close } = await emulator.listen();
    try {
      const client = Builder.factory(emulator.clientConfig({ baseURL: `${baseURL}proxy/` }));
      await client.v3.ecommerce.refunds._refund_id_.returnAdvance.get({ refund_id: '9', query: { sub_mchid: '1' } }).catch(() => undefined);
      expect(emulator.requests.at(-1)).toMatchObject({ path: '/proxy/v3/ecommerce/refunds/9/return-advance?sub_mchid=1', verified: true });
      await client.close();
    } finally {
      await close();
    }
  });

  it('sends gatewayPrefix before the signed path, unsigned', async () => {
    const { client, sent } = recorded({ baseURL: 'https://gw.example.com', gatewayPrefix: '/strip/' });
    await loose(client).v3.certificates.get({ query: { a: '1' } }).catch(() => undefined);
    expect(sent[0]?.path).toBe('/strip/v3/certificates?a=1');
    expect(signedOver(sent[0]!)).toBe('/v3/certificates?a=1');
  });

  it.each([
    [{ gatewayPrefix: 'strip' }, /expected a path such as \/wechatpay/],
    [{ gatewayPrefix: '/a/../b' }, /no \. or \.\./],
    [{ gatewayPrefix: 7 }, /got a number/],
    [{ gatewayPrefix: '/strip', baseURL: 'https://gw.example.com/p/' }, /put the prefix in one place/],
    [{ gatewayPrefix: '/strip', hosts: { 'https://apihk.mch.weixin.qq.com': 'https://gw.example.com/hk/' } }, /put the prefix in one place/],
  ] as Array<[Partial<ClientConfig>, RegExp]>)('refuses gatewayPrefix in %j', (config, message) => {
    const error = argumentError(config);
    expect(error.field).toBe('gatewayPrefix');
    expect(error.message).toMatch(message);
  });
});

describe('a request’s own baseURL', () => {
  const { client, sent } = recorded({ hosts: { 'https://apihk.mch.weixin.qq.com': 'http://127.0.0.1:8082/gw/' } });
  afterAll(() => client.close());

  it('sends and signs its path before the endpoint path (wechatpay-php tests/OpenAPI/V3/StatementsTest.php: base_uri …/hk/ + v3/statements)', async () => {
    await loose(client).v3.statements.get({ query: { date: '20180103' }, baseURL: 'https://api.mch.weixin.qq.com/hk/' }).catch(() => undefined);
    const request = sent.at(-1)!;
    expect(`${request.origin}${request.path}`).toBe('https://api.mch.weixin.qq.com/hk/v3/statements?date=20180103');
    expect(signedOver(request)).toBe('/hk/v3/statements?date=20180103');
  });

  it('goes where hosts maps a WeChat Pay origin, and as given elsewhere', async () => {
    await client.v3.global.statements.get({ query: { date: '20180103' }, baseURL: 'https://apihk.mch.weixin.qq.com/' }).catch(() => undefined);
    expect(`${sent.at(-1)!.origin}${sent.at(-1)!.path}`).toBe('http://127.0.0.1:8082/gw/v3/global/statements?date=20180103');
    expect(signedOver(sent.at(-1)!)).toBe('/gw/v3/global/statements?date=20180103');
    await client.v3.certificates.get({ baseURL: 'http://127.0.0.1:8083/other' }).catch(() => undefined);
    expect(`${sent.at(-1)!.origin}${sent.at(-1)!.path}`).toBe('http://127.0.0.1:8083/other/v3/certificates');
    expect(signedOver(sent.at(-1)!)).toBe('/other/v3/certificates');
  });

  it.each([
    ['not a url SECRET-0123456789', /is not an absolute URL/],
    ['ftp://x/', /http\(s\)/],
    ['https://u:SECRET-0123456789@x/', /credentials/],
    ['https://x/?SECRET-0123456789', /query/],
    [42, /got a number/],
  ])('refuses %j with an ArgumentError, sending nothing', async (baseURL, message) => {
    const before = sent.length;
    const error = await client.v3.certificates.get({ baseURL: baseURL as string }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).field).toBe('baseURL');
    expect((error as ArgumentError).message).toMatch(message);
    expect((error as ArgumentError).message).not.toMatch(/SECRET/);
    expect(sent.length).toBe(before);
  });

  it('refuses a path beside the client gatewayPrefix', async () => {
    const gw = recorded({ gatewayPrefix: '/strip' });
    await expect(gw.client.v3.certificates.get({ baseURL: 'https://api.mch.weixin.qq.com/hk/' })).rejects.toMatchObject({ name: 'ArgumentError', field: 'baseURL' });
    expect(gw.sent).toEqual([]);
  });
});

describe('knownOrigins', () => {
  it('holds every WeChat Pay origin, the backup and newer domains included', () => {
    const origins = knownOrigins([]);
    expect([...origins]).toEqual([...KNOWN_ORIGINS]);
    // wechatpay-go core/consts/const.go (api2.mch), wechatpay-java core/…/http/Constant.java (api.wechatpay.cn, api2.wechatpay.cn)
    for (const origin of ['https://api.mch.weixin.qq.com', 'https://apihk.mch.weixin.qq.com', 'https://api2.mch.weixin.qq.com', 'https://api.wechatpay.cn', 'https://api2.wechatpay.cn']) {
      expect(origins.has(origin)).toBe(true);
    }
  });

  it('adds the origins the client sends to, and nothing else', () => {
    const origins = knownOrigins([
      { origin: 'http://127.0.0.1:9001', basePath: '' },
      { origin: 'https://proxy.example.com', basePath: '/wx' },
    ]);
    expect(origins.has('http://127.0.0.1:9001')).toBe(true);
    expect(origins.has('https://proxy.example.com')).toBe(true);
    expect(origins.has('http://127.0.0.1:9002')).toBe(false);
    expect(origins.has('https://evil.example.com')).toBe(false);
    // an origin is scheme, host and port: the plain-http twin of a WeChat Pay host is not one
    expect(origins.has('http://api.mch.weixin.qq.com')).toBe(false);
  });
});
