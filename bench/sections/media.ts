/**
 * Bench section "media": a 1 GiB bill download through downloadBill (signed GETs, SHA1 checked
 * while streaming) against a bare undici GET of the same bytes, and a 100 MiB video upload.
 *
 * The loopback server runs in a SEPARATE PROCESS (this file forked with --media-bench-server), so
 * the client's event loop and memory are measured alone. Resident memory is sampled every 20 ms;
 * "growth" is the peak during a run minus the RSS just before it.
 *
 * Standalone: `npx tsx bench/sections/media.ts` (set MEDIA_BENCH_MIB to change the 1024 MiB size).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { request } from 'undici';
import { Builder, type WeChatPayClient } from '../../lib/index.js';
import { downloadBill } from '../../lib/download/index.js';
import { MediaUtil } from '../../lib/media/index.js';
import { Emulator } from '../../lib/testing/index.js';

const MiB = 1024 * 1024;
const SERVER_FLAG = '--media-bench-server';

interface ServerSetup {
  size: number;
  platformKeyPem: string;
  platformSerial: string;
}

/** The server process: serves the bill answer (signed), the file (unsigned) and eats uploads. */
async function serve(setup: ServerSetup): Promise<number> {
  const { createPrivateKey, sign } = await import('node:crypto');
  const key = createPrivateKey(setup.platformKeyPem);
  const pattern = Buffer.alloc(MiB);
  for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 31 + 7) & 0xff;
  const hash = createHash('sha1');
  for (let sent = 0; sent < setup.size; sent += MiB) hash.update(sent + MiB <= setup.size ? pattern : pattern.subarray(0, setup.size - sent));
  const sha1 = hash.digest('hex');
  const signed = (body: string): Record<string, string> => {
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = createHash('md5').update(String(Math.random())).digest('hex');
    return {
      'content-type': 'application/json',
      'wechatpay-timestamp': ts,
      'wechatpay-nonce': nonce,
      'wechatpay-serial': setup.platformSerial,
      'wechatpay-signature': sign('sha256', Buffer.from(`${ts}\n${nonce}\n${body}\n`), key).toString('base64'),
    };
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/v3/bill/tradebill') {
      const body = JSON.stringify({ hash_type: 'SHA1', hash_value: sha1, download_url: 'https://api.mch.weixin.qq.com/v3/billdownload/file?token=bench' });
      res.writeHead(200, signed(body));
      res.end(body);
    } else if (path === '/v3/billdownload/file') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(setup.size) });
      let sent = 0;
      const pump = () => {
        while (sent < setup.size) {
          const chunk = sent + MiB <= setup.size ? pattern : pattern.subarray(0, setup.size - sent);
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    } else if (path === '/v3/merchant/media/video_upload') {
      let received = 0;
      req.on('data', (chunk: Buffer) => (received += chunk.length));
      req.on('end', () => {
        const body = JSON.stringify({ media_id: `bytes-${received}` });
        res.writeHead(200, signed(body));
        res.end(body);
      });
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function startServer(setup: ServerSetup): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(import.meta.url), [SERVER_FLAG], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    child.once('message', (message) => resolve({ child, port: (message as { port: number }).port }));
    child.send(setup);
  });
}

interface Measured {
  seconds: number;
  growth: number;
  /** CPU seconds of this process (all threads) and of the server process during the run. */
  clientCpu: number;
  serverCpu: number;
}

/** CPU seconds the server process has used so far (asked over IPC). */
function serverCpuOf(child: ChildProcess): () => Promise<number> {
  return () =>
    new Promise((resolve) => {
      child.once('message', (message) => resolve((message as { cpu: number }).cpu));
      child.send('cpu');
    });
}

const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;

/** Runs `work` while sampling RSS; returns seconds, peak growth in bytes and the CPU both processes used. */
async function measure(work: () => Promise<unknown>, serverCpu: () => Promise<number>): Promise<Measured> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  const server0 = await serverCpu();
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const clientCpu = cpuSeconds(process.cpuUsage(cpu0));
  peak = Math.max(peak, process.memoryUsage.rss());
  return { seconds, growth: peak - before, clientCpu, serverCpu: (await serverCpu()) - server0 };
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

const fmt = (n: number, digits = 1) => Number(n.toFixed(digits));

/**
 * The bench section.
 * @example
 * ```ts
 * const { rows, goals } = await (await import('./bench/sections/media.ts')).default();
 * ```
 */
export default async function media(): Promise<{
  title: string;
  rows: Array<Record<string, string | number>>;
  goals: Array<{ name: string; value: string; target: string; pass: boolean }>;
}> {
  const size = Number(process.env.MEDIA_BENCH_MIB ?? 1024) * MiB;
  const emulator = Emulator.create();
  const { child, port } = await startServer({ size, platformKeyPem: emulator.platform.privateKeyPem, platformSerial: emulator.platform.serial });
  const origin = `http://127.0.0.1:${port}`;
  const client: WeChatPayClient = Builder.factory(emulator.clientConfig({ baseURL: `${origin}/`, timeout: 600_000 }));
  const dir = await mkdtemp(join(tmpdir(), 'media-bench-'));
  const rows: Array<Record<string, string | number>> = [];
  const best = new Map<string, Measured>();
  const record = (name: string, result: Measured) => {
    const previous = best.get(name);
    // the fastest run (with its CPU figures), and the largest memory growth of any run
    const fastest = previous === undefined || result.seconds < previous.seconds ? result : previous;
    best.set(name, { ...fastest, growth: Math.max(previous?.growth ?? 0, result.growth) });
  };
  const serverCpu = serverCpuOf(child);

  try {
    // the upload first: measured from a baseline the 1 GiB downloads have not raised yet
    // 100 MiB video upload from a path (hashed in a first pass, streamed while sending)
    const video = join(dir, 'video.mp4');
    const uploadSize = 100 * MiB;
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(video);
      const chunk = Buffer.alloc(MiB, 0x42);
      let written = 0;
      const pump = () => {
        while (written < uploadSize) {
          written += chunk.length;
          if (!out.write(chunk)) return void out.once('drain', pump);
        }
        out.end(resolve);
      };
      out.once('error', reject);
      pump();
    });
    // warm-up with a small file so the measured run sees loaded code, not first-use allocations
    await client.v3.merchant.media.video_upload.post({ media: new MediaUtil('warm.mp4', Buffer.alloc(1024)) });
    let answer = '';
    const upload = await measure(async () => {
      const res = await client.v3.merchant.media.video_upload.post({ media: new MediaUtil(video) });
      answer = (res.data as { media_id: string }).media_id;
    }, serverCpu);
    const expectedBytes = await new MediaUtil(video).getLength();
    if (answer !== `bytes-${expectedBytes}`) throw new Error(`upload answer ${answer}, expected bytes-${expectedBytes}`);
    const row = (name: string, mib: number, m: Measured) => ({
      case: name,
      MiB: mib,
      'best s': fmt(m.seconds, 3),
      'MiB/s': fmt(mib / m.seconds),
      'peak RSS growth MiB': fmt(m.growth / MiB),
      // what the two processes used of the machine's cores in that run (2 × wall time on 2 cores)
      'client CPU s': fmt(m.clientCpu, 2),
      'server CPU s': fmt(m.serverCpu, 2),
    });
    const uploadRow = row('video_upload 100 MiB (path, hash + send)', 100, upload);

    const bare = async (sink: () => Writable) => {
      const res = await request(`${origin}/v3/billdownload/file?token=bench`);
      const out = sink();
      for await (const chunk of res.body) if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
      await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    };
    const ours = (to: string | Writable, offThreadHash?: boolean) =>
      downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, to, offThreadHash === undefined ? {} : { offThreadHash });

    // warm up connections, JIT and the page cache with a small run of each
    await bare(discard);
    await ours(discard());
    const runs = Number(process.env.MEDIA_BENCH_RUNS ?? 3);
    for (let i = 0; i < runs; i++) {
      record('bare undici GET → discard', await measure(() => bare(discard), serverCpu));
      record('downloadBill (SHA1) → discard Writable', await measure(() => ours(discard()), serverCpu));
      record('downloadBill (SHA1 on a worker thread) → discard Writable', await measure(() => ours(discard(), true), serverCpu));
      const file = join(dir, `bill-${i}.csv`);
      record('bare undici GET → file', await measure(() => bare(() => createWriteStream(join(dir, `bare-${i}.bin`))), serverCpu));
      record('downloadBill (SHA1) → file (temp + rename)', await measure(() => ours(file), serverCpu));
      record('downloadBill (SHA1 on a worker thread) → file (temp + rename)', await measure(() => ours(file, true), serverCpu));
      if ((await stat(file)).size !== size) throw new Error('downloaded file has the wrong size');
      await rm(file, { force: true });
      await rm(join(dir, `bare-${i}.bin`), { force: true });
    }
    rows.push(uploadRow);
    for (const [name, measured] of best) rows.push(row(name, size / MiB, measured));

    const tp = (name: string) => size / (best.get(name) as { seconds: number }).seconds;
    const ratioDiscard = tp('downloadBill (SHA1) → discard Writable') / tp('bare undici GET → discard');
    const ratioFile = tp('downloadBill (SHA1) → file (temp + rename)') / tp('bare undici GET → file');
    const downloadGrowth = Math.max(best.get('downloadBill (SHA1) → discard Writable')!.growth, best.get('downloadBill (SHA1) → file (temp + rename)')!.growth);
    const goals = [
      { name: 'bill download throughput vs bare undici GET (same sink: discard)', value: `${fmt(ratioDiscard * 100)}%`, target: '>= 90%', pass: ratioDiscard >= 0.9 },
      { name: 'bill download throughput vs bare undici GET (same sink: file)', value: `${fmt(ratioFile * 100)}%`, target: '>= 90%', pass: ratioFile >= 0.9 },
      { name: `bill download peak RSS growth (${size / MiB} MiB)`, value: `${fmt(downloadGrowth / MiB)} MiB`, target: '< 64 MiB', pass: downloadGrowth < 64 * MiB },
      { name: 'video upload 100 MiB peak RSS growth', value: `${fmt(upload.growth / MiB)} MiB`, target: '< 64 MiB', pass: upload.growth < 64 * MiB },
    ];
    return { title: `media: ${size / MiB} MiB bill download and 100 MiB upload (loopback server in a separate process)`, rows, goals };
  } finally {
    await client.close();
    child.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

const invoked = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invoked && process.argv.includes(SERVER_FLAG)) {
  process.once('message', (setup) => {
    void serve(setup as ServerSetup).then((port) => {
      process.send?.({ port });
      process.on('message', (message) => {
        if (message === 'cpu') process.send?.({ cpu: cpuSeconds(process.cpuUsage()) });
      });
    });
  });
  process.once('disconnect', () => process.exit(0));
} else if (invoked) {
  const { title, rows, goals } = await media();
  console.log(`\n${title}\n`);
  console.table(rows);
  console.table(goals);
  process.exitCode = goals.every((goal) => goal.pass) ? 0 : 1;
}
