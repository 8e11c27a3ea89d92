/**
 * A/B of two builds of wechatpay-chain in one process, for optimisation work: both clients send
 * the bench workload to the stand-in in alternating 1 s bursts (concurrency 32), and the medians
 * of process CPU per request and main-thread busy time per request (event-loop utilisation,
 * which leaves out the thread-pool signing) are compared. Alternating inside one process cancels
 * most of the drift a shared machine adds between separate runs.
 *
 *   cp -r dist bench/.ab-before && (change lib/) && npm run build   (inside the repo: A resolves its dependencies)
 *   npx tsx bench/ab.ts bench/.ab-before dist [--bursts=16] [--concurrency=32]
 */
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Chain from '../lib/index.js';
import { generateKeyPair } from '../lib/testing/emulator.js';
import { median } from './lib/stats.js';
import { REFUND_ID, REQUEST_JSON } from './lib/workload.js';

const [a, b] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
if (!a || !b) throw new Error('usage: tsx bench/ab.ts <distA> <distB>');
const bursts = Number(process.argv.find((x) => x.startsWith('--bursts='))?.slice(9) ?? 16);
const concurrency = Number(process.argv.find((x) => x.startsWith('--concurrency='))?.slice(14) ?? 32);

const merchant = generateKeyPair();
const platform = generateKeyPair();
const mchid = '1900000109';
const serial = '3775B6A45ACD588826D15E583A95F5DD00000000';
const platformSerial = 'PUB_KEY_ID_0114232134912410000000000000';
const standIn = fork(fileURLToPath(new URL('stand-in.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((done) => {
  standIn.once('message', (m) => done((m as { port: number }).port));
  standIn.send({ mchid, serial, merchantPublicKeyPem: merchant.publicKeyPem, platformSerial, platformPrivateKeyPem: platform.privateKeyPem });
});

async function client(dist: string) {
  const { Builder } = (await import(pathToFileURL(resolve(dist, 'index.js')).href)) as typeof Chain;
  return Builder.factory({ mchid, serial, privateKey: merchant.privateKeyPem, certs: { [platformSerial]: platform.publicKeyPem }, baseURL: `http://127.0.0.1:${port}/` });
}
const clients = [await client(a), await client(b)];

async function burst(c: Chain.WeChatPayClient, ms: number) {
  const end = performance.now() + ms;
  let done = 0;
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await c.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id: REFUND_ID, json: REQUEST_JSON });
        done += 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  return { cpu: (cpu.user + cpu.system) / 1000 / done, main: elu.active / done, rps: done / (ms / 1000) };
}

for (const c of clients) await burst(c, 1000);
const results: Array<Array<{ cpu: number; main: number; rps: number }>> = [[], []];
for (let i = 0; i < bursts; i++) {
  for (const which of i % 2 === 0 ? [0, 1] : [1, 0]) results[which]?.push(await burst(clients[which] as Chain.WeChatPayClient, 1000));
}
const show = (i: number) => {
  const r = results[i] ?? [];
  return { cpuMs: median(r.map((x) => x.cpu)), mainMs: median(r.map((x) => x.main)), rps: median(r.map((x) => x.rps)) };
};
const [ra, rb] = [show(0), show(1)];
console.log(`A ${a}: CPU ${ra.cpuMs.toFixed(3)} ms/req, main thread ${ra.mainMs.toFixed(3)} ms/req, ${ra.rps.toFixed(0)} req/s`);
console.log(`B ${b}: CPU ${rb.cpuMs.toFixed(3)} ms/req, main thread ${rb.mainMs.toFixed(3)} ms/req, ${rb.rps.toFixed(0)} req/s`);
console.log(`B/A: CPU ${(rb.cpuMs / ra.cpuMs).toFixed(3)}, main thread ${(rb.mainMs / ra.mainMs).toFixed(3)}, req/s ${(rb.rps / ra.rps).toFixed(3)}`);
for (const c of clients) await c.close();
standIn.send({ stop: true });
