/**
 * How long `Emulator.create()` takes, in a process of its own (forked with IPC by the bench's
 * "Sandbox" section): the first call generates the process's shared keys, the next ones reuse
 * them (issue 16: ≤ 50 ms each). Also `create()` plus a client on it (`Builder.factory`, which
 * loads the keys), and `freshKeys: true` (what every create cost before keys were shared).
 * Sends `{ first, next, withClient, fresh }` (milliseconds; 20 of each list, 3 fresh) over IPC.
 */
import { performance } from 'node:perf_hooks';
import { Builder } from '../lib/index.js';
import { Emulator } from '../lib/testing/index.js';

export interface CreateTimes {
  first: number;
  next: number[];
  withClient: number[];
  fresh: number[];
}

/** Creations measured after the first, per kind. */
const RUNS = 20;
const emulators: Emulator[] = [];

function time(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

const first = time(() => emulators.push(Emulator.create({ sandbox: true })));
const next: number[] = [];
const withClient: number[] = [];
const fresh: number[] = [];
for (let i = 0; i < RUNS; i++) next.push(time(() => emulators.push(Emulator.create({ sandbox: true }))));
for (let i = 0; i < RUNS; i++) {
  withClient.push(
    time(() => {
      const emulator = Emulator.create({ sandbox: true });
      emulators.push(emulator);
      void Builder.factory(emulator.clientConfig()).close();
    }),
  );
}
for (let i = 0; i < 3; i++) fresh.push(time(() => emulators.push(Emulator.create({ sandbox: true, freshKeys: true }))));
await Promise.all(emulators.map((emulator) => emulator.close()));

const result: CreateTimes = { first, next, withClient, fresh };
// then let go of the channel, so the process exits
process.send?.(result, () => process.disconnect());
