/**
 * `wechatpay-chain/media`: file uploads — `MediaUtil` (wechatpay-php's name), a file laid out as
 * `multipart/form-data` with the `meta` part the signature covers, for the `{ media }` option of
 * a request (or `body: media.getStream()`), and the layouts of the catalog's upload endpoints.
 *
 * DESIGN (lib/media/): a leaf. Request building turns `{ media }` into a body, the APIv3 sign
 * step asks ./prepare.ts for the meta to sign, the APIv2 sign step asks for the digest and the
 * form (lib/apiv2/upload.ts); media imports none of them. A path is hashed in a first streaming
 * pass and streamed again while sending (never read whole), so a retried upload is re-created.
 * @example
 * ```ts
 * import { MediaUtil } from 'wechatpay-chain/media';
 * const { data } = await client.v3.merchant.media.upload.post({ media: new MediaUtil('/path/to/logo.png') });
 * ```
 * @module
 */
export { MediaUtil } from './media-util.js';
export type { MediaBody, MediaOptions, MediaSource } from './media-util.js';
export { DEFAULT_MEDIA_LAYOUT, UPLOAD_ENDPOINTS, uploadLayoutOf, V2_UPLOAD_LAYOUT } from './upload-endpoints.js';
export type { MediaLayout } from './upload-endpoints.js';
