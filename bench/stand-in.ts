/**
 * The WeChat Pay stand-in of the bench, in its own process (forked with IPC by bench/run.ts).
 *
 * Answers every request with the same signed JSON body. The signature is cached and renewed every
 * 60 s (well inside the ±300 s window). One request in 64 has its `Authorization` checked like the
 * real service would; a bad one is counted and reported, so a client that skips or breaks signing
 * cannot look fast (only the transport floor, marked `x-bench-unsigned`, is let through unsigned).
 *
 * Two servers: `net` (default) reads HTTP/1.1 requests off the socket and writes one prebuilt
 * answer, about 4× less CPU per request than `http` (node:http). On a 2-core machine the stand-in
 * shares the cores with the client under test, so what it spends is taken from the client (the
 * real service runs elsewhere); `--stand-in=http` keeps the node:http server for comparison.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { nonce } from '../lib/formatter.js';
import { RESPONSE_BODY } from './lib/workload.js';

export interface StandInSetup {
  /** `net` (default): prebuilt answers on raw sockets; `http`: node:http. */
  server?: 'net' | 'http';
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

function badAuthorization(req: Pick<IncomingMessage, 'method' | 'url'> & { authorization: string | undefined }, body: string, setup: StandInSetup, merchantKey: KeyObject): string | undefined {
  const match = AUTH.exec(req.authorization ?? '');
  if (!match) return 'no WECHATPAY2-SHA256-RSA2048 Authorization';
  const fields: Record<string, string> = {};
  for (const [, key, value] of (match[1] as string).matchAll(PAIR)) fields[key as string] = value as string;
  if (fields.mchid !== setup.mchid || fields.serial_no !== setup.serial) return 'wrong mchid or serial_no';
  if (!fields.nonce_str || !fields.timestamp || !fields.signature) return 'missing nonce_str, timestamp or signature';
  if (Math.abs(Date.now() / 1000 - Number(fields.timestamp)) > 300) return 'stale timestamp';
  const message = `${req.method}\n${req.url}\n${fields.timestamp}\n${fields.nonce_str}\n${body}\n`;
  return verify('sha256', Buffer.from(message), merchantKey, Buffer.from(fields.signature, 'base64')) ? undefined : 'signature does not verify';
}

const UNAUTHORIZED_BODY = '{"code":"SIGN_ERROR","message":"签名错误"}';

/** A request as the net server reads it: only what the answer and the sampled check need. */
interface RawRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  unsigned: boolean;
  body: string;
}

/**
 * A minimal HTTP/1.1 server for the bench: requests with a Content-Length body (what every client
 * here sends), keep-alive and pipelining; anything else gets a 400 and counts as bad. `answer`
 * gets a function that parses the request (for the one in 64 it checks), or undefined for a
 * request it cannot read.
 */
function netServer(answer: (read: (() => RawRequest) | undefined) => Buffer): Server {
  const headerEnd = Buffer.from('\r\n\r\n');
  return createNetServer({ noDelay: true }, (socket: Socket) => {
    let pending: Buffer | undefined;
    socket.on('data', (chunk: Buffer) => {
      let data = pending ? Buffer.concat([pending, chunk]) : chunk;
      pending = undefined;
      const out: Buffer[] = [];
      for (;;) {
        const end = data.indexOf(headerEnd);
        if (end === -1) break;
        const head = data.toString('latin1', 0, end);
        if (/\r\ntransfer-encoding:/i.test(head)) {
          out.push(answer(undefined));
          socket.end(Buffer.concat(out));
          return;
        }
        const length = /\r\ncontent-length: *(\d+)/i.exec(head);
        const size = length ? Number(length[1]) : 0;
        if (data.length < end + 4 + size) break;
        const request = data;
        out.push(
          answer(() => {
            const line = head.slice(0, head.indexOf('\r\n')).split(' ');
            return {
              method: line[0] ?? '',
              url: line[1] ?? '',
              authorization: /\r\nauthorization: *([^\r]*)/i.exec(head)?.[1],
              unsigned: /\r\nx-bench-unsigned:/i.test(head),
              body: request.toString('utf8', end + 4, end + 4 + size),
            };
          }),
        );
        data = data.subarray(end + 4 + size);
        if (data.length === 0) break;
      }
      if (data.length > 0) pending = Buffer.from(data);
      if (out.length === 1) socket.write(out[0] as Buffer);
      else if (out.length > 1) socket.write(Buffer.concat(out));
    });
    socket.on('error', () => socket.destroy());
  });
}

function start(setup: StandInSetup): void {
  const merchantKey = createPublicKey(setup.merchantPublicKeyPem);
  const platformKey = createPrivateKey(setup.platformPrivateKeyPem);
  const body = Buffer.from(RESPONSE_BODY);
  let headers: Record<string, string> = {};
  let wire = Buffer.alloc(0);
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
      // the same answer as node:http writes it (Date is as old as the signature, like a cached answer)
      const lines = Object.entries({ ...headers, date: new Date(now).toUTCString(), connection: 'keep-alive', 'keep-alive': 'timeout=30' }).map(([k, v]) => `${k}: ${v}\r\n`);
      wire = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${lines.join('')}\r\n`), body]);
      signedAt = now;
    }
    return headers;
  };
  const unauthorized = Buffer.from(`HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(UNAUTHORIZED_BODY)}\r\n\r\n${UNAUTHORIZED_BODY}`);
  const badRequest = Buffer.from('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  const stats: StandInStats = { requests: 0, checked: 0, bad: 0, cpuMs: 0 };
  const cpu0 = process.cpuUsage();

  /** Counts a request and, for one in 64, checks its signature; returns what went wrong, if anything. */
  const problemOf = (req: RawRequest | undefined): string | undefined => {
    if (req === undefined) return 'chunked request bodies are not expected';
    // the transport floor sends no signature and says so
    if (req.unsigned) return undefined;
    stats.checked += 1;
    return badAuthorization(req, req.body, setup, merchantKey);
  };
  const sampled = () => {
    stats.requests += 1;
    return stats.requests % SAMPLE_EVERY === 1;
  };
  const count = (req: RawRequest | undefined, problem: string) => {
    stats.bad += 1;
    stats.firstBad ??= `${req?.method ?? '?'} ${req?.url ?? '?'}: ${problem}`;
  };

  let server: Server | ReturnType<typeof createServer>;
  if (setup.server === 'http') {
    const http = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, unsigned: req.headers['x-bench-unsigned'] !== undefined, body: Buffer.concat(chunks).toString('utf8') };
        const problem = sampled() ? problemOf(raw) : undefined;
        if (problem) {
          count(raw, problem);
          res.writeHead(401, { 'content-type': 'application/json' }).end(UNAUTHORIZED_BODY);
          return;
        }
        res.writeHead(200, signedHeaders()).end(body);
      });
    });
    http.keepAliveTimeout = 30_000;
    server = http;
  } else {
    server = netServer((read) => {
      // only the sampled request is parsed beyond its length
      const isSampled = sampled();
      const req = read === undefined ? undefined : isSampled ? read() : null;
      const problem = req === null ? undefined : problemOf(req);
      if (problem) {
        count(req ?? undefined, problem);
        return req === undefined ? badRequest : unauthorized;
      }
      signedHeaders();
      return wire;
    });
  }
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on('message', (message: { stop?: boolean; stats?: boolean }) => {
    const cpu = process.cpuUsage(cpu0);
    stats.cpuMs = (cpu.user + cpu.system) / 1000;
    if (message.stats) process.send?.({ stats });
    if (message.stop) {
      for (const socket of sockets) socket.destroy();
      server.close(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
}

process.once('message', (setup: StandInSetup) => start(setup));
