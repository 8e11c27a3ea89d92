/**
 * The upload endpoints of the catalog and how each names its multipart parts and `meta` fields.
 * Most take `{"filename","sha256"}` and a `file` part; a few name the digest differently, use SM3,
 * or a different file part name. The `{ media }` shorthand applies the layout of its endpoint.
 * @module
 */

/**
 * How an upload endpoint lays out its `meta` JSON and multipart parts.
 * @example
 * ```ts
 * const layout: MediaLayout = { nameKey: 'file_name', digestKey: 'file_digest', algorithm: 'sha256', field: 'submission_file' };
 * ```
 */
export interface MediaLayout {
  /** Meta key holding the file name; `null` when the endpoint has none. */
  nameKey: string | null;
  /** Meta key holding the digest. */
  digestKey: string;
  /** Digest algorithm (lower-case hex output); `md5` for the APIv2 `media_hash`. */
  algorithm: 'sha256' | 'sm3' | 'md5';
  /** Name of the file part. */
  field: string;
  /** Constant meta fields the endpoint requires (e.g. the digest algorithm's name). */
  constants?: Readonly<Record<string, string>>;
  /** Meta key set to the upper-case file extension (`PDF`, `OFD`) unless given. */
  fileTypeKey?: string;
  /**
   * No `meta` JSON part: each meta field is sent as a plain form field before the file part
   * (the APIv2 `v2/secapi/mch/uploadmedia` form: `mch_id`, `media_hash`, `sign_type`, `sign`).
   */
  form?: boolean;
}

/**
 * `{"filename","sha256"}` + a `file` part: what most upload endpoints take.
 * @example
 * ```ts
 * new MediaUtil('logo.png', bytes, { layout: { ...DEFAULT_MEDIA_LAYOUT, field: 'image' } });
 * ```
 */
export const DEFAULT_MEDIA_LAYOUT: MediaLayout = Object.freeze({ nameKey: 'filename', digestKey: 'sha256', algorithm: 'sha256', field: 'file' });

const fileNameDigest = (field = 'file'): MediaLayout => Object.freeze({ nameKey: 'file_name', digestKey: 'file_digest', algorithm: 'sha256', field });

/**
 * Every multipart upload endpoint of the catalog (templates as the chain builds them), with its layout.
 * @example
 * ```ts
 * UPLOAD_ENDPOINTS['v3/merchant/media/video_upload']; // DEFAULT_MEDIA_LAYOUT
 * ```
 */
export const UPLOAD_ENDPOINTS: Readonly<Record<string, MediaLayout>> = Object.freeze({
  'v3/merchant/media/upload': DEFAULT_MEDIA_LAYOUT,
  'v3/merchant/media/video_upload': DEFAULT_MEDIA_LAYOUT,
  'v3/marketing/favor/media/image-upload': DEFAULT_MEDIA_LAYOUT,
  'v3/marketing/partner/product-coupon/media/upload-image': DEFAULT_MEDIA_LAYOUT,
  'v3/merchant-service/images/upload': DEFAULT_MEDIA_LAYOUT,
  'v3/global/merchant-service/images/upload': DEFAULT_MEDIA_LAYOUT,
  'v3/global/merchant-storage/file/upload': DEFAULT_MEDIA_LAYOUT,
  // meta also needs bank_type (pass it in `meta`)
  'v3/marketing/bank/packages/{package_id}/tasks': DEFAULT_MEDIA_LAYOUT,
  // meta also carries the order (transaction_id, openid, …); no file name
  'v3/marketing/shopping-receipt/shoppingreceipts': Object.freeze({ nameKey: null, digestKey: 'sha256', algorithm: 'sha256', field: 'file' }),
  'v3/ecommerce/account/cancel-applications/media': fileNameDigest(),
  // item_id and manage_record_id are extra form fields (pass them in `fields`)
  'v3/mch-manage/submission-files/sub-mchid/{sub_mchid}/upload': fileNameDigest('submission_file'),
  // meta also needs sub_mchid and item_id
  'v3/mch-operation-manage/enhanced-due-diligence/{due_diligence_id}/upload': fileNameDigest('due_diligence_file'),
  // SM3 digests; file_type (PDF/OFD) is taken from the extension unless given in `meta`
  'v3/new-tax-control-fapiao/fapiao-applications/upload-fapiao-file': Object.freeze({
    nameKey: null,
    digestKey: 'digest',
    algorithm: 'sm3',
    field: 'file',
    constants: Object.freeze({ digest_alogrithm: 'SM3' }),
    fileTypeKey: 'file_type',
  }),
  // meta also needs company_mchid and region_id
  'v3/taxi-invoice/cards/upload-file': Object.freeze({
    nameKey: null,
    digestKey: 'digest',
    algorithm: 'sm3',
    field: 'file',
    constants: Object.freeze({ digest_algorithm: 'DIGEST_ALGORITHM_SM3' }),
  }),
});

/**
 * The layout of an upload endpoint (a template with or without the `hk/` or `global/` path prefix), or
 * `undefined` when the template is not an upload endpoint of the catalog.
 * @example
 * ```ts
 * uploadLayoutOf('v3/ecommerce/account/cancel-applications/media')?.digestKey; // 'file_digest'
 * ```
 */
export function uploadLayoutOf(template: string): MediaLayout | undefined {
  const bare = template.replace(/^\/+/, '');
  return UPLOAD_ENDPOINTS[bare] ?? UPLOAD_ENDPOINTS[bare.replace(/^(?:hk|global)\//, '')];
}

/**
 * The APIv2 upload form (`v2/secapi/mch/uploadmedia`): no `meta` JSON; `media_hash` (MD5) and the
 * other fields as plain form fields, then the `media` file part. The APIv2 signing step lays an
 * upload out with it and signs the fields.
 * @example
 * ```ts
 * const hash = await new MediaUtil('id.jpg', bytes, { layout: V2_UPLOAD_LAYOUT }).getDigest(); // media_hash
 * ```
 */
export const V2_UPLOAD_LAYOUT: MediaLayout = Object.freeze({ nameKey: null, digestKey: 'media_hash', algorithm: 'md5', field: 'media', form: true });
