/**
 * `wechatpay-chain/doctor`: `diagnose(config)`, the checks of `wxpay doctor` as a function — what
 * makes WeChat Pay answer 签名错误 or the client refuse an answer (a key that is not the
 * certificate's, the merchant certificate filed as a platform certificate, a clock off by
 * minutes, certificate mode against public-key mode), found before the first request.
 *
 * DESIGN (lib/doctor/): reads files and keys without throwing, one check per id (./check.ts);
 * with `online: true` sends exactly one signed `GET /v3/certificates` through a client built from
 * the configuration (./probe.ts); no message ever holds key material, a key or a signature.
 * @example
 * ```ts
 * import { diagnose, formatDiagnosis } from 'wechatpay-chain/doctor';
 * process.stdout.write(formatDiagnosis(await diagnose(config, { online: true })));
 * ```
 * @module
 */
export { diagnose } from './diagnose.js';
export { CHECK_IDS } from './check.js';
export type { CheckId, CheckStatus, DiagnoseOptions, Diagnosis, DoctorCheck, DoctorConfig } from './check.js';
export { formatDiagnosis } from './format.js';
export { SIGN_ERROR_CHECKLIST } from './online.js';
