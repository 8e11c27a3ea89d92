/**
 * Bench section: the full soak (10 000 requests at concurrency 64 against the emulator over
 * loopback; SOAK_REQUESTS / SOAK_CONCURRENCY to change).
 */
import { soak, soakGoals } from '../../scripts/soak.js';

export default async () => {
  const result = await soak({ requests: Number(process.env.SOAK_REQUESTS ?? 10_000), concurrency: Number(process.env.SOAK_CONCURRENCY ?? 64) });
  return {
    title: `Soak: ${result.requests} signed + verified requests at concurrency ${result.concurrency} (emulator, loopback)`,
    rows: [
      {
        requests: result.requests,
        concurrency: result.concurrency,
        'req/s': Math.round(result.perSecond),
        'p50 ms': Number(result.p50Ms.toFixed(1)),
        'p99 ms': Number(result.p99Ms.toFixed(1)),
        'heap start MiB': Number(result.heapStartMiB.toFixed(1)),
        'heap end MiB': Number(result.heapEndMiB.toFixed(1)),
        'peak sockets': result.peakSockets,
        failures: Object.entries(result.failures).map(([name, n]) => `${name}×${n}`).join(' ') || 'none',
      },
    ],
    goals: soakGoals(result),
  };
};
