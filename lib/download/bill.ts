/**
 * One-call bill downloads: ask for the bill (`v3/bill/tradebill`, `v3/bill/fundflowbill`,
 * `v3/ecommerce/bill/fundflowbill`, …), follow its `download_url` with a signed GET, and stream
 * the file to a path or a Writable — gunzipped when `tar_type=GZIP`, digest checked on the way.
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import type { ChainNode } from '../chain/types.js';
import type { RequestOptions } from '../endpoint/options.js';
import { loadKey, type KeyLike } from '../crypto/keys.js';
import { ArgumentError, DecodeError, VerificationError } from '../errors.js';
import { recordOf } from '../client/registry.js';
import { rsaDecrypt } from '../crypto/rsa.js';
import { parseDownloadURL } from '../routing/hosts.js';
import { billCipher, billKeyLength, type BillAlgorithm, type BillDecryption } from './decrypt-stream.js';
import { hashAlgorithm, saveStream, type ExpectedDigest, type SaveResult } from './save-stream.js';

/**
 * A client, or anything with the chain's `chain(path)`.
 * @example
 * ```ts
 * const target: ChainClient = Builder.factory(config);
 * ```
 */
export type ChainClient = Pick<ChainNode, 'chain'>;

/**
 * A downloadable file as the bill endpoints describe it.
 * @example
 * ```ts
 * const file: DownloadableFile = { download_url: 'https://api.mch.weixin.qq.com/v3/billdownload/file?token=…', hash_type: 'SHA1', hash_value: '79bb…' };
 * ```
 */
export interface DownloadableFile {
  download_url: string;
  /** SHA1 or SHA256; with `hash_value`, checked while streaming. */
  hash_type?: string;
  hash_value?: string;
  /** Present on the ecommerce / sub-merchant list entries. */
  bill_sequence?: number;
  /** Present on encrypted bills: the file key, RSAES-OAEP (SHA-1) encrypted with the merchant's public key, base64. */
  encrypt_key?: string;
  /** Present on encrypted bills: the GCM IV of the file. */
  nonce?: string;
}

/**
 * Where a file goes: a path, a Writable, or (for bills split in several files) one per entry.
 * @example
 * ```ts
 * const to: DownloadTarget = (file, index) => `/data/fund-${file.bill_sequence ?? index + 1}.csv`;
 * ```
 */
export type DownloadTarget = string | Writable | ((file: DownloadableFile, index: number) => string | Writable);

/**
 * Options of {@link downloadFile} and {@link downloadBill}.
 * @example
 * ```ts
 * const options: FileDownloadOptions = { gunzip: true, timeout: 120_000 };
 * ```
 */
export interface FileDownloadOptions {
  /** Gunzip the file (default: whether the bill was asked with `tar_type=GZIP`). */
  gunzip?: boolean;
  /** Milliseconds for the whole download, headers and body (default: the client's timeout). */
  timeout?: number;
  /** Aborts the download (the partial file is deleted). */
  signal?: AbortSignal;
  /** Extra headers for the file GET. */
  headers?: Readonly<Record<string, string>>;
  /**
   * The algorithm encrypted bills (entries with `encrypt_key`) were asked with; `downloadBill`
   * takes it from the query's `algorithm` / `encryption_algorithm`. Default `AEAD_AES_256_GCM`.
   */
  algorithm?: BillAlgorithm;
  /**
   * The merchant private key that unwraps `encrypt_key`. Only needed for a {@link ChainClient} not
   * made by `Builder.factory`: a client made there uses its own `privateKey`.
   */
  privateKey?: KeyLike;
  /**
   * Hash on a worker thread while the event loop receives and writes (default false). Worth it
   * for very large files on a fast link with a core to spare; on 2 cores it measured from 19%
   * slower to 14% faster than hashing on the loop, for more CPU in all (docs/guides/performance.md).
   */
  offThreadHash?: boolean;
}

/**
 * The bill endpoints {@link downloadBill} knows, by template.
 * @example
 * ```ts
 * BILL_ENDPOINTS.includes('v3/bill/tradebill'); // true
 * ```
 */
export const BILL_ENDPOINTS: readonly string[] = Object.freeze([
  'v3/bill/tradebill',
  'v3/bill/fundflowbill',
  'v3/bill/sub-merchant-fundflowbill',
  'v3/ecommerce/bill/fundflowbill',
  'v3/profitsharing/bills',
  'v3/payscore/merchant-bill',
]);

/**
 * The signed file GET: the path and query exactly as given, sent with the URL's origin as the
 * request's own `baseURL` (so a WeChat Pay origin goes where the client's `hosts` send it). An
 * origin the client does not know is refused before anything is sent, so the `Authorization`
 * never leaves for a foreign host.
 */
function fileRequestOf(client: ChainClient, url: URL): { path: string; baseURL: string | undefined } {
  const record = recordOf(client);
  // a ChainClient not made by Builder.factory: its own chain decides where requests go
  if (record !== undefined && !record.origins.has(url.origin)) {
    throw new ArgumentError(
      `download_url: origin ${url.origin.slice(0, 120)} is neither a WeChat Pay origin nor one this client sends to (baseURL, hosts, failover); the signed GET is not sent there`,
      'download_url',
    );
  }
  // the path and query are signed exactly as given; braces would read as template variables
  const path = (url.pathname + url.search).replace(/^\/+/, '').replace(/[{}<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return { path, baseURL: record === undefined ? undefined : `${url.origin}/` };
}

function fileKeyOf(client: ChainClient, file: DownloadableFile, options: FileDownloadOptions): BillDecryption {
  const cipher = billCipher(options.algorithm ?? 'AEAD_AES_256_GCM');
  if (typeof file.encrypt_key !== 'string' || file.encrypt_key === '') throw new ArgumentError('file: encrypt_key must be the base64 file key of the bill', 'file');
  if (typeof file.nonce !== 'string' || file.nonce === '') throw new ArgumentError('file: an encrypted bill (encrypt_key) comes with its nonce', 'file');
  const own = options.privateKey === undefined ? undefined : loadKey(options.privateKey, 'private', 'privateKey');
  const unwrap = own !== undefined ? (ciphertext: Buffer) => rsaDecrypt(own, ciphertext) : recordOf(client)?.unwrapKey;
  if (unwrap === undefined) {
    throw new ArgumentError('privateKey: this client was not made by Builder.factory; pass the merchant private key in options.privateKey to unwrap encrypt_key', 'privateKey');
  }
  let key: Buffer;
  try {
    key = unwrap(Buffer.from(file.encrypt_key, 'base64'));
  } catch {
    // no cause: it would only repeat OpenSSL's padding error
    throw new VerificationError('decrypt-failed', 'encrypt_key does not decrypt with the merchant private key (RSAES-OAEP, SHA-1): a wrong key or a corrupted answer');
  }
  if (key.length !== billKeyLength(cipher)) {
    key.fill(0);
    throw new VerificationError('decrypt-failed', `encrypt_key unwraps to ${key.length} bytes, not the ${billKeyLength(cipher)} of a ${cipher} key`);
  }
  return { cipher, key, nonce: Buffer.from(file.nonce, 'utf8') };
}

/**
 * Downloads one file from its `download_url` with a signed GET and streams it to `to`. The GET goes
 * to the URL's origin when the client knows it — a WeChat Pay origin (sent where `baseURL` /
 * `hosts` map it, e.g. `https://api.mch.weixin.qq.com` to your `baseURL`) or an origin the client
 * already sends to — with the URL's path and query signed as given (after the target's own path).
 * Encrypted bills (entries with `encrypt_key` and `nonce`) are decrypted while they stream: the
 * file key is unwrapped with the merchant private key, the file deciphered with
 * `AEAD_AES_256_GCM` (empty associated data, 16-byte tag at the end), then gunzipped and hashed.
 * @throws {ArgumentError} field `download_url` for an origin the client does not know (nothing is sent);
 *   field `algorithm` for SM4_GCM when this Node.js has no `sm4-gcm`
 * @throws {VerificationError} reason `decrypt-failed` when `encrypt_key` does not unwrap (nothing is
 *   downloaded) or the file does not authenticate (no file is left behind)
 * @throws {VerificationError} reason `digest-mismatch` (no file is left behind)
 * @throws {HttpError} when the file GET is refused (e.g. an expired token)
 * @throws {NetworkError} / {TimeoutError} when the transfer fails (no file is left behind)
 * @example
 * ```ts
 * const { data } = await client.v3.bill.tradebill.get({ query: { bill_date: '2019-06-11' } });
 * await downloadFile(client, data as DownloadableFile, '/data/trade-2019-06-11.csv');
 * // an encrypted entry of v3/bill/sub-merchant-fundflowbill (asked with algorithm AEAD_AES_256_GCM, tar_type GZIP)
 * await downloadFile(client, entry, '/data/fund.csv', { gunzip: true });
 * ```
 */
export async function downloadFile(client: ChainClient, file: DownloadableFile, to: string | Writable, options: FileDownloadOptions = {}): Promise<SaveResult> {
  if (file === null || typeof file !== 'object' || typeof file.download_url !== 'string') {
    throw new ArgumentError('file: expected { download_url, hash_type, hash_value } from a bill endpoint', 'file');
  }
  if ((file.hash_type === undefined) !== (file.hash_value === undefined)) {
    throw new ArgumentError('file: hash_type and hash_value come together', 'file');
  }
  if (file.hash_type !== undefined) hashAlgorithm(file.hash_type);
  const digest: ExpectedDigest | undefined = file.hash_type !== undefined ? { hash_type: file.hash_type, hash_value: file.hash_value as string } : undefined;
  const { path, baseURL } = fileRequestOf(client, parseDownloadURL(file.download_url));
  // unwrapped before the file GET: a key that does not fit downloads nothing
  const decrypt = file.encrypt_key === undefined ? undefined : fileKeyOf(client, file, options);
  const request: RequestOptions = { stream: true };
  if (baseURL !== undefined) request.baseURL = baseURL;
  if (options.timeout !== undefined) request.timeout = options.timeout;
  if (options.signal !== undefined) request.signal = options.signal;
  if (options.headers !== undefined) request.headers = options.headers;
  try {
    const res = await client.chain(path).get(request);
    if (Buffer.isBuffer(res.body) && res.body.length === 0) {
      throw new DecodeError(`GET ${path.split('?')[0]} answered ${res.status} without a file`, { status: res.status });
    }
    const offThread = options.offThreadHash === true;
    return await saveStream(res.body as Readable, to, { gunzip: options.gunzip === true, digest, offThread, ...(decrypt === undefined ? {} : { decrypt }) });
  } finally {
    // the decipher kept its own copy; the unwrapped key does not outlive the download
    decrypt?.key.fill(0);
  }
}

/**
 * Asks a bill endpoint for its file(s) and downloads them: one call from bill date to a checked
 * file on disk. Gunzips when the query says `tar_type: 'GZIP'` (unless `gunzip` says otherwise).
 * Bills split in several files (`download_bill_list`) need `to` as a function of the entry.
 * Encrypted entries (`encrypt_key`) are decrypted with the algorithm of the query's `algorithm`
 * (or `encryption_algorithm`); one this Node.js cannot decrypt (SM4_GCM without `sm4-gcm`) is an
 * `ArgumentError` before the bill is asked.
 * @returns one result per file, in the order of the answer
 * @example
 * ```ts
 * import { downloadBill } from 'wechatpay-chain';
 * const [result] = await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11', tar_type: 'GZIP' } }, '/data/trade-2019-06-11.csv');
 * console.log(result.bytes, result.digest);
 * ```
 */
export async function downloadBill(
  client: ChainClient,
  template: string,
  request: RequestOptions,
  to: DownloadTarget,
  options: FileDownloadOptions = {},
): Promise<SaveResult[]> {
  if (typeof template !== 'string' || template === '') throw new ArgumentError('template: name a bill endpoint, e.g. v3/bill/tradebill', 'template');
  if (request === null || typeof request !== 'object') throw new ArgumentError('request: expected the bill query options, e.g. { query: { bill_date } }', 'request');
  const perRequest: FileDownloadOptions = { ...options };
  if (perRequest.timeout === undefined && request.timeout !== undefined) perRequest.timeout = request.timeout;
  if (perRequest.signal === undefined && request.signal !== undefined) perRequest.signal = request.signal;
  const gzip = perRequest.gunzip ?? String(request.query?.tar_type ?? '').toUpperCase() === 'GZIP';
  const asked = request.query?.algorithm ?? request.query?.encryption_algorithm;
  if (perRequest.algorithm === undefined && typeof asked === 'string') perRequest.algorithm = asked as BillAlgorithm;
  // an algorithm this Node.js cannot decrypt is refused before the bill is even asked
  if (perRequest.algorithm !== undefined) billCipher(perRequest.algorithm);
  const { data } = await client.chain(template).get({ ...request, stream: false });
  const answer = (data ?? {}) as { download_url?: unknown; download_bill_list?: unknown };
  let files: DownloadableFile[];
  if (typeof answer.download_url === 'string') files = [answer as DownloadableFile];
  else if (Array.isArray(answer.download_bill_list)) files = answer.download_bill_list as DownloadableFile[];
  else throw new DecodeError(`${template} answered without download_url or download_bill_list`);

  if (files.length > 1 && typeof to !== 'function') {
    throw new ArgumentError(`to: ${template} answered ${files.length} files; pass a function (file, index) => path or Writable`, 'to');
  }
  const results: SaveResult[] = [];
  for (const [index, file] of files.entries()) {
    const target = typeof to === 'function' ? to(file, index) : to;
    results.push(await downloadFile(client, file, target, { ...perRequest, gunzip: gzip }));
  }
  return results;
}
