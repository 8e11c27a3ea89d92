import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../../lib/testing/sandbox/scheduler.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

function timers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

describe('Scheduler (the sandbox timers)', () => {
  it('idle() waits for timers and the work they start, holding the timers meanwhile', async () => {
    const scheduler = new Scheduler();
    const done: string[] = [];
    scheduler.after(20, () => new Promise<void>((resolve) => setTimeout(() => (done.push('slow'), resolve()), 20)));
    scheduler.after(5, () => done.push('quick'));
    const before = timers();
    const idle = scheduler.idle();
    // held while someone waits: the event loop counts them (unref'd timers are not listed)
    expect(timers()).toBeGreaterThanOrEqual(before);
    await idle;
    expect(done).toEqual(['quick', 'slow']);
    await expect(scheduler.idle()).resolves.toBeUndefined();
  });

  it('unrefs its timers when nobody waits, and close() clears them, aborts the work and releases waiters', async () => {
    const scheduler = new Scheduler();
    const baseline = timers();
    scheduler.after(60_000, () => {
      throw new Error('never runs');
    });
    expect(timers()).toBe(baseline); // unref'd: not an active resource
    const waiting = scheduler.idle();
    expect(timers()).toBe(baseline + 1);
    let aborted = false;
    scheduler.signal.addEventListener('abort', () => (aborted = true));
    scheduler.close();
    await waiting;
    expect(aborted).toBe(true);
    expect(timers()).toBe(baseline);
    scheduler.after(1, () => {
      throw new Error('closed: never runs');
    });
    scheduler.run(() => {
      throw new Error('closed: never runs');
    });
    expect(timers()).toBe(baseline);
  });

  it('a program that forgets emulator.close() after a failed delivery still exits by itself', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wxpay-sandbox-unref-'));
    const script = join(dir, 'forgets-close.mts');
    const lib = (path: string) => pathToFileURL(join(root, path)).href;
    await writeFile(
      script,
      `import { Builder } from '${lib('lib/index.ts')}';
import { Emulator } from '${lib('lib/testing/index.ts')}';
const emulator = Emulator.create({ modulusLength: 1024, sandbox: { timeScale: 10 } });
const client = Builder.factory(emulator.clientConfig());
// port 9 on loopback: nothing listens, the delivery fails and a retry is scheduled in 150 s (15 s × 10)
await client.v3.pay.transactions.native.post({ json: { appid: 'wx1', mchid: emulator.merchant.mchid, description: 'd', out_trade_no: 'T1', notify_url: 'http://127.0.0.1:9/notify', amount: { total: 1 } } });
emulator.pay('T1');
// a refund pending too (10 s × 10)
await client.v3.refund.domestic.refunds.post({ json: { out_trade_no: 'T1', out_refund_no: 'R1', amount: { refund: 1, total: 1, currency: 'CNY' } } });
await new Promise((resolve) => setTimeout(resolve, 300));
console.log('attempts', emulator.deliveries.length, emulator.deliveries[0]?.status, emulator.sandbox.store.refund('R1').status);
`,
    );
    try {
      // a process held by those timers would be killed by the 45 s timeout (code null)
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', script], { cwd: root, timeout: 45_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
        );
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe('attempts 1 null PROCESSING');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
