/**
 * What `diagnose()` and `wxpay doctor` report: one {@link DoctorCheck} per check id, each `ok`,
 * `warn` or `fail` with a message (what was found) and a hint (what to do).
 * @module
 */
import type { ClientConfig } from '../client/config.js';
import type { KeyLike } from '../crypto/keys.js';

/**
 * Every check, in the order they are reported. The first ones read only the configuration; the
 * last three (`clock-skew`, `signature`, `mode`) send one signed request and run only when asked.
 * @example
 * ```ts
 * CHECK_IDS.includes('signature'); // true
 * ```
 */
export const CHECK_IDS = [
  'config',
  'private-key',
  'key-matches-certificate',
  'serial-matches-certificate',
  'certs-not-merchant',
  'public-key-id',
  'certificate-expiry',
  'apiv3-key',
  'apiv2-secret',
  'clock-skew',
  'signature',
  'mode',
] as const;

/**
 * A check's stable id.
 * @example
 * ```ts
 * const id: CheckId = 'key-matches-certificate';
 * ```
 */
export type CheckId = (typeof CHECK_IDS)[number];

/**
 * `ok`; `warn` (works, but something deserves a look, or the check could not run); `fail`
 * (WeChat Pay or this client will refuse something).
 * @example
 * ```ts
 * const status: CheckStatus = 'warn';
 * ```
 */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/**
 * One check's result. `message` may span lines; neither it nor `hint` ever holds key material,
 * an APIv2/APIv3 key or a signature value.
 * @example
 * ```ts
 * const check: DoctorCheck = { id: 'apiv3-key', status: 'fail', message: 'apiv3Key is 31 bytes; the APIv3 key is exactly 32', hint: 'Copy the APIv3 key again…' };
 * ```
 */
export interface DoctorCheck {
  id: CheckId;
  status: CheckStatus;
  message: string;
  /** What to do; empty when there is nothing to do. */
  hint: string;
}

/**
 * What `diagnose()` resolves to (and `wxpay doctor --json` prints).
 * @example
 * ```ts
 * const { checks }: Diagnosis = await diagnose(config);
 * const failed = checks.filter((c) => c.status === 'fail');
 * ```
 */
export interface Diagnosis {
  checks: DoctorCheck[];
}

/**
 * The configuration to diagnose: what `Builder.factory` takes (any field may be missing or wrong,
 * that is what is being looked for), plus the APIv3 key, which the client itself never needs.
 * @example
 * ```ts
 * const config: DoctorConfig = { mchid: '1900000109', serial, privateKey: 'file:///etc/wechatpay/apiclient_key.pem', certs, apiv3Key: process.env.WECHATPAY_APIV3_KEY };
 * ```
 */
export type DoctorConfig = Partial<ClientConfig> & {
  /** The APIv3 key (APIv3密钥, 32 bytes): notifications, certificate downloads, encrypted bills. */
  apiv3Key?: string | Uint8Array;
};

/**
 * Options of `diagnose()`.
 * @example
 * ```ts
 * await diagnose(config, { merchantCertificate: 'file:///etc/wechatpay/apiclient_cert.pem', online: true });
 * ```
 */
export interface DiagnoseOptions {
  /**
   * The merchant API certificate (`apiclient_cert.pem`), in any form a `certs` value takes (PEM
   * text, a file path or `file://` URL, Buffer). Defaults to `config.merchant.cert` when that is set.
   */
  merchantCertificate?: KeyLike;
  /** Send one signed `GET /v3/certificates` to check the clock, the signature and the mode (default false). */
  online?: boolean;
}

/**
 * Builds a check result.
 * @example
 * ```ts
 * result('apiv2-secret', 'ok', 'secret is 32 bytes');
 * ```
 */
export function result(id: CheckId, status: CheckStatus, message: string, hint = ''): DoctorCheck {
  return { id, status, message, hint };
}

const RANK: Readonly<Record<CheckStatus, number>> = { ok: 0, warn: 1, fail: 2 };

/**
 * The worst of some statuses (`ok` for none).
 * @example
 * ```ts
 * worst(['ok', 'warn']); // 'warn'
 * ```
 */
export function worst(statuses: Iterable<CheckStatus>): CheckStatus {
  let out: CheckStatus = 'ok';
  for (const status of statuses) if (RANK[status] > RANK[out]) out = status;
  return out;
}

/**
 * One finding of a check that looks at several things (entries of `certs`, certificates).
 * @example
 * ```ts
 * const finding: Finding = { status: 'warn', line: 'certs["ABC…"]: named without its leading zero', hint: 'Name it "0ABC…"' };
 * ```
 */
export interface Finding {
  status: CheckStatus;
  line: string;
  hint?: string;
}

/**
 * Folds findings into one result: the worst status, a line per finding, and the hints of the
 * findings of that status (each once).
 * @example
 * ```ts
 * fold('public-key-id', [{ status: 'ok', line: 'certs["PUB_KEY_ID_…"]: a WeChat Pay public key' }], { message: 'certs is empty', status: 'fail' });
 * ```
 */
export function fold(id: CheckId, findings: readonly Finding[], empty: { message: string; status?: CheckStatus; hint?: string }): DoctorCheck {
  if (findings.length === 0) return result(id, empty.status ?? 'ok', empty.message, empty.hint);
  const status = worst(findings.map((f) => f.status));
  const hints = [...new Set(findings.filter((f) => f.status === status && f.hint).map((f) => f.hint as string))];
  return result(id, status, findings.map((f) => f.line).join('\n'), hints.join('\n'));
}
