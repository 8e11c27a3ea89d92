/**
 * What is signed is what is sent: for every catalog path and method, the APIv3 `Authorization`
 * verifies over exactly the path and query handed to the dispatcher — under the default hosts,
 * under base URLs with a path (signed, as wechatpay-php signs `$request->getRequestTarget()` with
 * its `base_uri` path: src/ClientJsonTrait.php), and with a gateway prefix (sent, not signed).
 *
 * The verifier here is independent of the library's: node:crypto RSA-SHA256 (PKCS#1 v1.5) over
 * `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n` (WeChat Pay 签名生成; wechatpay-php
 * src/Formatter.php request(): the five parts joined by line feeds, one at the end), with the
 * fields parsed out of `WECHATPAY2-SHA256-RSA2048 k="v",…`.
 */
import { verify } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChainNode } from '../../lib/chain/types.js';
import { Builder, type ClientConfig, type ClientMembers } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';
import { RecordingDispatcher, type SentRequest } from '../support/recording-dispatcher.js';
import { catalogCalls, optionsFor } from './catalog-walk.js';

const emulator = Emulator.create();

function signatureProblem(request: SentRequest, signedPath: string): string | undefined {
  const header = request.headers.authorization ?? '';
  const match = /^WECHATPAY2-SHA256-RSA2048 (.+)$/.exec(header);
  if (!match) return 'no WECHATPAY2-SHA256-RSA2048 Authorization';
  const fields = Object.fromEntries([...(match[1] as string).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  if (fields.mchid !== emulator.merchant.mchid || fields.serial_no !== emulator.merchant.serial) return 'wrong mchid or serial_no';
  const message = `${request.method}\n${signedPath}\n${fields.timestamp}\n${fields.nonce_str}\n${request.body}\n`;
  const ok = verify('sha256', Buffer.from(message), emulator.merchant.publicKey, Buffer.from(fields.signature ?? '', 'base64'));
  return ok ? undefined : `signature does not verify over ${signedPath}`;
}

const GATEWAY = 'https://gw.example.com';

const setups: Array<{ name: string; config: Partial<ClientConfig>; unsignedPrefix: (origin: string) => string; signedPrefix: (origin: string) => string }> = [
  { name: 'default hosts', config: {}, unsignedPrefix: () => '', signedPrefix: () => '' },
  {
    // every origin behind one forward proxy, each under a path of its own: the path is signed
    name: 'base URLs with a path',
    config: {
      baseURL: `${GATEWAY}/wx/`,
      hosts: {
        'https://apihk.mch.weixin.qq.com': `${GATEWAY}/apihk`,
        'https://fraud.mch.weixin.qq.com/': `${GATEWAY}/fraud/`,
        'https://payapp.mch.weixin.qq.com': `${GATEWAY}/payapp-mch/`,
        'https://payapp.weixin.qq.com': `${GATEWAY}/payapp/`,
      },
    },
    unsignedPrefix: () => '',
    signedPrefix: (origin) => ({ 'https://api.mch.weixin.qq.com': '/wx', 'https://apihk.mch.weixin.qq.com': '/apihk' })[origin] ?? '',
  },
  {
    // a gateway that strips /strip before forwarding to WeChat Pay: sent, not signed
    name: 'a gateway prefix',
    config: { baseURL: `${GATEWAY}/`, hosts: { 'https://apihk.mch.weixin.qq.com': `${GATEWAY}/` }, gatewayPrefix: '/strip' } as Partial<ClientConfig>,
    unsignedPrefix: () => '/strip',
    signedPrefix: () => '',
  },
];

describe('the APIv3 signature covers exactly the path and query sent', () => {
  const calls = catalogCalls().filter((call) => call.protocol === 'v3');
  const clients: Array<ChainNode & ClientMembers> = [];
  afterAll(() => Promise.all(clients.map((c) => c.close())));

  for (const setup of setups) {
    it(`over every APIv3 catalog path, ${setup.name}`, async () => {
      const sent: SentRequest[] = [];
      const client = Builder.factory({ ...emulator.clientConfig(), ...setup.config, dispatcher: new RecordingDispatcher(undefined, sent) }) as unknown as ChainNode & ClientMembers;
      clients.push(client);
      const wrong: string[] = [];
      for (const call of calls) {
        const before = sent.length;
        // a query with characters that need encoding: the encoded form is what is signed
        const extra = call.method === 'get' ? { query: { limit: 10, note: 'a b/c' } } : {};
        await (client.chain(call.template)[call.method] as (o: unknown) => Promise<unknown>)(optionsFor(call, extra)).catch(() => undefined);
        const request = sent[before];
        if (request === undefined) {
          wrong.push(`${call.method} ${call.template}: nothing sent`);
          continue;
        }
        const query = call.method === 'get' ? '?limit=10&note=a%20b%2Fc' : '';
        const unsigned = setup.unsignedPrefix(call.origin);
        const expectedSent = `${unsigned}${setup.signedPrefix(call.origin)}${call.path}${query}`;
        if (request.path !== expectedSent) wrong.push(`${call.method} ${call.template}: sent ${request.path}, expected ${expectedSent}`);
        const problem = signatureProblem(request, request.path.slice(unsigned.length));
        if (problem) wrong.push(`${call.method} ${call.template}: ${problem}`);
      }
      expect(wrong).toEqual([]);
      expect(sent.length).toBe(calls.length);
    }, 120_000);
  }
});

describe('APIv2 GETs carry their signed fields in the query', () => {
  it('signs the query of every APIv2 GET of the catalog (MD5 over the sorted fields and key=…)', async () => {
    // WeChat Pay APIv2 签名算法: non-empty fields sorted by name as k=v joined by &, then &key=<APIv2 key>,
    // MD5, upper-case hex (wechatpay-php src/ClientXmlTrait.php transformRequest for GET: the query is signed and sent)
    const { createHash } = await import('node:crypto');
    const calls = catalogCalls().filter((call) => call.protocol === 'v2' && call.method === 'get');
    expect(calls.map((c) => c.template)).toContain('v2/appauth/authindex');
    const sent: SentRequest[] = [];
    const client = Builder.factory({ ...emulator.clientConfig(), dispatcher: new RecordingDispatcher(undefined, sent) }) as unknown as ChainNode & ClientMembers;
    try {
      for (const call of calls) {
        const query = { mch_id: emulator.merchant.mchid, appid: 'wxd678efh567hg6787', state: 'a b&c' };
        await (client.chain(call.template).get as (o: unknown) => Promise<unknown>)({ query }).catch(() => undefined);
        const request = sent.at(-1)!;
        expect(`${request.origin}${request.path.split('?')[0]}`).toBe(`${call.origin}${call.path}`);
        const fields = Object.fromEntries(new URLSearchParams(request.path.split('?')[1]));
        expect(fields).toMatchObject(query);
        const { sign, ...rest } = fields;
        const text = Object.keys(rest).sort().filter((k) => rest[k] !== '').map((k) => `${k}=${rest[k]}`).join('&');
        expect(sign).toBe(createHash('md5').update(`${text}&key=${emulator.secret}`).digest('hex').toUpperCase());
        expect(rest.nonce_str).toMatch(/^[0-9A-Za-z]{32}$/);
      }
    } finally {
      await client.close();
    }
  });
});
