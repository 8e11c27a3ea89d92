/**
 * Streams downloaded bytes to a file or a Writable: optional gunzip, a digest checked while the
 * bytes flow, and for files all-or-nothing (a temp file in the same directory, renamed on success,
 * deleted on any failure).
 * @module
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ArgumentError, DecodeError, NetworkError, VerificationError, WeChatPayError } from '../errors.js';

/** Digest algorithms WeChat Pay names in `hash_type`. */
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
  throw new ArgumentError(`hash_type "${type}" is not supported (SHA1 or SHA256)`, 'hash_type');
}

class Digesting extends Transform {
  readonly hash: Hash;
  bytes = 0;
  result = '';
  constructor(algorithm: string, private readonly expected: string | undefined) {
    super();
    this.hash = createHash(algorithm);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: (error?: Error | null) => void): void {
    this.result = this.hash.digest('hex');
    // fail before the destination is ended: a Writable never sees a clean end of bad bytes
    if (this.expected !== undefined && this.result !== this.expected.toLowerCase()) {
      callback(new VerificationError('digest-mismatch', `downloaded file digest ${this.result} differs from hash_value ${this.expected}`));
      return;
    }
    callback();
  }
}

function typed(error: unknown): WeChatPayError {
  if (error instanceof WeChatPayError) return error;
  const code = (error as { code?: unknown })?.code;
  const syscall = (error as { syscall?: unknown })?.syscall;
  if (typeof syscall === 'string') return new WeChatPayError(`cannot write the download: ${(error as Error).message}`, { cause: error });
  if (typeof code === 'string' && code.startsWith('Z_')) return new DecodeError(`the download is not valid gzip: ${(error as Error).message}`, { cause: error });
  return new NetworkError(`download failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error, code: typeof code === 'string' ? code : undefined });
}

/**
 * Streams `source` to a path or a Writable, gunzipping and checking the digest on the way.
 * To a path: written to `.<name>.<random>.part` beside it and renamed when complete and checked;
 * on any failure the partial file is deleted and nothing is left at `to`.
 * To a Writable: bytes flow as they arrive; on a failure it is destroyed with the error (never ended).
 * @throws {VerificationError} reason `digest-mismatch`
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
  if (options.digest && (typeof options.digest.hash_value !== 'string' || !/^[0-9a-fA-F]+$/.test(options.digest.hash_value))) {
    throw new ArgumentError('hash_value must be a hex digest', 'hash_value');
  }
  const digesting = new Digesting(hashType === 'SHA1' ? 'sha1' : 'sha256', options.digest?.hash_value);
  const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream> = [source as NodeJS.ReadableStream];
  if (options.gunzip) stages.push(createGunzip());
  stages.push(digesting);

  if (typeof to !== 'string') {
    if (to === null || typeof to !== 'object' || typeof (to as Writable).write !== 'function') {
      throw new ArgumentError('to: expected a file path or a Writable stream', 'to');
    }
    try {
      await pipeline([...stages, to]);
    } catch (error) {
      throw typed(error);
    }
    return { bytes: digesting.bytes, digest: digesting.result, hashType };
  }

  if (to === '') throw new ArgumentError('to: expected a file path or a Writable stream', 'to');
  const temp = join(dirname(to), `.${basename(to)}.${randomBytes(6).toString('hex')}.part`);
  try {
    await pipeline([...stages, createWriteStream(temp, { flags: 'wx' })]);
    await rename(temp, to);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw typed(error);
  }
  return { path: to, bytes: digesting.bytes, digest: digesting.result, hashType };
}
