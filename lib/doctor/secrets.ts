/**
 * The symmetric keys: `apiv3-key` (AES-256-GCM for notifications, certificate downloads and
 * encrypted bills) and `apiv2-secret` (APIv2 signing). Their values are never printed: only their
 * length and the kind of character that is wrong.
 * @module
 */
import { result, type DoctorCheck, type DoctorConfig } from './check.js';

const KEY_LENGTH = 32;

function bytesOf(value: string | Uint8Array): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** What is wrong with a 32-character key's characters, without showing them. */
function characterProblem(bytes: Buffer): { status: 'fail' | 'warn'; what: string } | undefined {
  const text = bytes.toString('latin1');
  if (/^\s|\s$/.test(text)) return { status: 'fail', what: 'starts or ends with whitespace (a copied line break or space)' };
  if (/\s/.test(text)) return { status: 'fail', what: 'contains whitespace' };
  if (/^["']|["']$/.test(text)) return { status: 'fail', what: 'starts or ends with a quote' };
  if (!/^[0-9A-Za-z]*$/.test(text)) return { status: 'warn', what: 'holds characters other than letters and digits (WeChat Pay\'s keys are 32 letters and digits)' };
  return undefined;
}

const APIV3_WHERE = '商户平台 → 账户中心 → API安全 → 设置APIv3密钥';

/**
 * `apiv3-key`: present (notifications, platform certificate downloads and encrypted bills need
 * it) and exactly 32 bytes.
 * @example
 * ```ts
 * checkApiV3Key({ apiv3Key: process.env.WECHATPAY_APIV3_KEY }).status; // 'ok' for a 32-byte key
 * ```
 */
export function checkApiV3Key(config: DoctorConfig): DoctorCheck {
  const value: unknown = config.apiv3Key;
  if (value === undefined || value === '') {
    return result('apiv3-key', 'warn', 'apiv3Key is not set: notifications (webhooks), platform certificate downloads (wxpay crt, CertificateManager) and encrypted bills need it', `Give the APIv3 key (${APIV3_WHERE}): apiv3Key in the config file or WECHATPAY_APIV3_KEY.`);
  }
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) return result('apiv3-key', 'fail', `apiv3Key is a ${typeof value}, not a string or bytes`, 'Give the APIv3 key as the 32-character string set in the merchant platform.');
  const bytes = bytesOf(value);
  if (bytes.length !== KEY_LENGTH) {
    return result('apiv3-key', 'fail', `apiv3Key is ${bytes.length} bytes; the APIv3 key is exactly ${KEY_LENGTH} (AES-256): nothing encrypted with it will decrypt`, `Copy the APIv3 key again (${APIV3_WHERE}); if it is lost, set a new one there — it is not the APIv2 key and not the certificate serial.`);
  }
  const problem = characterProblem(bytes);
  if (problem) return result('apiv3-key', problem.status, `apiv3Key is ${KEY_LENGTH} bytes but ${problem.what}`, `Copy the APIv3 key again (${APIV3_WHERE}).`);
  return result('apiv3-key', 'ok', `apiv3Key is ${KEY_LENGTH} bytes`);
}

/**
 * `apiv2-secret`: the APIv2 key, needed for `v2/…` requests (a `merchant` certificate for mutual
 * TLS means they are used); 32 bytes, and not the APIv3 key.
 * @example
 * ```ts
 * checkApiV2Secret({ secret: apiv2Key }).status; // 'ok' for a 32-character key
 * ```
 */
export function checkApiV2Secret(config: DoctorConfig): DoctorCheck {
  const value: unknown = config.secret;
  const where = '商户平台 → 账户中心 → API安全 → 设置API密钥 (the APIv2 key)';
  if (value === undefined || value === '') {
    if (config.merchant !== undefined) return result('apiv2-secret', 'fail', 'merchant (the APIv2 mutual-TLS certificate) is set, but secret (the APIv2 key) is not: every v2/… request needs it', `Set secret to the APIv2 key (${where}).`);
    return result('apiv2-secret', 'ok', 'secret is not set (only APIv2 v2/… requests need it)');
  }
  if (typeof value !== 'string') return result('apiv2-secret', 'fail', `secret is a ${typeof value}, not a string`, `Set secret to the APIv2 key (${where}).`);
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length !== KEY_LENGTH) return result('apiv2-secret', 'fail', `secret is ${bytes.length} bytes; the APIv2 key is exactly ${KEY_LENGTH}: every v2/… request is answered 签名错误`, `Copy the APIv2 key again (${where}).`);
  const problem = characterProblem(bytes);
  if (problem) return result('apiv2-secret', problem.status, `secret is ${KEY_LENGTH} bytes but ${problem.what}`, `Copy the APIv2 key again (${where}).`);
  const apiv3: unknown = config.apiv3Key;
  if (apiv3 !== undefined && (typeof apiv3 === 'string' || apiv3 instanceof Uint8Array) && bytesOf(apiv3).equals(bytes)) {
    return result('apiv2-secret', 'warn', 'secret (APIv2 key) and apiv3Key are the same value', 'They are two keys set separately in API安全; check that one was not pasted for the other.');
  }
  return result('apiv2-secret', 'ok', `secret is ${KEY_LENGTH} bytes`);
}
