import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { http as route, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Builder, type ClientConfig, type RequestContext, type WeChatPayClient } from '../../lib/index.js';
import { installCertificatesStep } from '../../lib/certificates/download.js';
import { downloadCertificates } from '../../lib/certificates/index.js';
import { parseNotification } from '../../lib/webhook/index.js';
import { createCertificate, createNotification, Emulator, generateKeyPair } from '../../lib/testing/index.js';
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
    route.get('*/v3/boom/:id', () => HttpResponse.json({ code: 'SYSTEM_ERROR', message: 'boom' }, { status: 500 })),
    route.get('*/v3/html', () => new HttpResponse('<html>x</html>', { headers: { 'content-type': 'text/html' } })),
    route.get('*/v3/big', () => HttpResponse.json({ blob: 'x'.repeat(4096) })),
  ],
});
const pem = emulator.merchant.privateKeyPem;
const pkcs1 = emulator.merchant.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const jwk = emulator.merchant.privateKey.export({ format: 'jwk' });
const signatures: string[] = [];
// the PFX (PKCS#12) passphrase of the merchant certificate
const passphrase = randomBytes(12).toString('hex');

const body = (text: string) => text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
const jwkParts = (key: typeof jwk) => [key.d, key.p, key.q, key.dp, key.dq, key.qi].map(String);
const SECRETS: Array<[string, string]> = [
  ['private key (PKCS#8)', body(pem)],
  ['private key (PKCS#1)', body(pkcs1)],
  ...jwkParts(jwk).map((part, i): [string, string] => [`private key (JWK ${['d', 'p', 'q', 'dp', 'dq', 'qi'][i]})`, part]),
  ['APIv2 secret', apiv2Secret],
  ['APIv3 key', apiv3Key],
  ['PFX passphrase', passphrase],
];

/** 8-character windows of any RSA key's text that are structure (ASN.1 headers), not secret: taken from an unrelated key. */
const STRUCTURE = (() => {
  const other = generateKeyPair().privateKey;
  const texts = [body(other.export({ type: 'pkcs8', format: 'pem' }).toString()), body(other.export({ type: 'pkcs1', format: 'pem' }).toString()), ...jwkParts(other.export({ format: 'jwk' }))];
  const windows = new Set<string>();
  for (const text of texts) for (let at = 0; at + 8 <= text.length; at++) windows.add(text.slice(at, at + 8));
  return windows;
})();

/** Every 8-character window of every secret (and of every signature sent), to the secret it comes from. */
let WINDOWS: Map<string, string> | undefined;
function windows(): Map<string, string> {
  if (WINDOWS && WINDOWS.size > 0 && signatures.length > 0) return WINDOWS;
  const out = new Map<string, string>();
  for (const [name, secret] of [...SECRETS, ...signatures.map((s, i): [string, string] => [`Authorization signature #${i}`, s])]) {
    for (let at = 0; at + 8 <= secret.length; at++) {
      const window = secret.slice(at, at + 8);
      if (!STRUCTURE.has(window) && !out.has(window)) out.set(window, `${name} (chunk at ${at})`);
    }
  }
  WINDOWS = out;
  return out;
}

/** The first secret found in `text` (any recognisable chunk of 8 characters or more), after removing whitespace and escapes, also URL-decoded. */
function findLeak(text: string): string | undefined {
  const table = windows();
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // not URL-encoded text
  }
  for (const candidate of [text, decoded]) {
    const flat = candidate.replace(/\\[nr]/g, '').replace(/\s+/g, '');
    for (let at = 0; at + 8 <= flat.length; at++) {
      const found = table.get(flat.slice(at, at + 8));
      if (found) return found;
    }
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
    expect(findLeak(`x ${apiv3Key} y`)).toMatch(/^APIv3 key/);
    expect(findLeak(`x ${apiv3Key.slice(5, 13)} y`)).toMatch(/^APIv3 key \(chunk at 5\)/);
    expect(findLeak(`x ${passphrase.slice(0, 7)} y`)).toBeUndefined();
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

/**
 * Every secret a configuration holds, in every form it is accepted in, pasted into every option
 * whose value can reach an error or the debug log. Whatever happens (refused as a bad value,
 * refused because the client never sends its own secrets, or sent and failed), no view of the
 * error and no debug line may hold it or any 8-character chunk of it.
 */
describe('every secret, placed in every option that can reach an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wechatpay-secrets-'));
  const keyPath = join(dir, 'apiclient_key.pem');
  writeFileSync(keyPath, pem);
  const PLACED: Array<[string, unknown]> = [
    ['APIv3 key', apiv3Key],
    ['APIv2 secret', apiv2Secret],
    ['PFX passphrase', passphrase],
    ['private key, PEM PKCS#8', pem],
    ['private key, PEM PKCS#1', pkcs1],
    ['private key, file:// contents', readFileSync(keyPath, 'utf8')],
    ['private key, KeyObject export', emulator.merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
    ['private key, JWK d', String(jwk.d)],
    ['private key, Buffer (PEM)', Buffer.from(pem)],
    ['private key, Buffer (DER)', emulator.merchant.privateKey.export({ type: 'pkcs8', format: 'der' })],
    ['private key, KeyObject', emulator.merchant.privateKey],
    ['private key, JWK', jwk],
  ];
  const placedLines: string[] = [];
  const outcomes = new Map<string, unknown>();
  const opened: WeChatPayClient[] = [];
  let merchant: ClientConfig['merchant'];
  let secured: WeChatPayClient;

  /** A client holding every secret: APIv2 secret, PFX + passphrase, private key, and (once given for certificates) the APIv3 key. */
  const build = (overrides: Partial<ClientConfig> = {}) => {
    const client = Builder.factory({ ...configWithSecrets({ debug: (line) => placedLines.push(line), timeout: 2_000, ...overrides }), merchant });
    installCertificatesStep(client, apiv3Key); // what downloadCertificates and CertificateManager do
    opened.push(client);
    return client;
  };
  const text = (value: unknown): value is string => typeof value === 'string';
  const OPTIONS: Array<[string, (value: unknown) => boolean, (value: unknown) => Promise<unknown>]> = [
    ['baseURL', () => true, async (v) => build({ baseURL: v as string }).chain('v3/boom').get()],
    ['hosts (base URL)', () => true, async (v) => build({ hosts: { 'https://apihk.mch.weixin.qq.com': v as string } }).chain('global/v3/boom').get()],
    ['hosts (key)', text, async (v) => build({ hosts: { [v as string]: 'not a url' } }).chain('v3/boom').get()],
    ['config headers (name)', text, async (v) => build({ headers: { [v as string]: 'x' } }).chain('v3/boom').get()],
    ['config headers (value)', () => true, async (v) => build({ headers: { 'x-pasted': v as string } }).chain('v3/boom').get()],
    ['request headers (name)', text, (v) => secured.chain('v3/boom').get({ headers: { [v as string]: 'x' } })],
    ['request headers (value)', () => true, (v) => secured.chain('v3/boom').get({ headers: { 'x-pasted': v as string } })],
    ['path variable', () => true, (v) => secured.chain('v3/boom/{id}').get({ id: v })],
    ['literal path segment', text, (v) => secured.chain(`v3/boom/${v as string}`).get()],
    ['query (value)', () => true, (v) => secured.chain('v3/boom').get({ query: { q: v as string } })],
    ['query (key)', text, (v) => secured.chain('v3/boom').get({ query: { [v as string]: '1' } })],
  ];

  beforeAll(async () => {
    const certificate = await createCertificate({ commonName: emulator.merchant.mchid, usage: 'client' });
    writeFileSync(join(dir, 'cert.pem'), certificate.certificatePem);
    writeFileSync(join(dir, 'key.pem'), certificate.privateKeyPem);
    execFileSync('openssl', ['pkcs12', '-export', '-in', join(dir, 'cert.pem'), '-inkey', join(dir, 'key.pem'), '-out', join(dir, 'cert.p12'), '-passout', `pass:${passphrase}`]);
    merchant = { pfx: readFileSync(join(dir, 'cert.p12')), passphrase };
    secured = build();
    await secured.chain('v3/hello').get(); // the debug log works: it has lines to search
    for (const [option, applies, run] of OPTIONS) {
      for (const [secret, value] of PLACED) {
        if (!applies(value)) continue;
        const label = `${secret} in ${option}`;
        try {
          await run(value);
          outcomes.set(label, 'no error');
        } catch (error) {
          outcomes.set(label, error);
        }
      }
    }
    // a wrong passphrase, and the key given as a file:// URL, are refused without echo too
    for (const [label, config] of [
      ['wrong passphrase', { merchant: { pfx: readFileSync(join(dir, 'cert.p12')), passphrase: `${passphrase}x` } }],
      ['truncated key file', { privateKey: pathToFileURL(join(dir, 'truncated.pem')).href }],
    ] as const) {
      if (label === 'truncated key file') writeFileSync(join(dir, 'truncated.pem'), pem.slice(0, 900));
      try {
        Builder.factory({ ...configWithSecrets(), ...config } as ClientConfig);
        outcomes.set(label, 'no error');
      } catch (error) {
        outcomes.set(label, error);
      }
    }
  }, 60_000);

  afterAll(async () => {
    for (const client of opened) await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every placement ends in an error (none is quietly accepted)', () => {
    expect(outcomes.size).toBe(6 * 12 + 5 * 8 + 2); // options taking any value × 12 forms, name-like options × 8 texts, 2 key-loading cases
    const quiet = [...outcomes].filter(([, outcome]) => !(outcome instanceof Error)).map(([label]) => label);
    expect(quiet).toEqual([]);
  });

  it('no message, stack, toJSON or util.inspect of those errors holds a secret or a chunk of one', () => {
    for (const [label, error] of outcomes) expectNoLeak(label, error);
  });

  it('no debug line holds one', () => {
    expect(placedLines.length).toBeGreaterThan(0);
    for (const line of placedLines) expect(findLeak(line), line).toBeUndefined();
  });

  it('a secret in a valid place to send is refused before signing, naming its kind and where it was', () => {
    const refusal = (label: string) => outcomes.get(label) as Error;
    expect(refusal('APIv2 secret in path variable')).toMatchObject({ name: 'ArgumentError', field: 'path', message: expect.stringMatching(/^path: holds the APIv2 secret; the client never sends its own secrets/) });
    expect(refusal('APIv3 key in query (value)')).toMatchObject({ name: 'ArgumentError', field: 'query', message: expect.stringMatching(/holds the APIv3 key/) });
    expect(refusal('PFX passphrase in request headers (value)')).toMatchObject({ name: 'ArgumentError', field: 'headers', message: expect.stringMatching(/holds the merchant certificate passphrase/) });
    expect(refusal('private key, JWK d in request headers (name)')).toMatchObject({ name: 'ArgumentError', message: expect.stringMatching(/holds the merchant private key/) });
    expect(refusal('private key, PEM PKCS#1 in path variable')).toMatchObject({ name: 'ArgumentError', message: expect.stringMatching(/holds a PEM private key/) });
    expect(refusal('private key, KeyObject in query (value)')).toMatchObject({ name: 'ArgumentError', message: expect.stringMatching(/got a private KeyObject/) });
  });

  it('the client never sent one of its own secrets: none reached the server', () => {
    for (const request of emulator.requests) {
      const { authorization: _signed, ...headers } = request.headers as Record<string, string>;
      const seen = `${request.path} ${JSON.stringify(headers)}`;
      expect(findLeak(seen), seen.slice(0, 200)).toBeUndefined();
    }
  });
});

