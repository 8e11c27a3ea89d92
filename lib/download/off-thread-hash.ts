/**
 * SHA-1 / SHA-256 of a large download on a worker thread, so the event loop only receives and
 * writes bytes. A single hash cannot be split across cores, but it can run beside the receiving
 * thread: bytes are copied into 1 MiB batches whose memory is transferred (not copied again) to
 * one shared worker, at most {@link MAX_IN_FLIGHT} batches ahead of it, and transferred back for
 * the next batches, so a download allocates at most MAX_IN_FLIGHT + 1 batches whatever its size.
 * @module
 */
import type { Worker } from 'node:worker_threads';
import { WeChatPayError } from '../errors.js';
import { workerThreads } from '../lazy.js';

const BATCH = 1024 * 1024;
/** Batches posted and not yet hashed before the reader waits: bounds memory to about 9 MiB a download. */
export const MAX_IN_FLIGHT = 8;

// Runs as a CommonJS script inside the worker (eval), so it works the same from dist/ and from
// the TypeScript sources under a test runner.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.start) { jobs.set(m.id, createHash(m.start)); return; }
  const hash = jobs.get(m.id);
  if (hash === undefined) return;
  if (m.bytes) { hash.update(new Uint8Array(m.bytes, 0, m.length)); parentPort.postMessage({ id: m.id, hashed: m.bytes }, [m.bytes]); }
  if (m.end) { jobs.delete(m.id); parentPort.postMessage({ id: m.id, digest: hash.digest('hex') }); }
  if (m.abort) jobs.delete(m.id);
});
`;

interface Job {
  /** A batch was hashed; its memory comes back for the next batch. */
  onHashed(bytes: ArrayBuffer): void;
  onDigest(hex: string): void;
  onError(error: Error): void;
}

let shared: { worker: Worker; jobs: Map<number, Job> } | undefined;
let nextId = 1;

function pool(): { worker: Worker; jobs: Map<number, Job> } {
  if (shared) return shared;
  const { Worker: WorkerClass } = workerThreads();
  const worker = new WorkerClass(WORKER_SOURCE, { eval: true, name: 'wechatpay-chain hash' });
  const jobs = new Map<number, Job>();
  const current = { worker, jobs };
  const fail = (error: Error) => {
    if (shared === current) shared = undefined;
    const failure = new WeChatPayError(`the hashing worker stopped: ${error.message}`, { cause: error });
    for (const job of jobs.values()) job.onError(failure);
    jobs.clear();
  };
  worker.on('message', (message: { id: number; hashed?: ArrayBuffer; digest?: string }) => {
    const job = jobs.get(message.id);
    if (job === undefined) return;
    if (message.hashed) job.onHashed(message.hashed);
    if (message.digest !== undefined) {
      jobs.delete(message.id);
      job.onDigest(message.digest);
    }
    if (jobs.size === 0) worker.unref();
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  worker.unref();
  shared = current;
  return current;
}

/**
 * A hash computed on the shared hashing worker. `update()` copies the bytes into the current
 * batch; when it returns a promise, wait for it before the next update (the worker is
 * {@link MAX_IN_FLIGHT} MiB behind).
 * @example
 * ```ts
 * const hash = new OffThreadHash('sha1');
 * for await (const chunk of body) await hash.update(chunk);
 * const hex = await hash.digest();
 * ```
 */
export class OffThreadHash {
  #id = nextId++;
  #pool = pool();
  #batch = Buffer.allocUnsafeSlow(BATCH);
  /** Batches the worker has hashed and handed back: at most MAX_IN_FLIGHT + 1 are ever allocated. */
  #free: ArrayBuffer[] = [];
  #filled = 0;
  #inFlight = 0;
  #waiting: (() => void) | undefined;
  #done: Promise<string>;
  #settle!: { resolve: (hex: string) => void; reject: (error: Error) => void };
  #failure: Error | undefined;
  #ended = false;

  constructor(algorithm: 'sha1' | 'sha256') {
    this.#done = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    // a digest nobody awaits (the download failed first) must not surface as an unhandled rejection
    this.#done.catch(() => undefined);
    this.#pool.jobs.set(this.#id, {
      onHashed: (bytes) => {
        this.#inFlight -= 1;
        this.#free.push(bytes);
        const waiting = this.#waiting;
        this.#waiting = undefined;
        waiting?.();
      },
      onDigest: (hex) => this.#settle.resolve(hex),
      onError: (error) => {
        this.#failure = error;
        this.#settle.reject(error);
        const waiting = this.#waiting;
        this.#waiting = undefined;
        waiting?.();
      },
    });
    // keeps the process alive while a digest is owed
    this.#pool.worker.ref();
    this.#pool.worker.postMessage({ id: this.#id, start: algorithm });
  }

  /** Adds bytes; returns a promise when the caller should wait for the worker to catch up. */
  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.#failure) throw this.#failure;
    let offset = 0;
    while (offset < chunk.byteLength) {
      const n = Math.min(chunk.byteLength - offset, BATCH - this.#filled);
      this.#batch.set(chunk.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
      if (this.#filled === BATCH) this.#post();
    }
    if (this.#inFlight < MAX_IN_FLIGHT) return undefined;
    return new Promise<void>((resolve) => (this.#waiting = resolve)).then(() => {
      if (this.#failure) throw this.#failure;
    });
  }

  /** The hex digest of everything added. */
  digest(): Promise<string> {
    if (!this.#ended) {
      this.#ended = true;
      if (this.#filled > 0) this.#post();
      this.#pool.worker.postMessage({ id: this.#id, end: true });
    }
    return this.#done;
  }

  /** Drops the job (a failed download); the worker forgets it. */
  abort(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#pool.jobs.delete(this.#id);
    this.#pool.worker.postMessage({ id: this.#id, abort: true });
    if (this.#pool.jobs.size === 0) this.#pool.worker.unref();
  }

  #post(): void {
    const bytes = this.#batch.buffer as ArrayBuffer;
    this.#pool.worker.postMessage({ id: this.#id, bytes, length: this.#filled }, [bytes]);
    this.#inFlight += 1;
    const reused = this.#free.pop();
    this.#batch = reused === undefined ? Buffer.allocUnsafeSlow(BATCH) : Buffer.from(reused);
    this.#filled = 0;
  }
}
