/**
 * Bench section (issue 17): the sandbox's throughput. wechatpay-chain sends signed requests to
 * `Emulator.create({ sandbox: true })` at concurrency 64 — half place native orders, half query
 * one — and verifies every answer; in process (the emulator's undici dispatcher, no socket) and
 * over loopback. Each round uses a fresh emulator; the report gives medians over the rounds.
 * CPU is the process's (main thread and thread pool: both sides sign RSA-2048 there).
 * For scale, the same loop doing only the cryptography of a request (the client's and the
 * sandbox's RSA-2048 signatures on the thread pool, both verifications): what the machine allows
 * at best right now. Goal: ≥ 1,000 signed requests/s in process.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Builder, type WeChatPayClient } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';
import { drive } from '../lib/drive.js';
import { median } from '../lib/stats.js';

const CONCURRENCY = 64;

interface Round {
  rps: number;
  p50: number;
  p99: number;
  cpuMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const MESSAGE = Buffer.from(`POST\n/v3/pay/transactions/native\n1700000000\n${'n'.repeat(32)}\n${JSON.stringify({ appid: 'wxd678efh567hg6787', mchid: '1900000109', description: 'bench', out_trade_no: 'B1', amount: { total: 1 } })}\n`);
const signOnPool = () => new Promise<Buffer>((resolve, reject) => sign('sha256', MESSAGE, keys.privateKey, (error, signature) => (error ? reject(error) : resolve(signature))));

/** One request's cryptography alone: two signatures on the thread pool, two verifications. */
async function cryptoOnly(): Promise<void> {
  for (let i = 0; i < 2; i++) if (!verify('sha256', MESSAGE, keys.publicKey, await signOnPool())) throw new Error('crypto floor: bad signature');
}

/** Runs `call` in the closed loop for `durationMs`: rate, latency and the process's CPU per call. */
async function measure(call: () => Promise<unknown>, durationMs: number): Promise<Round> {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = started + durationMs;
  const done = await drive(call, CONCURRENCY, () => performance.now() < end, (ms) => latencies.push(ms));
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return { rps: (done * 1000) / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuMs: (used.user + used.system) / 1000 / done };
}

async function round(mode: 'in process' | 'loopback', durationMs: number): Promise<Round> {
  const emulator = Emulator.create({ sandbox: true });
  let close = async () => {};
  let client: WeChatPayClient;
  if (mode === 'loopback') {
    const server = await emulator.listen();
    close = server.close;
    client = Builder.factory(emulator.clientConfig({ baseURL: server.baseURL }));
  } else {
    client = Builder.factory(emulator.clientConfig());
  }
  const mchid = emulator.merchant.mchid;
  let sequence = 0;
  const call = async () => {
    sequence += 1;
    if (sequence % 2 === 1) {
      const res = await client.v3.pay.transactions.native.post({ json: { appid: 'wxd678efh567hg6787', mchid, description: 'bench', out_trade_no: `B${sequence}`, notify_url: 'https://example.com/notify', amount: { total: 1 } } });
      if (!(res.data as { code_url?: string }).code_url) throw new Error('sandbox: no code_url');
    } else {
      const res = await client.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: 'B1', query: { mchid } });
      if ((res.data as { trade_state?: string }).trade_state !== 'NOTPAY') throw new Error('sandbox: unexpected trade_state');
    }
  };
  try {
    await call(); // B1 exists before anyone queries it
    const warm = performance.now() + Math.min(700, durationMs / 3);
    await drive(call, CONCURRENCY, () => performance.now() < warm);
    return await measure(call, durationMs);
  } finally {
    await client.close();
    await close();
    await emulator.close();
  }
}

export default async (options: { quick?: boolean } = {}) => {
  const rounds = options.quick ? 1 : 3;
  const durationMs = options.quick ? 1000 : 3000;
  const rows = [];
  const FLOOR = 'crypto only (2 signs + 2 verifies)';
  const results: Record<string, Round[]> = { 'in process': [], loopback: [], [FLOOR]: [] };
  for (let i = 0; i < rounds; i++) {
    for (const mode of ['in process', 'loopback'] as const) results[mode]?.push(await round(mode, durationMs));
    results[FLOOR]?.push(await measure(cryptoOnly, durationMs));
  }
  for (const [mode, list] of Object.entries(results)) {
    rows.push({
      transport: mode,
      concurrency: CONCURRENCY,
      'req/s': Math.round(median(list.map((r) => r.rps))),
      'p50 ms': Number(median(list.map((r) => r.p50)).toFixed(1)),
      'p99 ms': Number(median(list.map((r) => r.p99)).toFixed(1)),
      'CPU ms/req': Number(median(list.map((r) => r.cpuMs)).toFixed(3)),
      rounds: list.map((r) => Math.round(r.rps)).join(' / '),
    });
  }
  const inProcess = rows[0]?.['req/s'] ?? Number.NaN;
  const floor = rows[2]?.['req/s'] ?? Number.NaN;
  return {
    title: `Sandbox: signed + verified requests (place / query native orders) at concurrency ${CONCURRENCY}, median of ${rounds} round${rounds === 1 ? '' : 's'}`,
    rows,
    goals: [
      {
        name: 'sandbox signed requests in process',
        value: `${inProcess}/s (${Math.round((inProcess / floor) * 100)}% of the crypto-only rate, ${floor}/s)`,
        target: '>= 1000/s',
        pass: inProcess >= 1000,
      },
    ],
  };
};
