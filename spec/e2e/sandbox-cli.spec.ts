/**
 * `wxpay sandbox` as its own process: the lifecycle driven with the library pointed at the printed
 * URL and the written config.json (order, payment, a notification refused with 500 then retried,
 * refund), `wxpay --config` against it, then SIGTERM / SIGINT and a clean exit.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aes, Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin';
import { Builder, type ClientConfig, type WeChatPayClient } from '../../lib/index.js';
import { parseNotification } from '../../lib/webhook/index.js';
import { DEFAULT_ORIGIN, KNOWN_ORIGINS } from '../../lib/routing/hosts.js';
import { checkNotification } from '../support/independent-notification.js';
import { webhook, type Webhook } from '../support/webhook.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entry = join(root, 'lib/cli/index.ts');
const env = { PATH: process.env.PATH ?? '' };

interface Running {
  child: ChildProcess;
  baseURL: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `wxpay sandbox …` and resolves once it printed its URL (bounded). */
function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, 'sandbox', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`wxpay sandbox printed no URL within 40 s; stderr: ${err}`));
    }, 40_000);
    const check = () => {
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve({ child, baseURL: match[1] as string, stdout: () => out, stderr: () => err, exited });
    };
    child.stdout?.on('data', check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`wxpay sandbox exited (${code}) before listening; stderr: ${err}`));
    });
  });
}

function wxpay(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: root, env, timeout: 45_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** Whether something accepts TCP connections at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('wxpay sandbox (a child process)', { timeout: 90_000 }, () => {
  let dir = '';
  let sandbox: Running;
  let hook: Webhook;
  let client: WeChatPayClient;
  let config: ClientConfig & { apiv3Key: string; secret: string };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wxpay-sandbox-'));
    hook = await webhook((arrival) => (arrival === 1 ? 500 : 204));
    sandbox = await start(['--port', '0', '--dir', join(dir, 'sandbox'), '--time-scale', '0.001', '--mchid', '1230000109']);
    config = JSON.parse(await readFile(join(dir, 'sandbox', 'config.json'), 'utf8')) as typeof config;
    client = Builder.factory(config);
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    sandbox?.child.kill('SIGKILL');
    await hook?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes config.json (Builder.factory / wxpay --config options, keys as file:// URLs, apiv3Key) and the PEM files, private ones 0600', async () => {
    const { port } = new URL(sandbox.baseURL);
    expect(config).toEqual({
      mchid: '1230000109',
      serial: expect.stringMatching(/^[0-9A-F]{40}$/),
      privateKey: `file://${join(dir, 'sandbox', 'apiclient_key.pem')}`,
      certs: { [Object.keys(config.certs ?? {})[0] as string]: `file://${join(dir, 'sandbox', 'pub_key.pem')}` },
      baseURL: `http://127.0.0.1:${port}/`,
      hosts: expect.any(Object),
      apiv3Key: expect.stringMatching(/^\w{32}$/),
      secret: expect.stringMatching(/^\w{32}$/),
    });
    expect(Object.keys(config.certs ?? {})[0]).toMatch(/^PUB_KEY_ID_/);
    // every other WeChat Pay origin goes to the sandbox too: this config never reaches the service
    expect(Object.keys(config.hosts ?? {})).toEqual(expect.arrayContaining(KNOWN_ORIGINS.filter((origin) => origin !== DEFAULT_ORIGIN)));
    expect(new Set(Object.values(config.hosts ?? {}))).toEqual(new Set([sandbox.baseURL]));
    expect(await readFile(join(dir, 'sandbox', 'apiclient_key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(await readFile(join(dir, 'sandbox', 'pub_key.pem'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    for (const file of ['apiclient_key.pem', 'config.json']) expect((await stat(join(dir, 'sandbox', file))).mode & 0o077).toBe(0);
  });

  it('runs the lifecycle: order, payment from any language, the notification retried after a 500, refund', async () => {
    const mchid = config.mchid;
    const placed = await client.v3.pay.transactions.native.post({ json: { appid: 'wxd678efh567hg6787', mchid, description: 'CLI', out_trade_no: 'CLI1', notify_url: hook.url(), amount: { total: 100 } } });
    expect(placed.data).toEqual({ code_url: expect.stringMatching(/^weixin:\/\//) });

    // the control endpoint, unsigned, as curl or any language would call it
    const paid = await fetch(new URL('_sandbox/pay', sandbox.baseURL), { method: 'POST', body: JSON.stringify({ out_trade_no: 'CLI1' }) });
    expect(paid.status).toBe(200);
    const second = await hook.next((r) => r.arrival === 2);
    const publicKey = await readFile(join(dir, 'sandbox', 'pub_key.pem'), 'utf8');
    const resource = JSON.parse(checkNotification(second.headers, second.body, publicKey, config.apiv3Key).plaintext) as Record<string, unknown>;
    expect(resource).toMatchObject({ mchid, out_trade_no: 'CLI1', trade_state: 'SUCCESS' });
    const parsed = parseNotification({ headers: second.headers, body: second.body }, { certs: config.certs ?? {}, apiv3Key: config.apiv3Key });
    expect(parsed.resource).toEqual(resource);

    await client.v3.refund.domestic.refunds.post({ json: { out_trade_no: 'CLI1', out_refund_no: 'CLIR1', amount: { refund: 100, total: 100, currency: 'CNY' } } });
    const refunded = await hook.next((r) => r.arrival === 2 && (JSON.parse(r.body) as { event_type: string }).event_type === 'REFUND.SUCCESS');
    expect(JSON.parse(checkNotification(refunded.headers, refunded.body, publicKey, config.apiv3Key).plaintext)).toMatchObject({ out_refund_no: 'CLIR1', refund_status: 'SUCCESS' });

    const deliveries = (await (await fetch(new URL('_sandbox/deliveries?out_trade_no=CLI1', sandbox.baseURL))).json()) as Array<{ event_type: string; attempt: number; status: number }>;
    expect(deliveries.map((d) => [d.event_type, d.attempt, d.status])).toEqual([
      ['TRANSACTION.SUCCESS', 1, 500],
      ['TRANSACTION.SUCCESS', 2, 204],
      ['REFUND.SUCCESS', 1, 500],
      ['REFUND.SUCCESS', 2, 204],
    ]);
    // the deliveries are logged on stderr
    expect(sandbox.stderr()).toMatch(/notify TRANSACTION\.SUCCESS CLI1 → http:\/\/127\.0\.0\.1:\d+\/notify: 500 \(attempt 1\)/);
  });

  it("serves wechatpay-axios-plugin configured as docs/guides/sandbox.md shows (its own signing, verification and decryption)", async () => {
    const sandboxConfig = JSON.parse(await readFile(join(dir, 'sandbox', 'config.json'), 'utf8')) as { mchid: string; serial: string; privateKey: string; certs: Record<string, string>; baseURL: string; apiv3Key: string };
    const publicKeys = Object.fromEntries(Object.entries(sandboxConfig.certs).map(([id, url]) => [id, Rsa.from(url, Rsa.KEY_TYPE_PUBLIC)]));
    const wxpay = new Wechatpay({
      mchid: sandboxConfig.mchid,
      serial: sandboxConfig.serial,
      privateKey: sandboxConfig.privateKey, // a file:// URL, as its README shows
      certs: publicKeys,
      baseURL: sandboxConfig.baseURL,
    });
    const { data } = await wxpay.v3.pay.transactions.native.post({
      appid: 'wxd678efh567hg6787',
      mchid: sandboxConfig.mchid,
      description: 'Image形象店-深圳腾大-QQ公仔',
      out_trade_no: 'AXIOS1',
      notify_url: hook.url('/axios'),
      amount: { total: 888, currency: 'CNY' },
    });
    expect(data).toEqual({ code_url: expect.stringMatching(/^weixin:\/\//) });
    await fetch(new URL('_sandbox/pay', sandbox.baseURL), { method: 'POST', body: '{"out_trade_no":"AXIOS1"}' });
    const received = await hook.next((r) => r.path === '/axios' && r.arrival === 2);
    const headers = received.headers as Record<string, string>;
    expect(Rsa.verify(Formatter.response(headers['wechatpay-timestamp'], headers['wechatpay-nonce'], received.body), headers['wechatpay-signature'], publicKeys[headers['wechatpay-serial'] as string] as never)).toBe(true);
    const { resource } = JSON.parse(received.body) as { resource: { ciphertext: string; nonce: string; associated_data: string } };
    expect(JSON.parse(Aes.AesGcm.decrypt(resource.ciphertext, sandboxConfig.apiv3Key, resource.nonce, resource.associated_data))).toMatchObject({ out_trade_no: 'AXIOS1', trade_state: 'SUCCESS' });
    // a business error reaches it as the service's answer
    const refused = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({ params: { mchid: sandboxConfig.mchid }, out_trade_no: 'NOPE' }).catch((error: { response: { status: number; data: unknown } }) => error.response);
    expect([refused.status, refused.data]).toEqual([404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' }]);
  });

  it('is reachable with wxpay --config, the written config as is', async () => {
    const result = await wxpay(['--config', join(dir, 'sandbox', 'config.json'), 'v3/pay/transactions/out-trade-no/{out_trade_no}', '--out_trade_no=CLI1', '--query', JSON.stringify({ mchid: config.mchid })]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ out_trade_no: 'CLI1', trade_state: 'REFUND' });
  });

  it('listens on 127.0.0.1 only and never prints a key', async () => {
    const port = Number(new URL(sandbox.baseURL).port);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    // another loopback address of the same host: a server bound to 0.0.0.0 would accept here
    expect(await accepts('127.0.0.2', port)).toBe(false);
    const printed = sandbox.stdout() + sandbox.stderr();
    const privateKey = await readFile(join(dir, 'sandbox', 'apiclient_key.pem'), 'utf8');
    for (const secret of [config.apiv3Key, config.secret, privateKey.split('\n')[1] as string]) expect(printed).not.toContain(secret);
    expect(sandbox.stdout()).toBe(`listening on ${sandbox.baseURL}\n`);
  });

  it('stops cleanly on SIGTERM (exit 0, port closed), and on SIGINT', async () => {
    const port = Number(new URL(sandbox.baseURL).port);
    sandbox.child.kill('SIGTERM');
    expect(await sandbox.exited).toEqual({ code: 0, signal: null });
    expect(sandbox.stderr()).toMatch(/wxpay sandbox: stopped\n$/);
    expect(await accepts('127.0.0.1', port)).toBe(false);

    const other = await start(['--dir', join(dir, 'other')]);
    other.child.kill('SIGINT');
    expect(await other.exited).toEqual({ code: 0, signal: null });
  });

  it('refuses bad flags with exit 2 before starting', async () => {
    const results = await Promise.all([
      wxpay(['sandbox', '--port', '70000', '--dir', join(dir, 'bad')]),
      wxpay(['sandbox', '--time-scale', '0', '--dir', join(dir, 'bad')]),
      wxpay(['sandbox', '--mchid', 'abc', '--dir', join(dir, 'bad')]),
    ]);
    expect(results.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(results[0]?.stderr).toMatch(/^wxpay: --port: "70000" is not a port/);
    expect(results[1]?.stderr).toMatch(/^wxpay: --time-scale: "0" is not a positive number/);
    expect(results[2]?.stderr).toMatch(/^wxpay: --mchid: "abc" is not a merchant id/);
    const help = await wxpay(['sandbox', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: wxpay sandbox \[options\]/);
    expect(help.stdout).toMatch(/--time-scale <x>/);
  });
});
