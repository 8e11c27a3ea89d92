/**
 * Emulator handlers for uploads and bill downloads, so your tests can exercise `MediaUtil` and
 * `downloadBill` in process: every catalog upload endpoint checks that the `meta` digest matches
 * the file part (400 `PARAM_ERROR` otherwise) and answers a `media_id`; the bill endpoints answer
 * a `download_url` whose file is served unsigned, as WeChat Pay does.
 * @module
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { http, HttpResponse, type RequestHandler } from 'msw';
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
}

function paramError(message: string) {
  return HttpResponse.json({ code: 'PARAM_ERROR', message }, { status: 400 });
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
 * ```
 */
export function mediaHandlers(options: MediaHandlerOptions = {}): RequestHandler[] {
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
