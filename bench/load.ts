/**
 * One client process of the bench (forked by bench/run.ts with IPC): loads one client adapter,
 * drives it at each concurrency for a fixed time, and reports throughput, CPU per request,
 * latency, event-loop delay and heap allocation per request.
 */
import { createHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { drive } from './lib/drive.js';
import type { BenchClient, ClientFactory, LevelResult, LoadOrder, RoundResult } from './lib/workload.js';

async function level(client: BenchClient, concurrency: number, warmupMs: number, durationMs: number): Promise<LevelResult> {
  const warmEnd = performance.now() + warmupMs;
  await drive(() => client.call(), concurrency, () => performance.now() < warmEnd);

  const latency = createHistogram();
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + durationMs;
  const requests = await drive(() => client.call(), concurrency, () => performance.now() < end, (ms) => latency.record(Math.max(1, Math.round(ms * 1000))));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  eld.disable();
  return {
    concurrency,
    requests,
    rps: (requests * 1000) / wall,
    cpuMs: (cpu.user + cpu.system) / 1000 / requests,
    p50Ms: latency.percentile(50) / 1000,
    p99Ms: latency.percentile(99) / 1000,
    eldP99Ms: eld.percentile(99) / 1e6,
  };
}

/**
 * Event-loop delay at a fixed, moderate offered load (open loop, a burst every 10 ms): what the
 * client's own main-thread work costs the application. At saturation on a small machine the
 * loop delay mostly measures the OS sharing the cores, whoever does the signing.
 */
async function loopDelayAtRate(client: BenchClient, rate: number, durationMs: number): Promise<number> {
  const perTick = Math.max(1, Math.round(rate / 100));
  const eld = monitorEventLoopDelay({ resolution: 1 });
  let inFlight = 0;
  let failure: unknown;
  const pending = new Set<Promise<void>>();
  eld.enable();
  await new Promise<void>((resolve) => {
    const end = performance.now() + durationMs;
    const timer = setInterval(() => {
      if (performance.now() >= end || failure !== undefined) {
        clearInterval(timer);
        resolve();
        return;
      }
      for (let i = 0; i < perTick && inFlight < 256; i++) {
        inFlight += 1;
        const call = client.call().then(
          () => {
            inFlight -= 1;
            pending.delete(call);
          },
          (error: unknown) => {
            failure = error;
          },
        );
        pending.add(call);
      }
    }, 10);
  });
  eld.disable();
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  return eld.percentile(99) / 1e6;
}

/** JS heap bytes allocated per request: what every GC freed plus what the heap grew. */
async function heapBytesPerRequest(client: BenchClient, requests: number): Promise<number> {
  await drive(() => client.call(), 8, (() => { let n = 0; return () => n++ < 200; })());
  const profiler = new GCProfiler();
  const before = getHeapStatistics().used_heap_size;
  profiler.start();
  let left = requests;
  await drive(() => client.call(), 8, () => left-- > 0);
  const after = getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop();
  let freed = 0;
  for (const gc of statistics) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  return (freed + after - before) / requests;
}

process.once('message', (order: LoadOrder) => {
  void (async () => {
    const { default: factory } = (await import(`./clients/${order.kind}.js`)) as { default: ClientFactory };
    const client = await factory(order.workload);
    try {
      await client.call(); // fails fast when the client is misconfigured
      const levels: LevelResult[] = [];
      for (const concurrency of order.levels) levels.push(await level(client, concurrency, order.warmupMs, order.durationMs));
      const eldAtRateMs = await loopDelayAtRate(client, order.rate, order.durationMs);
      const result: RoundResult = { kind: order.kind, levels, eldAtRateMs, heapBytesPerRequest: await heapBytesPerRequest(client, order.allocationRequests) };
      process.send?.({ result });
    } finally {
      await client.close();
    }
  })().then(
    () => process.disconnect(),
    (error: unknown) => {
      process.send?.({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      process.disconnect();
    },
  );
});
