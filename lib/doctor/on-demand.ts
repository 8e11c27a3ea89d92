/**
 * The root's `diagnose`: the same function as `wechatpay-chain/doctor`'s, loaded on its first
 * call, so `import 'wechatpay-chain'` does not load the doctor's checks: `diagnose` is at the
 * package root, and the root's import stays as light as before.
 * @module
 */
import type { DiagnoseOptions, Diagnosis, DoctorConfig } from './check.js';

/**
 * Checks a configuration the way WeChat Pay will judge it and says what to do about each problem
 * (`wxpay doctor` as a function); see `wechatpay-chain/doctor` for the check ids and
 * `formatDiagnosis`. Reads files and keys only; `online: true` also sends one signed
 * `GET /v3/certificates`. Never puts key material, a key or a signature into a message.
 * @throws {ArgumentError} (as a rejection) when `config` or `options` is not an object
 * @example
 * ```ts
 * import { diagnose } from 'wechatpay-chain';
 * const { checks } = await diagnose({ ...config, apiv3Key: process.env.WECHATPAY_APIV3_KEY }, { online: true });
 * const failed = checks.filter((c) => c.status === 'fail');
 * if (failed.length) throw new Error(failed.map((c) => `${c.id}: ${c.message} — ${c.hint}`).join('\n'));
 * ```
 */
export async function diagnose(config: DoctorConfig, options?: DiagnoseOptions): Promise<Diagnosis> {
  const doctor = await import('./diagnose.js');
  return doctor.diagnose(config, options);
}
