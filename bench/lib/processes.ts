/**
 * The bench's child processes: forking a bench script under tsx, waiting for its next IPC
 * message, and starting the loopback stand-in with fresh keys and the workload that points at it.
 * Used by bench/run.ts and bench/threads.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '../../lib/testing/emulator.js';
import type { StandInSetup } from '../stand-in.js';
import type { Workload } from './workload.js';

const BENCH = fileURLToPath(new URL('..', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Forks `bench/<file>` under tsx with IPC; its output goes to ours. */
export function child(file: string, execArgv: string[] = []): ChildProcess {
  return fork(`${BENCH}${file}`, [], { cwd: ROOT, execArgv: ['--import', 'tsx', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** The next IPC message of `proc`; rejects if it exits first (`what` names it in the error). */
export function nextMessage<T>(proc: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${what} exited (${code}) before answering`));
    proc.once('exit', onExit);
    proc.once('message', (message) => {
      proc.off('exit', onExit);
      resolve(message as T);
    });
  });
}

/**
 * Fresh merchant and platform keys, the stand-in (its own process) that knows them, and the
 * workload the clients get: the same merchant, serials and base URL for every client.
 */
export async function startStandIn(server: StandInSetup['server'] = 'net'): Promise<{ proc: ChildProcess; workload: Workload }> {
  const merchant = generateKeyPair();
  const platform = generateKeyPair();
  const setup: StandInSetup = {
    server,
    mchid: '1900000109',
    serial: '3775B6A45ACD588826D15E583A95F5DD00000000',
    merchantPublicKeyPem: merchant.publicKeyPem,
    platformSerial: 'PUB_KEY_ID_0114232134912410000000000000',
    platformPrivateKeyPem: platform.privateKeyPem,
  };
  const proc = child('stand-in.ts');
  const ready = nextMessage<{ port: number }>(proc, 'the stand-in');
  proc.send(setup);
  const { port } = await ready;
  const workload: Workload = {
    baseURL: `http://127.0.0.1:${port}/`,
    mchid: setup.mchid,
    serial: setup.serial,
    merchantPrivateKeyPem: merchant.privateKeyPem,
    platformSerial: setup.platformSerial,
    platformPublicKeyPem: platform.publicKeyPem,
    platformPrivateKeyPem: platform.privateKeyPem,
  };
  return { proc, workload };
}
