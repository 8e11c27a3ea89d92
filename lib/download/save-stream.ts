/**
 * Streams downloaded bytes to a file or a Writable: optional gunzip, a digest checked while the
 * bytes flow, and for files all-or-nothing (a temp file in the same directory, renamed on success,
 * deleted on any failure).
 * @module
 */
import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { ArgumentError, DecodeError, NetworkError, VerificationError, WeChatPayError } from '../errors.js';
import { printable } from '../printable.js';
import { decryptBill, type BillDecryption } from './decrypt-stream.js';
import { OffThreadHash } from './off-thread-hash.js';
import { fsPromises, nodeFs, streamPromises, zlib } from '../lazy.js';
import { temporarySibling } from './temp-file.js';


/**
 * Digest algorithms WeChat Pay names in `hash_type`.
 * @example
 * ```ts
 * const type: HashType = 'SHA1';
 * ```
 */
export type HashType = 'SHA1' | 'SHA256';

/**
 * An expected digest: `hash_type` and `hash_value` as the bill endpoints return them.
 * @example
 * ```ts
 * const expected: ExpectedDigest = { hash_type: 'SHA1', hash_value: '79bb0f45fc4c42234a918000b2668d689e2bde04' };
 * ```
 */
export interface ExpectedDigest {
  hash_type: HashType | string;
  hash_value: string;
}

/**
 * Options of {@link saveStream}.
 * @example
 * ```ts
 * await saveStream(res.body, '/data/bill.csv', { gunzip: true, digest: { hash_type: 'SHA1', hash_value } });
 * ```
 */
export interface SaveOptions {
  /** Decompress gzip before hashing and writing (bills asked with `tar_type=GZIP`). */
  gunzip?: boolean;
  /** Checked over the (decompressed) bytes; a mismatch rejects with `VerificationError` reason `digest-mismatch`. */
  digest?: ExpectedDigest;
  /**
   * Decrypt first (encrypted bills: decrypt, then gunzip, then hash). The expected digest may be
   * of the decrypted bill or of the downloaded bytes: either matching is accepted.
   */
  decrypt?: BillDecryption;
  /**
   * Compute the digest on a worker thread while the event loop receives and writes (large files:
   * the hash no longer competes with the download for the loop). Ignored with `decrypt`.
   */
  offThread?: boolean;
}

/**
 * What a completed save reports.
 * @example
 * ```ts
 * const { bytes, digest } = await saveStream(body, path, options);
 * ```
 */
export interface SaveResult {
  /** The final file path (absent when saved to a Writable). */
  path?: string;
  /** Bytes written (after gunzip). */
  bytes: number;
  /** Hex digest of the written bytes with the expected algorithm (SHA-256 when none was expected). */
  digest: string;
  /** Algorithm of `digest`. */
  hashType: HashType;
}

/**
 * The node:crypto name of a `hash_type`.
 * @throws {ArgumentError} for anything but SHA1 / SHA256
 * @example
 * ```ts
 * hashAlgorithm('SHA1'); // 'sha1'
 * ```
 */
export function hashAlgorithm(type: string): 'sha1' | 'sha256' {
  const upper = String(type).toUpperCase().replace('-', '');
  if (upper === 'SHA1') return 'sha1';
  if (upper === 'SHA256') return 'sha256';
  throw new ArgumentError(`hash_type "${printable(type, 32)}" is not supported (SHA1 or SHA256)`, 'hash_type');
}

function typed(error: unknown, decrypting = false): WeChatPayError {
  if (error instanceof WeChatPayError) return error;
  const code = (error as { code?: unknown })?.code;
  const syscall = (error as { syscall?: unknown })?.syscall;
  if (typeof syscall === 'string') return new WeChatPayError(`cannot write the download: ${(error as Error).message}`, { cause: error });
  if (typeof code === 'string' && code.startsWith('Z_')) {
    // deciphered bytes that are not gzip: most likely tampered ciphertext (its tag is only checked at the end)
    if (decrypting) return new VerificationError('decrypt-failed', `the decrypted bill is not valid gzip (${(error as Error).message}): a tampered download, or a bill not asked with tar_type=GZIP`);
    return new DecodeError(`the download is not valid gzip: ${(error as Error).message}`, { cause: error });
  }
  return new NetworkError(`download failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error, transportCode: typeof code === 'string' ? code : undefined });
}

/**
 * Streams `source` to a path or a Writable, gunzipping and checking the digest on the way.
 * To a path: written to `.<name>.<random>.part` beside it and renamed when complete and checked;
 * on any failure the partial file is deleted and nothing is left at `to`.
 * To a Writable: bytes flow as they arrive; on a failure it is destroyed with the error (never ended).
 * @throws {VerificationError} reason `digest-mismatch`; with `decrypt`, reason `decrypt-failed` when the
 *   file does not authenticate (the deciphered bytes already written are discarded with the rest)
 * @throws {NetworkError} when the source fails (e.g. the connection closed mid-body)
 * @throws {DecodeError} for broken gzip
 * @example
 * ```ts
 * const res = await client.v3.billdownload.file.get({ query: { token }, stream: true });
 * await saveStream(res.body as Readable, '/data/2019-06-11.csv', { digest: { hash_type: 'SHA1', hash_value } });
 * ```
 */
export async function saveStream(source: Readable | AsyncIterable<Uint8Array>, to: string | Writable, options: SaveOptions = {}): Promise<SaveResult> {
  const hashType: HashType = options.digest ? (hashAlgorithm(options.digest.hash_type) === 'sha1' ? 'SHA1' : 'SHA256') : 'SHA256';
  const expected = options.digest?.hash_value;
  if (options.digest && (typeof expected !== 'string' || !/^[0-9a-fA-F]+$/.test(expected))) {
    throw new ArgumentError('hash_value must be a hex digest', 'hash_value');
  }
  if (typeof to !== 'string' && (to === null || typeof to !== 'object' || typeof (to as Writable).write !== 'function')) {
    throw new ArgumentError('to: expected a file path or a Writable stream', 'to');
  }
  if (to === '') throw new ArgumentError('to: expected a file path or a Writable stream', 'to');

  const algorithm = hashType === 'SHA1' ? 'sha1' : 'sha256';
  const offThread = options.offThread === true && options.decrypt === undefined ? startOffThread(algorithm) : undefined;
  const hash = offThread === undefined ? createHash(algorithm) : undefined;
  const raw = options.decrypt && expected !== undefined ? createHash(hashType === 'SHA1' ? 'sha1' : 'sha256') : undefined;
  let input: AsyncIterable<Uint8Array> = options.decrypt ? decryptBill(source, options.decrypt, raw) : source;
  if (options.gunzip) {
    const gunzip = zlib().createGunzip();
    // errors of the source reach the loop below through gunzip
    streamPromises().pipeline(input instanceof Readable ? input : Readable.from(input, { objectMode: false }), gunzip).catch((error: unknown) => gunzip.destroy(error as Error));
    input = gunzip;
  }
  const temp = typeof to === 'string' ? temporarySibling(to) : undefined;
  const out: Writable = temp === undefined ? (to as Writable) : nodeFs.createWriteStream(temp, { flags: 'wx' });
  let bytes = 0;
  try {
    // one loop, no extra stream stages: hashing is the only work added to a bare download
    for await (const chunk of input) {
      const behind = offThread === undefined ? void (hash as ReturnType<typeof createHash>).update(chunk) : offThread.update(chunk);
      bytes += chunk.byteLength;
      if (!out.write(chunk)) await drained(out);
      if (behind) await behind;
    }
    const digest = offThread === undefined ? (hash as ReturnType<typeof createHash>).digest('hex') : await offThread.digest();
    // fail before the destination is ended: a Writable never sees a clean end of bad bytes
    const alternative = raw?.digest('hex');
    if (expected !== undefined && digest !== expected.toLowerCase() && alternative !== expected.toLowerCase()) {
      throw new VerificationError('digest-mismatch', `downloaded file digest ${digest} differs from hash_value ${expected}`);
    }
    out.end();
    await streamPromises().finished(out);
    if (temp !== undefined) await fsPromises().rename(temp, to as string);
    return { ...(temp === undefined ? {} : { path: to as string }), bytes, digest, hashType };
  } catch (error) {
    offThread?.abort();
    const failure = typed(error, options.decrypt !== undefined);
    // the error is ours to report (the promise rejects); listeners still see it, nobody crashes on it
    out.on('error', () => undefined);
    out.destroy(failure);
    if (temp !== undefined) {
      await streamPromises().finished(out).catch(() => undefined);
      await fsPromises().unlink(temp).catch(() => undefined);
    }
    throw failure;
  }
}

/** The worker-thread hash, or undefined (hash on the event loop) where no worker can start. */
function startOffThread(algorithm: 'sha1' | 'sha256'): OffThreadHash | undefined {
  try {
    return new OffThreadHash(algorithm);
  } catch {
    return undefined;
  }
}

function drained(out: Writable): Promise<void> {
  if (out.destroyed) return Promise.reject(out.errored ?? new Error('the destination was closed'));
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      out.off('drain', onDrain);
      out.off('error', done);
      out.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(out.errored ?? new Error('the destination was closed'));
    out.once('drain', onDrain);
    out.once('error', done);
    out.once('close', onClose);
  });
}
