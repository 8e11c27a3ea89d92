/**
 * Emulator handlers for uploads and bill downloads, so your tests can exercise `MediaUtil` and
 * `downloadBill` in process: every catalog upload endpoint checks that the `meta` digest matches
 * the file part (400 `PARAM_ERROR` otherwise) and answers a `media_id`; the bill endpoints answer
 * a `download_url` whose file is served unsigned, as WeChat Pay does. Given the merchant's public
 * key, the sub-merchant and ecommerce fund flow bills answer encrypted entries (`encrypt_key`,
 * `nonce`) sealed with AEAD_AES_256_GCM, as WeChat Pay does.
 * @module
 */
import { constants, createCipheriv, createHash, createPublicKey, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { RequestHandler } from 'msw';
import { msw } from '../lazy.js';
import { UPLOAD_ENDPOINTS } from '../media/upload-endpoints.js';

/**
 * Options of {@link mediaHandlers}.
 * @example
 * ```ts
 * const options: MediaHandlerOptions = { bills: { '2019-06-11': '交易时间,…\n`2019-06-11 10:00:00,…\n' } };
 * ```
 */
export interface MediaHandlerOptions {
  /** Bill contents by `bill_date` (served for tradebill and fundflowbill). */
  bills?: Readonly<Record<string, string | Uint8Array>>;
  /** `hash_type` of the answers (default SHA1). */
  hashType?: 'SHA1' | 'SHA256';
  /**
   * The merchant's public key (`emulator.merchant.publicKey`): with it, `v3/bill/sub-merchant-fundflowbill`
   * and `v3/ecommerce/bill/fundflowbill` serve `bills` encrypted (AEAD_AES_256_GCM, file key wrapped
   * with this key by RSAES-OAEP SHA-1; `hash_value` over the plain bill).
   */
  merchantPublicKey?: KeyObject | string;
}

function paramError(message: string) {
  return msw().HttpResponse.json({ code: 'PARAM_ERROR', message }, { status: 400 });
}

function express(template: string): string {
  return `*/${template.replace(/\{(\w+)\}/g, ':$1')}`;
}

/**
 * Upload and bill handlers for the emulator.
 * @example
 * ```ts
 * import { Emulator, mediaHandlers } from 'wechatpay-chain/testing';
 * const emulator = Emulator.create({ handlers: mediaHandlers({ bills: { '2019-06-11': csv } }) });
 * const client = Builder.factory(emulator.clientConfig());
 * await downloadBill(client, 'v3/bill/tradebill', { query: { bill_date: '2019-06-11' } }, '/tmp/bill.csv');
 * // encrypted sub-merchant bills need the merchant's public key
 * emulator.use(...mediaHandlers({ bills, merchantPublicKey: emulator.merchant.publicKey }));
 * ```
 */
export function mediaHandlers(options: MediaHandlerOptions = {}): RequestHandler[] {
  const { http, HttpResponse } = msw();
  const hashType = options.hashType ?? 'SHA1';
  const files = new Map<string, Buffer>();
  let uploads = 0;
  const handlers: RequestHandler[] = Object.entries(UPLOAD_ENDPOINTS).map(([template, layout]) =>
    http.post(express(template), async ({ request }) => {
      let form: FormData;
      try {
        form = await request.formData();
      } catch {
        return paramError('请求体必须是 multipart/form-data');
      }
      let meta: Record<string, unknown>;
      try {
        meta = JSON.parse(String(form.get('meta'))) as Record<string, unknown>;
      } catch {
        return paramError('meta 必须是 JSON 字符串');
      }
      const file = form.get(layout.field);
      if (!(file instanceof Blob)) return paramError(`${layout.field} 为必填参数`);
      const digest = createHash(layout.algorithm).update(Buffer.from(await file.arrayBuffer())).digest('hex');
      if (String(meta[layout.digestKey]).toLowerCase() !== digest) return paramError(`${layout.digestKey} 与文件内容不符`);
      uploads += 1;
      return HttpResponse.json({ media_id: `emulator-media-${uploads}` });
    }),
  );
  const bill = (kind: string) =>
    http.get(`*/v3/bill/${kind}`, ({ request }) => {
      const url = new URL(request.url);
      const date = url.searchParams.get('bill_date') ?? '';
      const content = options.bills?.[date];
      if (content === undefined) return HttpResponse.json({ code: 'NO_STATEMENT_EXIST', message: '账单文件不存在' }, { status: 400 });
      const plain = Buffer.from(content);
      const token = `${kind}-${date}-${files.size}`;
      files.set(token, url.searchParams.get('tar_type') === 'GZIP' ? gzipSync(plain) : plain);
      return HttpResponse.json({
        hash_type: hashType,
        hash_value: createHash(hashType === 'SHA1' ? 'sha1' : 'sha256').update(plain).digest('hex'),
        download_url: `https://api.mch.weixin.qq.com/v3/billdownload/file?token=${encodeURIComponent(token)}`,
      });
    });
  const given = options.merchantPublicKey;
  const merchantKey = given === undefined ? undefined : typeof given !== 'string' && given.type === 'public' ? given : createPublicKey(given);
  const encryptedBill = (template: string) =>
    http.get(`*/${template}`, ({ request }) => {
      const url = new URL(request.url);
      const date = url.searchParams.get('bill_date') ?? '';
      if (url.searchParams.get('algorithm') !== 'AEAD_AES_256_GCM') return paramError('algorithm 仅支持 AEAD_AES_256_GCM');
      const content = options.bills?.[date];
      if (content === undefined) return HttpResponse.json({ code: 'NO_STATEMENT_EXIST', message: '账单文件不存在' }, { status: 400 });
      const plain = Buffer.from(content);
      const key = randomBytes(32);
      const nonce = randomBytes(8).toString('hex');
      const cipher = createCipheriv('aes-256-gcm', key, Buffer.from(nonce));
      const payload = url.searchParams.get('tar_type') === 'GZIP' ? gzipSync(plain) : plain;
      const token = `encrypted-${date}-${files.size}`;
      files.set(token, Buffer.concat([cipher.update(payload), cipher.final(), cipher.getAuthTag()]));
      const encryptKey = publicEncrypt({ key: merchantKey as KeyObject, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, key).toString('base64');
      return HttpResponse.json({
        download_bill_count: 1,
        download_bill_list: [
          {
            bill_sequence: 1,
            download_url: `https://api.mch.weixin.qq.com/v3/billdownload/file?token=${encodeURIComponent(token)}`,
            encrypt_key: encryptKey,
            hash_type: hashType,
            hash_value: createHash(hashType === 'SHA1' ? 'sha1' : 'sha256').update(plain).digest('hex'),
            nonce,
          },
        ],
      });
    });
  if (merchantKey !== undefined) handlers.push(encryptedBill('v3/bill/sub-merchant-fundflowbill'), encryptedBill('v3/ecommerce/bill/fundflowbill'));
  handlers.push(
    bill('tradebill'),
    bill('fundflowbill'),
    http.get('*/v3/billdownload/file', ({ request }) => {
      const bytes = files.get(new URL(request.url).searchParams.get('token') ?? '');
      if (!bytes) return HttpResponse.json({ code: 'INVALID_REQUEST', message: '下载链接已失效' }, { status: 400 });
      return new HttpResponse(new Uint8Array(bytes), { headers: { 'content-type': 'application/octet-stream', 'x-emulator-unsigned': '1' } });
    }),
  );
  return handlers;
}
