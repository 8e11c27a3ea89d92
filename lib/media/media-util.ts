/**
 * `MediaUtil` (wechatpay-php's name): a file to upload as `multipart/form-data` with the `meta`
 * JSON part first and the file part second. The APIv3 signature covers the exact `meta` string,
 * so the digest must be known before anything is sent: a path is hashed in a first streaming pass
 * and streamed again while sending (never read whole); bytes are hashed at once; a stream source
 * is collected in memory first (pass a path for large files).
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { basename, extname } from 'node:path';
import { Readable } from 'node:stream';
import type { MediaUpload } from '../endpoint/options.js';
import { ArgumentError } from '../errors.js';
import { DEFAULT_MEDIA_LAYOUT, uploadLayoutOf, type MediaLayout } from './upload-endpoints.js';
import { fsPromises, mimeTypes, nodeFs } from '../lazy.js';
import { isObject } from '../validate.js';

/**
 * What a file's bytes can be given as, besides a path.
 * @example
 * ```ts
 * const source: MediaSource = await readFile('logo.png'); // or createReadStream('logo.png')
 * ```
 */
export type MediaSource = Uint8Array | Readable | AsyncIterable<Uint8Array>;

/**
 * Options of {@link MediaUtil}.
 * @example
 * ```ts
 * new MediaUtil('/tmp/users.csv', undefined, { meta: { bank_type: 'ICBC_DEBIT' } });
 * new MediaUtil('/tmp/license.png', undefined, { layout: 'v3/mch-manage/submission-files/sub-mchid/{sub_mchid}/upload', fields: { item_id: '1' } });
 * ```
 */
export interface MediaOptions {
  /** Extra `meta` fields (e.g. `bank_type`, `sub_mchid`); computed name/digest fields cannot be overridden. */
  meta?: Readonly<Record<string, unknown>>;
  /** Extra plain form fields, sent after `meta` and before the file. */
  fields?: Readonly<Record<string, string>>;
  /** The meta/part layout, or an upload endpoint template whose layout to use (default `{"filename","sha256"}` + `file`). */
  layout?: MediaLayout | string;
  /** Content type of the file part (default: from the file extension). */
  contentType?: string;
}

interface Source {
  path?: string;
  bytes?: Buffer;
  stream?: AsyncIterable<Uint8Array>;
  pending?: Promise<Buffer>;
  digests: Map<string, Promise<{ digest: string; size: number }>>;
}

interface Prepared {
  meta: string;
  head: Buffer;
  size: number;
  digest: string;
}

const MEDIA = Symbol.for('wechatpay-chain.media');
const SHARE = Symbol('share');
const TAIL_PREFIX = '\r\n--';
const HWM = 64 * 1024;

/**
 * A `getStream()` body: a Readable that knows its {@link MediaUtil}, so the client signs its meta.
 * @example
 * ```ts
 * const body: MediaBody = media.getStream();
 * MediaUtil.of(body) === media; // true
 * ```
 */
export type MediaBody = Readable & { readonly [MEDIA]: MediaUtil };

function quoted(value: string): string {
  // WHATWG form-data escaping of names in Content-Disposition
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return value !== null && typeof value === 'object' && typeof (value as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    if (!(chunk instanceof Uint8Array)) throw new ArgumentError('media: the stream must yield bytes (Buffer / Uint8Array)', 'media');
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks);
}

/**
 * A file to upload.
 * @example
 * ```ts
 * import { MediaUtil } from 'wechatpay-chain';
 * const media = new MediaUtil('/path/to/logo.png');               // streamed from disk
 * const same = new MediaUtil('logo.png', await readFile('logo.png')); // or bytes / a stream
 * const { data } = await client.v3.merchant.media.upload.post({ media });
 * // or, wechatpay-php style:
 * await client.v3.merchant.media.upload.post({ body: media.getStream(), headers: { 'content-type': media.getContentType() } });
 * ```
 */
export class MediaUtil implements MediaUpload {
  /** The file name sent in `meta` and in the file part (the path's base name). */
  readonly filename: string;
  /** The multipart boundary (fixed per instance, so every stream matches `getContentType()`). */
  readonly boundary: string;
  /** The layout in use. */
  readonly layout: MediaLayout;
  /** Content type of the file part. */
  readonly fileContentType: string;
  readonly #source: Source;
  readonly #options: MediaOptions;
  readonly #explicitLayout: boolean;
  #prepared: Promise<Prepared> | undefined;

  /**
   * @param filepath a path to stream from, or (with `source`) just the file name
   * @param source the bytes, or a stream of them (collected in memory before sending)
   * @throws {ArgumentError} for an empty name, a bad source or bad options
   */
  constructor(filepath: string, source?: MediaSource, options: MediaOptions = {}) {
    if (typeof filepath !== 'string' || filepath.trim() === '') throw new ArgumentError('media: a file path or file name is required', 'media');
    if (options === null || typeof options !== 'object') throw new ArgumentError('media: options must be an object', 'media');
    const name = basename(filepath);
    if (name === '' || name === '.' || name === '..') throw new ArgumentError(`media: "${filepath}" does not name a file`, 'media');
    this.filename = name;
    const shared = (options as { [SHARE]?: Source })[SHARE];
    if (shared) this.#source = shared;
    else if (source === undefined) this.#source = { path: filepath, digests: new Map() };
    else if (source instanceof Uint8Array) this.#source = { bytes: Buffer.from(source.buffer, source.byteOffset, source.byteLength), digests: new Map() };
    else if (isAsyncIterable(source)) this.#source = { stream: source, digests: new Map() };
    else throw new ArgumentError('media: the source must be a Buffer, a Uint8Array or a readable stream', 'media');

    let layout: MediaLayout | undefined;
    if (typeof options.layout === 'string') {
      layout = uploadLayoutOf(options.layout);
      if (!layout) throw new ArgumentError(`media: "${options.layout}" is not a known upload endpoint; pass a layout object`, 'layout');
    } else if (options.layout !== undefined) {
      const given = options.layout;
      if (given === null || typeof given !== 'object' || typeof given.digestKey !== 'string' || typeof given.field !== 'string' || !['sha256', 'sm3', 'md5'].includes(given.algorithm)) {
        throw new ArgumentError('media: layout must be { nameKey, digestKey, algorithm: "sha256" | "sm3" | "md5", field }', 'layout');
      }
      layout = given;
    }
    this.layout = layout ?? DEFAULT_MEDIA_LAYOUT;
    this.#explicitLayout = layout !== undefined;
    if (options.meta !== undefined && !isObject(options.meta)) {
      throw new ArgumentError('media: meta must be a plain object of extra meta fields', 'meta');
    }
    for (const [key, value] of Object.entries(options.fields ?? {})) {
      if (typeof value !== 'string') throw new ArgumentError(`media: form field "${key}" must be a string`, 'fields');
    }
    this.#options = options;
    this.fileContentType = options.contentType ?? (mimeTypes().lookup(name) || 'application/octet-stream');
    if (/[\r\n]/.test(this.fileContentType)) throw new ArgumentError('media: contentType contains CR or LF', 'contentType');
    this.boundary = `----WeChatPayChain${randomBytes(12).toString('hex')}`;
  }

  /**
   * The same file with an endpoint's layout, unless this one was given a layout explicitly.
   * Shares the digest work already done. Used by the `{ media }` shorthand.
   */
  forEndpoint(template: string): MediaUtil {
    if (this.#explicitLayout) return this;
    const layout = uploadLayoutOf(template);
    if (!layout || layout === this.layout) return this;
    return new MediaUtil(this.filename, Buffer.alloc(0), { ...this.#options, layout, [SHARE]: this.#source } as MediaOptions);
  }

  /**
   * The same file with other options (a layout, meta or form fields), sharing the digest work
   * already done; the content type of the file part stays.
   * @example
   * ```ts
   * const form = media.withOptions({ layout: V2_UPLOAD_LAYOUT, meta: { mch_id, sign_type: 'MD5', sign } });
   * ```
   */
  withOptions(options: MediaOptions): MediaUtil {
    if (options === null || typeof options !== 'object') throw new ArgumentError('media: options must be an object', 'media');
    return new MediaUtil(this.filename, Buffer.alloc(0), { ...this.#options, contentType: this.fileContentType, ...options, [SHARE]: this.#source } as MediaOptions);
  }

  /**
   * The lower-case hex digest of the file with the layout's algorithm (hashes the file on first call).
   * @throws {ArgumentError} when the file cannot be read
   * @example
   * ```ts
   * await new MediaUtil('id.jpg', bytes, { layout: V2_UPLOAD_LAYOUT }).getDigest(); // md5 hex, the APIv2 media_hash
   * ```
   */
  async getDigest(): Promise<string> {
    return (await this.#digest()).digest;
  }

  /** `multipart/form-data; boundary=…` — the request's content type. */
  getContentType(): string {
    return `multipart/form-data; boundary=${this.boundary}`;
  }

  /**
   * The `meta` JSON string, exactly as sent and signed (hashes the file on first call).
   * @throws {ArgumentError} when the file cannot be read
   */
  async getMeta(): Promise<string> {
    return (await this.#prepare()).meta;
  }

  /** The total multipart body length in bytes (sent as `content-length`). */
  async getLength(): Promise<number> {
    const { head, size } = await this.#prepare();
    return head.length + size + Buffer.byteLength(this.#tail());
  }

  /**
   * A fresh multipart body stream (meta part, extra fields, file part). Each call gives a new
   * stream over the same boundary and meta, so a retried request can be sent again.
   */
  getStream(): MediaBody {
    const stream = Readable.from(this.#parts(), { objectMode: false, highWaterMark: HWM }) as Readable & { [MEDIA]?: MediaUtil };
    Object.defineProperty(stream, MEDIA, { value: this, enumerable: false });
    return stream as MediaBody;
  }

  /**
   * The media behind a `getStream()` body, or `undefined` for any other value.
   * @example
   * ```ts
   * MediaUtil.of(media.getStream()) === media; // true
   * ```
   */
  static of(body: unknown): MediaUtil | undefined {
    if (body === null || typeof body !== 'object') return undefined;
    const media = (body as { [MEDIA]?: unknown })[MEDIA];
    return media instanceof MediaUtil ? media : undefined;
  }

  #tail(): string {
    return `${TAIL_PREFIX}${this.boundary}--\r\n`;
  }

  async #bytes(): Promise<Buffer | undefined> {
    const source = this.#source;
    if (source.bytes) return source.bytes;
    if (source.stream) {
      source.pending ??= collect(source.stream).then((bytes) => {
        source.bytes = bytes;
        source.stream = undefined;
        return bytes;
      });
      return source.pending;
    }
    return undefined;
  }

  #digest(): Promise<{ digest: string; size: number }> {
    const { algorithm } = this.layout;
    let found = this.#source.digests.get(algorithm);
    if (!found) {
      found = (async () => {
        const bytes = await this.#bytes();
        if (bytes) return { digest: createHash(algorithm).update(bytes).digest('hex'), size: bytes.length };
        const path = this.#source.path as string;
        try {
          const info = await fsPromises().stat(path);
          if (!info.isFile()) throw new ArgumentError(`media: "${path}" is not a regular file`, 'media');
          const hash = createHash(algorithm);
          let size = 0;
          // one reused buffer: the hash copies what it needs, so this pass leaves no garbage behind
          const file = await fsPromises().open(path, 'r');
          try {
            const buffer = Buffer.allocUnsafe(HWM);
            for (;;) {
              const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
              if (bytesRead === 0) break;
              hash.update(buffer.subarray(0, bytesRead));
              size += bytesRead;
            }
          } finally {
            await file.close();
          }
          return { digest: hash.digest('hex'), size };
        } catch (cause) {
          if (cause instanceof ArgumentError) throw cause;
          throw new ArgumentError(`media: cannot read "${path}": ${(cause as Error).message}`, 'media', { cause });
        }
      })();
      // a failed read may succeed later (the file appears): do not cache failures
      found.catch(() => this.#source.digests.delete(algorithm));
      this.#source.digests.set(algorithm, found);
    }
    return found;
  }

  #prepare(): Promise<Prepared> {
    this.#prepared ??= this.#digest().then(({ digest, size }) => {
      const layout = this.layout;
      const meta: Record<string, unknown> = {};
      if (layout.nameKey) meta[layout.nameKey] = this.filename;
      meta[layout.digestKey] = digest;
      for (const [key, value] of Object.entries(layout.constants ?? {})) meta[key] = value;
      if (layout.fileTypeKey) meta[layout.fileTypeKey] = extname(this.filename).slice(1).toUpperCase();
      for (const [key, value] of Object.entries(this.#options.meta ?? {})) {
        if (key === layout.digestKey || key === layout.nameKey) {
          throw new ArgumentError(`media: meta.${key} is computed from the file and cannot be given`, 'meta');
        }
        meta[key] = value;
      }
      const json = JSON.stringify(meta);
      let head = '';
      if (layout.form) {
        // APIv2 form: the meta fields are plain form fields
        for (const [key, value] of Object.entries(meta)) {
          const text = typeof value === 'string' ? value : JSON.stringify(value);
          head += `--${this.boundary}\r\nContent-Disposition: form-data; name="${quoted(key)}"\r\n\r\n${text}\r\n`;
        }
      } else {
        head = `--${this.boundary}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n${json}\r\n`;
      }
      for (const [key, value] of Object.entries(this.#options.fields ?? {})) {
        head += `--${this.boundary}\r\nContent-Disposition: form-data; name="${quoted(key)}"\r\n\r\n${value}\r\n`;
      }
      head += `--${this.boundary}\r\nContent-Disposition: form-data; name="${quoted(layout.field)}"; filename="${quoted(this.filename)}"\r\nContent-Type: ${this.fileContentType}\r\n\r\n`;
      return { meta: json, head: Buffer.from(head), size, digest };
    });
    this.#prepared.catch(() => (this.#prepared = undefined));
    return this.#prepared;
  }

  async *#parts(): AsyncGenerator<Buffer> {
    const { head, size, digest } = await this.#prepare();
    yield head;
    const bytes = await this.#bytes();
    if (bytes) {
      yield bytes;
    } else {
      const path = this.#source.path as string;
      // hash again while sending: a file changed after signing must not go out under the old digest
      const hash = createHash(this.layout.algorithm);
      let sent = 0;
      for await (const chunk of nodeFs.createReadStream(path, { highWaterMark: HWM }) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        sent += chunk.length;
        if (sent > size) break;
        yield chunk;
      }
      if (sent !== size || hash.digest('hex') !== digest) {
        throw new ArgumentError(`media: "${path}" changed while it was being uploaded`, 'media');
      }
    }
    yield Buffer.from(this.#tail());
  }
}
