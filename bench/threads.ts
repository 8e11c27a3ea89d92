/**
 * CPU per request split by thread: the event loop ("main") and the rest of the process (libuv's
 * thread pool, where the RSA signatures run, and V8's helpers), read from /proc/self/task (Linux).
 * One process, the same loopback stand-in as `npm run bench`, each client in turn at
 * concurrency 32, the order reversed every round, medians over the rounds.
 *
 *   npm run build && npx tsx bench/threads.ts                  # chain, plain, floor; 3 rounds
 *   npx tsx bench/threads.ts chain,floor 5                     # clients, rounds
 *
 * It answers "where does the client's CPU beyond the crypto floor run?": the floor's event loop
 * only verifies, the client's also does HTTP.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { drive } from './lib/drive.js';
import { startStandIn } from './lib/processes.js';
import { median } from './lib/stats.js';
import { KINDS, type ClientFactory, type Kind } from './lib/workload.js';

const CONCURRENCY = 32;
/** Linux reports thread CPU in clock ticks of 10 ms (USER_HZ 100). */
const MICROSECONDS_PER_TICK = 10_000;

const kinds = (process.argv[2] ?? 'chain,plain,floor').split(',').filter((k): k is Kind => (KINDS as readonly string[]).includes(k));
const rounds = Number(process.argv[3] ?? 3);

/** CPU µs so far of the event loop thread and of all the other threads. */
function cpuByThread(): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const us = (Number(fields[11]) + Number(fields[12])) * MICROSECONDS_PER_TICK;
    if (tid === String(process.pid)) main += us;
    else others += us;
  }
  return { main, others };
}

const { proc: standIn, workload } = await startStandIn();
const clients = await Promise.all(kinds.map(async (kind) => ((await import(`./clients/${kind}.js`)) as { default: ClientFactory }).default(workload)));
try {
  const results = kinds.map(() => ({ main: [] as number[], others: [] as number[], rps: [] as number[] }));
  const forMs = (ms: number) => {
    const end = performance.now() + ms;
    return () => performance.now() < end;
  };
  for (const client of clients) await drive(() => client.call(), CONCURRENCY, forMs(700));
  for (let round = 0; round < rounds; round++) {
    const order = kinds.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const client = clients[i];
      const result = results[i];
      if (!client || !result) continue;
      const before = cpuByThread();
      const started = performance.now();
      const done = await drive(() => client.call(), CONCURRENCY, forMs(2000));
      const after = cpuByThread();
      result.main.push((after.main - before.main) / done);
      result.others.push((after.others - before.others) / done);
      result.rps.push((done * 1000) / (performance.now() - started));
    }
  }
  console.log(`CPU µs per request by thread at concurrency ${CONCURRENCY}, median of ${rounds} round(s)\n`);
  console.log('| client | event loop | thread pool and V8 helpers | requests/s |\n|---|---:|---:|---:|');
  kinds.forEach((kind, i) => {
    const r = results[i];
    if (r) console.log(`| ${kind} | ${median(r.main).toFixed(0)} | ${median(r.others).toFixed(0)} | ${median(r.rps).toFixed(0)} |`);
  });
} finally {
  for (const client of clients) await client.close();
  standIn.send({ stop: true });
}
