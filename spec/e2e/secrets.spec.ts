import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { http as route, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Builder, downloadCertificates, parseNotification, type ClientConfig, type RequestContext, type WeChatPayClient } from '../../lib/index.js';
import { createNotification, Emulator, generateKeyPair } from '../../lib/testing/index.js';
import { httpServer, rawServer, type Loopback } from '../support/loopback.js';

// Known key material; every output the client produces is searched for any of it.
const apiv2Secret = randomBytes(16).toString('hex');
const apiv3Key = randomBytes(16).toString('hex');
const emulator = Emulator.create({
  apiv3Key,
  secret: apiv2Secret,
  handlers: [
    route.get('*/v3/hello', () => HttpResponse.json({ hello: 'world' })),
    route.get('*/v3/boom', () => HttpResponse.json({ code: 'SYSTEM_ERROR', message: 'boom' }, { status: 500 })),
    route.get('*/v3/html', () => new HttpResponse('<html>x</html>', { headers: { 'content-type': 'text/html' } })),
    route.get('*/v3/big', () => HttpResponse.json({ blob: 'x'.repeat(4096) })),
  ],
});
const pem = emulator.merchant.privateKeyPem;
const pkcs1 = emulator.merchant.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const jwk = emulator.merchant.privateKey.export({ format: 'jwk' });
const signatures: string[] = [];

const body = (text: string) => text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
const SECRETS: Array<[string, string]> = [
  ['private key (PKCS#8)', body(pem)],
  ['private key (PKCS#1)', body(pkcs1)],
  ['private key (JWK d)', String(jwk.d)],
  ['private key (JWK p)', String(jwk.p)],
  ['APIv2 secret', apiv2Secret],
  ['APIv3 key', apiv3Key],
];

/** The first secret (or 40-char chunk of one) found in `text`, after removing whitespace and escapes. */
function findLeak(text: string): string | undefined {
  const flat = text.replace(/\\[nr]/g, '').replace(/\s+/g, '');
  for (const [name, secret] of [...SECRETS, ...signatures.map((s, i): [string, string] => [`Authorization signature #${i}`, s])]) {
    if (secret.length <= 40) {
      if (flat.includes(secret)) return name;
      continue;
    }
    for (let at = 0; at + 40 <= secret.length; at += 8) if (flat.includes(secret.slice(at, at + 40))) return `${name} (chunk at ${at})`;
  }
  return undefined;
}

function views(thing: unknown): string[] {
  const out = [
    inspect(thing, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    inspect(thing, { depth: Number.POSITIVE_INFINITY, showProxy: true }),
    String((thing as Error)?.message ?? ''),
    String((thing as Error)?.stack ?? ''),
  ];
  try {
    out.push(JSON.stringify(thing) ?? '');
  } catch {
    // circular: JSON cannot print it, so it cannot leak through JSON either
  }
  return out;
}

function expectNoLeak(label: string, thing: unknown) {
  for (const view of views(thing)) expect(findLeak(view), `${label}: ${view.slice(0, 200)}`).toBeUndefined();
}

const configWithSecrets = (overrides: Partial<ClientConfig> = {}): ClientConfig =>
  ({ ...emulator.clientConfig(overrides), secret: apiv2Secret, apiv2Key: apiv2Secret, apiv3Key, apiV3Key: apiv3Key }) as ClientConfig;

const errors = new Map<string, unknown>();
const lines: string[] = [];
const contexts: RequestContext[] = [];
let client: WeChatPayClient;
let servers: Loopback[] = [];
const extraClients: WeChatPayClient[] = [];

async function capture(kind: string, promise: Promise<unknown> | (() => unknown)) {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    errors.set(kind, error);
    return;
  }
  throw new Error(`${kind}: expected a failure`);
}

beforeAll(async () => {
  client = Builder.factory(configWithSecrets({ debug: (line) => lines.push(line), timeout: 2_000 }));
  client.pipeline.use(async (ctx, next) => {
    contexts.push(ctx);
    return next(ctx);
  }, 'spy');

  await client.chain('v3/hello').get();
  await capture('HttpError', client.chain('v3/boom').get());
  await capture('HttpError 401 (wrong key)', Builder.factory({ ...configWithSecrets(), privateKey: generateKeyPair().privateKeyPem }).chain('v3/hello').get());
  await capture('DecodeError', client.chain('v3/html').get());
  await capture('DecodeError maxBodySize', Builder.factory(configWithSecrets({ maxBodySize: 100 })).chain('v3/big').get());
  emulator.tamperNext((res) => (res.body = Buffer.from('{"forged":1}')));
  await capture('VerificationError', client.chain('v3/hello').get());
  await capture('ArgumentError missing variable', client.chain('v3/refunds')._refund_id_.get());
  await capture('ArgumentError header with CR/LF', client.chain('v3/hello').get({ headers: { 'x-key': pem } }));
  await capture('ArgumentError key in a header name', client.chain('v3/hello').get({ headers: { [pem]: '1' } }));
  await capture('ArgumentError key as baseURL', () => Builder.factory(configWithSecrets({ baseURL: pem })));
  await capture('ArgumentError truncated key', () => Builder.factory({ ...configWithSecrets(), privateKey: pem.slice(0, 900) + pem.slice(-30) }));
  await capture('ArgumentError garbage in the key', () => Builder.factory({ ...configWithSecrets(), privateKey: pem.replace(/[A-Z]/g, '!') }));
  await capture('ArgumentError public where private', () => Builder.factory({ ...configWithSecrets(), privateKey: emulator.platform.publicKeyPem }));
  const encrypted = emulator.merchant.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: apiv3Key }).toString();
  await capture('ArgumentError encrypted key', () => Builder.factory({ ...configWithSecrets(), privateKey: encrypted }));
  await capture('ArgumentError key as a cert', () => Builder.factory({ ...configWithSecrets(), certs: { X: `${pem.slice(0, 500)}@@@${pem.slice(500)}` } }));
  await capture('ArgumentError bad JWK', () => Builder.factory({ ...configWithSecrets(), privateKey: { ...jwk, d: undefined } }));
  await capture('ArgumentError JWK with a foreign n', () => Builder.factory({ ...configWithSecrets(), privateKey: { ...jwk, n: generateKeyPair().publicKey.export({ format: 'jwk' }).n } }));

  // APIv2, signed with the APIv2 secret: a business failure, a forged answer, a wrong secret
  const appid = 'wxd678efh567hg6787';
  const micropay = (c: WeChatPayClient, out_trade_no: string, auth_code = '134567890123456789') =>
    c.v2.pay.micropay.post({ xml: { appid, mch_id: emulator.merchant.mchid, body: 'x', out_trade_no, total_fee: 1, spbill_create_ip: '127.0.0.1', auth_code } });
  await micropay(client, 'V2OK');
  await capture('BusinessError', micropay(client, 'V2BAD', '999'));
  emulator.tamperNext((res) => (res.body = Buffer.from(res.body.toString().replace('SUCCESS', 'FAIL'))));
  await capture('VerificationError v2', micropay(client, 'V2FORGED'));
  await capture('BusinessError wrong secret', micropay(Builder.factory({ ...configWithSecrets(), secret: 'y'.repeat(32) }), 'V2KEY'));
  await capture('ArgumentError short secret', () => micropay(Builder.factory({ ...configWithSecrets(), secret: apiv2Secret.slice(0, 31) }), 'V2SHORT'));
  await capture('PublicKeyModeError', downloadCertificates(client, { apiv3Key }));

  // webhooks: a notification whose resource was altered fails to decrypt with the APIv3 key
  const notification = createNotification(emulator, { resource: { out_trade_no: 'T1' } });
  const altered = JSON.parse(notification.body) as { resource: { ciphertext: string } };
  altered.resource.ciphertext = Buffer.from(`x${apiv3Key}`).toString('base64');
  const alteredBody = JSON.stringify(altered);
  await capture('VerificationError notification decrypt-failed', () =>
    parseNotification({ headers: emulator.signResponse(alteredBody), body: alteredBody }, { certs: { [emulator.platform.serial]: emulator.platform.publicKeyPem }, apiv3Key }),
  );
  await capture('ArgumentError notification key', () => parseNotification(notification, { certs: {}, apiv3Key: `${apiv3Key}x` }));

  const hang = await httpServer(() => {});
  const reset = await rawServer((socket) => socket.resetAndDestroy());
  servers = [hang, reset];
  const overLoopback = (loopback: Loopback) => {
    const c = Builder.factory(configWithSecrets({ baseURL: loopback.baseURL, timeout: 150, debug: (line) => lines.push(line) }));
    extraClients.push(c);
    return c;
  };
  await capture('TimeoutError', overLoopback(hang).chain('v3/hang').post({ json: { apiv3Key: 'not-here' } }));
  await capture('NetworkError', overLoopback(reset).chain('v3/reset').get());

  for (const recorded of emulator.requests) {
    const signature = /signature="([^"]+)"/.exec(recorded.headers.authorization ?? '')?.[1];
    if (signature) signatures.push(signature);
  }
});

afterAll(async () => {
  await client.close();
  for (const c of extraClients) await c.close();
  for (const server of servers) await server.close();
});

describe('secrets never leak', () => {
  it('the search itself finds a leaked chunk (so the checks below can fail)', () => {
    expect(findLeak(`…${body(pem).slice(200, 240)}…`)).toMatch(/private key/);
    expect(findLeak(inspect({ nested: { value: pem } }))).toMatch(/private key/);
    expect(findLeak(`x ${apiv3Key} y`)).toBe('APIv3 key');
    expect(signatures.length).toBeGreaterThan(3);
    expect(findLeak(`signature="${signatures[0]}"`)).toMatch(/Authorization signature/);
  });

  it('every error kind was triggered', () => {
    const names = new Set([...errors.values()].map((error) => (error as Error).name));
    expect([...names].sort()).toEqual(['ArgumentError', 'BusinessError', 'DecodeError', 'HttpError', 'NetworkError', 'PublicKeyModeError', 'TimeoutError', 'VerificationError']);
  });

  it('no error message, stack, util.inspect or JSON of an error holds a secret', () => {
    for (const [kind, error] of errors) expectNoLeak(kind, error);
  });

  it('util.inspect / JSON / String of the client hold no secret', () => {
    expectNoLeak('client', client);
    expect(String(client)).toBe('');
    expectNoLeak('client.pipeline', client.pipeline);
    expectNoLeak('client.verifier', client.verifier);
  });

  it('a request context prints with Authorization redacted, while the real header is sent', () => {
    expect(contexts.length).toBeGreaterThan(0);
    const ctx = contexts[0] as RequestContext;
    expect(ctx.headers.authorization).toMatch(/signature="/);
    expectNoLeak('ctx', ctx);
    expectNoLeak('ctx.headers', ctx.headers);
    expect(inspect(ctx)).toContain("authorization: 'WECHATPAY2-SHA256-RSA2048 [REDACTED]'");
    expect(JSON.parse(JSON.stringify(ctx)).headers.authorization).toBe('WECHATPAY2-SHA256-RSA2048 [REDACTED]');
    expect(Object.keys(ctx.headers)).toContain('authorization');
  });

  it('the debug log names every attempt and holds no secret', () => {
    expect(lines.some((line) => line.startsWith('→ GET ') && line.includes('[REDACTED]'))).toBe(true);
    expect(lines.some((line) => line.startsWith('✗ POST ') && line.includes('TimeoutError'))).toBe(true);
    for (const line of lines) expect(findLeak(line), line).toBeUndefined();
  });

  it('debug: true writes redacted lines to stderr', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await Builder.factory(configWithSecrets({ debug: true })).chain('v3/hello').get();
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toMatch(/wechatpay \d+: → GET .*\/v3\/hello attempt=1/);
    expect(findLeak(written.join(''))).toBeUndefined();
  });
});

describe('NODE_DEBUG=wechatpay', () => {
  it('logs redacted lines without the option', async () => {
    const { execFile } = await import('node:child_process');
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', 'spec/support/debug-child.ts'], { env: { ...process.env, NODE_DEBUG: 'wechatpay' }, timeout: 60_000 }, (error, out, err) =>
        error ? reject(error) : resolve({ stdout: out, stderr: err }),
      );
    });
    const { authorization, key } = JSON.parse(stdout) as { authorization: string; key: string };
    expect(stderr).toMatch(/WECHATPAY \d+: → GET .*\/v3\/hello attempt=1 .*\[REDACTED\]/);
    expect(stderr).toMatch(/WECHATPAY \d+: ← 200 GET/);
    const signature = /signature="([^"]+)"/.exec(authorization)?.[1] as string;
    expect(signature.length).toBeGreaterThan(100);
    expect(stderr).not.toContain(signature);
    expect(stderr).not.toContain(body(key).slice(100, 140));
  }, 90_000);
});
