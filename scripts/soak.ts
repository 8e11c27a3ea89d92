/**
 * Soak: N requests at concurrency C against the emulator over a real loopback socket, then check
 * that every answer verified, the heap settled after GC, and sockets/handles/timers are back to
 * where they started. `npm run soak` runs 10 000 at 64 (SOAK_REQUESTS / SOAK_CONCURRENCY to
 * change); `npm test` runs 1 000 (spec/e2e/soak.spec.ts); `npm run bench` shows the section.
 */
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { Builder } from '../lib/index.js';
import { Emulator } from '../lib/testing/index.js';

export interface SoakOptions {
  requests: number;
  concurrency: number;
  /** RSA key size of the generated merchant and platform keys (2048, as WeChat Pay; smaller only to save CPU in npm test). */
  modulusLength?: number;
}

export interface SoakResult extends SoakOptions {
  /** Answers that passed verification and decoding. */
  verified: number;
  /** Requests that failed, by error name. */
  failures: Record<string, number>;
  /** Requests the emulator saw whose Authorization verified (among the last 1 000 it keeps). */
  signedOk: number;
  durationMs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  heapStartMiB: number;
  heapEndMiB: number;
  /** Largest number of sockets open at once on the server side. */
  peakSockets: number;
  resourcesBefore: Record<string, number>;
  resourcesAfter: Record<string, number>;
}

const WATCHED = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'Immediate'];

function resources(): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(WATCHED.map((kind) => [kind, 0]));
  for (const kind of process.getActiveResourcesInfo()) if (kind in counts) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function heapAfterGc(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(10);
  }
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * Runs a soak and reports; it asserts nothing (the spec and the bench section judge the result).
 * @example
 * ```ts
 * const result = await soak({ requests: 1_000, concurrency: 64 });
 * ```
 */
export async function soak({ requests, concurrency, modulusLength = 2048 }: SoakOptions): Promise<SoakResult> {
  const gc = collector();
  const resourcesBefore = resources();
  const emulator = Emulator.create({ modulusLength });
  const server = await emulator.listen();
  const client = Builder.factory(emulator.clientConfig({ baseURL: server.baseURL, timeout: 30_000 }));
  let verified = 0;
  client.pipeline.use(async (ctx, next) => {
    const res = await next(ctx);
    verified++;
    return res;
  }, 'count');
  const failures: Record<string, number> = {};
  const latencies: number[] = [];
  let peakSockets = 0;

  const one = async (i: number) => {
    const started = performance.now();
    try {
      const res = await client.v3.ecommerce.refunds.apply.post({
        json: {
          sub_mchid: '1900000109',
          sp_appid: 'wx8888888888888888',
          transaction_id: '4200000000202611220000000001',
          combine_transaction_id: '4200000000202611220000000001',
          out_refund_no: `SOAK${i}`,
          amount: { refund: 1, total: 1, currency: 'CNY' },
          funds_account: 'AVAILABLE',
        },
      });
      if (typeof (res.data as { refund_id?: unknown }).refund_id !== 'string') failures.NoRefundId = (failures.NoRefundId ?? 0) + 1;
    } catch (error) {
      const name = (error as Error).name ?? 'Error';
      failures[name] = (failures[name] ?? 0) + 1;
    }
    latencies.push(performance.now() - started);
  };

  // warm up keys, JIT and the connection pool, then measure from a settled heap
  await Promise.all(Array.from({ length: Math.min(concurrency, 64) }, (_, i) => one(-1 - i)));
  verified = 0;
  latencies.length = 0;
  for (const key of Object.keys(failures)) delete failures[key];
  const heapStartMiB = await heapAfterGc(gc);

  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests) {
      const i = next++;
      await one(i);
      if (i % 256 === 0) peakSockets = Math.max(peakSockets, resources().TCPSocketWrap ?? 0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const durationMs = performance.now() - started;
  const heapEndMiB = await heapAfterGc(gc);
  const signedOk = emulator.requests.filter((r) => r.verified).length;

  await client.close();
  await server.close();
  let resourcesAfter = resources();
  for (let i = 0; i < 100 && WATCHED.some((kind) => (resourcesAfter[kind] ?? 0) > (resourcesBefore[kind] ?? 0)); i++) {
    await sleep(20);
    resourcesAfter = resources();
  }
  latencies.sort((a, b) => a - b);
  return {
    requests,
    concurrency,
    modulusLength,
    verified,
    failures,
    signedOk,
    durationMs,
    perSecond: (requests / durationMs) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    heapStartMiB,
    heapEndMiB,
    peakSockets,
    resourcesBefore,
    resourcesAfter,
  };
}

/** Whether a soak result meets the goals: all verified, heap within 32 MiB, resources back to baseline. */
export function soakGoals(result: SoakResult) {
  const growth = result.heapEndMiB - result.heapStartMiB;
  const leaked = WATCHED.filter((kind) => (result.resourcesAfter[kind] ?? 0) > (result.resourcesBefore[kind] ?? 0));
  return [
    { name: 'answers verified', value: `${result.verified} / ${result.requests}`, target: 'all', pass: result.verified === result.requests && Object.keys(result.failures).length === 0 },
    { name: 'heap growth after GC', value: `${growth.toFixed(1)} MiB`, target: '≤ 32 MiB', pass: growth <= 32 },
    { name: 'sockets/handles/timers after close', value: leaked.length === 0 ? 'baseline' : `leaked ${leaked.join(', ')}`, target: 'baseline', pass: leaked.length === 0 },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const requests = Number(process.env.SOAK_REQUESTS ?? 10_000);
  const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 64);
  const result = await soak({ requests, concurrency });
  const goals = soakGoals(result);
  console.log(JSON.stringify({ ...result, durationMs: Math.round(result.durationMs), perSecond: Math.round(result.perSecond) }, null, 2));
  for (const goal of goals) console.log(`${goal.pass ? 'PASS' : 'FAIL'}  ${goal.name}: ${goal.value} (target ${goal.target})`);
  process.exitCode = goals.every((goal) => goal.pass) ? 0 : 1;
}
