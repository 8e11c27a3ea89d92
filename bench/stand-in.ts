/**
 * The WeChat Pay stand-in of the bench, in its own process (forked with IPC by bench/run.ts).
 *
 * Answers every request with the same signed JSON body. The signature is cached and renewed every
 * 60 s (well inside the ±300 s window), so the stand-in costs little CPU and is not what the bench
 * measures. One request in 64 has its `Authorization` checked like the real service would; a bad
 * one is counted and reported, so a client that skips or breaks signing cannot look fast (only the
 * transport floor, marked `x-bench-unsigned`, is let through unsigned).
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nonce } from '../lib/formatter.js';
import { RESPONSE_BODY } from './lib/workload.js';

export interface StandInSetup {
  mchid: string;
  serial: string;
  merchantPublicKeyPem: string;
  platformSerial: string;
  platformPrivateKeyPem: string;
}

export interface StandInStats {
  requests: number;
  checked: number;
  bad: number;
  firstBad?: string;
  cpuMs: number;
}

const SAMPLE_EVERY = 64;
const AUTH = /^WECHATPAY2-SHA256-RSA2048 (.+)$/;
const PAIR = /(\w+)="([^"]*)"/g;

function badAuthorization(req: IncomingMessage, body: string, setup: StandInSetup, merchantKey: KeyObject): string | undefined {
  const match = AUTH.exec(req.headers.authorization ?? '');
  if (!match) return 'no WECHATPAY2-SHA256-RSA2048 Authorization';
  const fields: Record<string, string> = {};
  for (const [, key, value] of (match[1] as string).matchAll(PAIR)) fields[key as string] = value as string;
  if (fields.mchid !== setup.mchid || fields.serial_no !== setup.serial) return 'wrong mchid or serial_no';
  if (!fields.nonce_str || !fields.timestamp || !fields.signature) return 'missing nonce_str, timestamp or signature';
  if (Math.abs(Date.now() / 1000 - Number(fields.timestamp)) > 300) return 'stale timestamp';
  const message = `${req.method}\n${req.url}\n${fields.timestamp}\n${fields.nonce_str}\n${body}\n`;
  return verify('sha256', Buffer.from(message), merchantKey, Buffer.from(fields.signature, 'base64')) ? undefined : 'signature does not verify';
}

function start(setup: StandInSetup): void {
  const merchantKey = createPublicKey(setup.merchantPublicKeyPem);
  const platformKey = createPrivateKey(setup.platformPrivateKeyPem);
  const body = Buffer.from(RESPONSE_BODY);
  let headers: Record<string, string> = {};
  let signedAt = 0;
  const signedHeaders = () => {
    const now = Date.now();
    if (now - signedAt > 60_000) {
      const ts = String(Math.floor(now / 1000));
      const nonceStr = nonce();
      const message = Buffer.concat([Buffer.from(`${ts}\n${nonceStr}\n`), body, Buffer.from('\n')]);
      headers = {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(body.length),
        'wechatpay-timestamp': ts,
        'wechatpay-nonce': nonceStr,
        'wechatpay-serial': setup.platformSerial,
        'wechatpay-signature': sign('sha256', message, platformKey).toString('base64'),
      };
      signedAt = now;
    }
    return headers;
  };
  const stats: StandInStats = { requests: 0, checked: 0, bad: 0, cpuMs: 0 };
  const cpu0 = process.cpuUsage();

  const server = createServer((req, res) => {
    stats.requests += 1;
    // the transport floor sends no signature and says so
    const sampled = stats.requests % SAMPLE_EVERY === 1 && req.headers['x-bench-unsigned'] === undefined;
    const chunks: Buffer[] = [];
    if (sampled) req.on('data', (chunk: Buffer) => chunks.push(chunk));
    else req.resume();
    req.on('end', () => {
      if (sampled) {
        stats.checked += 1;
        const problem = badAuthorization(req, Buffer.concat(chunks).toString('utf8'), setup, merchantKey);
        if (problem) {
          stats.bad += 1;
          stats.firstBad ??= `${req.method} ${req.url}: ${problem}`;
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":"SIGN_ERROR","message":"签名错误"}');
          return;
        }
      }
      res.writeHead(200, signedHeaders()).end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on('message', (message: { stop?: boolean; stats?: boolean }) => {
    const cpu = process.cpuUsage(cpu0);
    stats.cpuMs = (cpu.user + cpu.system) / 1000;
    if (message.stats) process.send?.({ stats });
    if (message.stop) {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

process.once('message', (setup: StandInSetup) => start(setup));
