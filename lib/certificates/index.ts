/**
 * `wechatpay-chain/certificates`: platform certificates (平台证书), for merchants in certificate
 * mode — `downloadCertificates` (bootstrap: verified with the certificates it carries, which only
 * the APIv3 key decrypts), `writeCertificates`, and the `CertificateManager` that keeps
 * `client.verifier` current. A merchant in public-key mode (微信支付公钥) needs none of it: a
 * download says so with a `PublicKeyModeError`.
 *
 * DESIGN (lib/certificates/): the bootstrap step sits inside `verify` (the only library step
 * there besides the debug log) so it can read an answer before it is verified with what it
 * carries; a failed refresh changes nothing the client already trusts.
 * @example
 * ```ts
 * import { CertificateManager } from 'wechatpay-chain/certificates';
 * const manager = await CertificateManager.start(client, { apiv3Key });
 * ```
 * @module
 */
export { decryptCertificates, downloadCertificates, writeCertificates } from './download.js';
export type { CertificateDownloadOptions, PlatformCertificate } from './download.js';
export { CertificateManager } from './manager.js';
export type { CertificateManagerOptions } from './manager.js';
