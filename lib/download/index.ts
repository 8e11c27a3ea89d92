/**
 * `wechatpay-chain/download`: bills and files — `downloadBill` (ask a bill endpoint, follow its
 * `download_url` with a signed GET, stream to a path or a Writable: gunzipped, decrypted, digest
 * checked), `downloadFile` for one entry, `saveStream` for a stream of your own, `parseBill` for
 * the CSV, `decryptBill` for an encrypted bill's bytes.
 *
 * DESIGN (lib/download/): a file is all or nothing — written under a temporary name
 * (./temp-file.ts) and renamed only once its digest matched; the signed GET goes only to an
 * origin the client knows (its registry, lib/client/registry.ts); the body is never held whole.
 * @example
 * ```ts
 * import { downloadBill, parseBill } from 'wechatpay-chain/download';
 * await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, '/data/trade.csv');
 * for await (const row of parseBill('/data/trade.csv')) console.log(row.fields);
 * ```
 * @module
 */
export { BILL_ENDPOINTS, downloadBill, downloadFile } from './bill.js';
export type { ChainClient, DownloadableFile, DownloadTarget, FileDownloadOptions } from './bill.js';
export { saveStream } from './save-stream.js';
export type { ExpectedDigest, HashType, SaveOptions, SaveResult } from './save-stream.js';
export { billCipher, decryptBill } from './decrypt-stream.js';
export type { BillAlgorithm, BillDecryption } from './decrypt-stream.js';
export { parseBill } from './bill-csv.js';
export type { BillRow, ParseBillOptions } from './bill-csv.js';
