/**
 * `diagnose(config, { merchantCertificate?, online? })`: finds what breaks a merchant's setup —
 * the key that is not the certificate's, the merchant certificate filed as a platform certificate,
 * a serial copied wrongly, a clock off by minutes, certificate mode vs public-key mode — before
 * WeChat Pay answers "签名错误". The same checks as `wxpay doctor`.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { CHECK_IDS, type DiagnoseOptions, type Diagnosis, type DoctorCheck, type DoctorConfig } from './check.js';
import { loadMaterial, sourceOf } from './material.js';
import { checkConfig, checkKeyMatchesCertificate, checkPrivateKey, checkSerialMatchesCertificate, type MerchantCertificateInput } from './merchant.js';
import { checkClockSkew, checkMode, checkSignature, confirmApiV3Key, readAnswer } from './online.js';
import { checkCertificateExpiry, checkCertsNotMerchant, checkPublicKeyIds, type CertsEntry } from './platform.js';
import { sendProbe } from './probe.js';
import { checkApiV2Secret, checkApiV3Key } from './secrets.js';

function merchantCertificateOf(config: DoctorConfig, options: DiagnoseOptions): MerchantCertificateInput | undefined {
  if (options.merchantCertificate !== undefined) return { label: sourceOf(options.merchantCertificate), material: loadMaterial(options.merchantCertificate, 'merchantCertificate') };
  const merchant = config.merchant as { cert?: unknown } | undefined;
  if (merchant && typeof merchant === 'object' && merchant.cert !== undefined) return { label: `merchant.cert, ${sourceOf(merchant.cert)}`, material: loadMaterial(merchant.cert, 'merchant.cert') };
  return undefined;
}

function certsEntries(certs: unknown): CertsEntry[] {
  if (certs === undefined || certs === null || typeof certs !== 'object') return [];
  return Object.entries(certs as Record<string, unknown>).map(([name, value]) => ({ name, material: loadMaterial(value, `certs[${JSON.stringify(name)}]`) }));
}

/** Pieces of the secrets in the configuration, to make sure no message carries one. */
function secretsOf(config: DoctorConfig): string[] {
  const out: string[] = [];
  for (const value of [config.apiv3Key, config.secret]) {
    if (typeof value === 'string' && value.trim().length >= 8) out.push(value.trim());
    else if (value instanceof Uint8Array && value.length >= 8) out.push(Buffer.from(value).toString('utf8'));
  }
  if (typeof config.privateKey === 'string' && config.privateKey.includes('-----BEGIN')) {
    for (const line of config.privateKey.split(/\r?\n/)) if (/^[A-Za-z0-9+/=]{16,}$/.test(line.trim())) out.push(line.trim());
  }
  return out;
}

function redact(check: DoctorCheck, secrets: readonly string[]): DoctorCheck {
  return { ...check, message: redactSecrets(check.message, secrets), hint: redactSecrets(check.hint, secrets) };
}

/**
 * Checks a configuration the way WeChat Pay will judge it, and says what to do about each
 * problem. Reads files and keys only; with `online: true` also sends one signed
 * `GET /v3/certificates` (clock, signature, certificate or public-key mode). Never throws for a
 * bad configuration — that is what it reports — and never puts key material, an APIv2/APIv3 key
 * or a signature into a message.
 * @param config what `Builder.factory` takes, plus `apiv3Key`
 * @param options `merchantCertificate` (apiclient_cert.pem, any form a `certs` value takes) and `online`
 * @throws {ArgumentError} only when `config` or `options` is not an object, or `online` not a boolean
 * @example
 * ```ts
 * import { diagnose } from 'wechatpay-chain';
 * const { checks } = await diagnose(
 *   { ...config, apiv3Key: process.env.WECHATPAY_APIV3_KEY },
 *   { merchantCertificate: 'file:///etc/wechatpay/apiclient_cert.pem', online: true },
 * );
 * for (const c of checks) if (c.status !== 'ok') console.error(`${c.status} ${c.id}: ${c.message}\n  ${c.hint}`);
 * ```
 */
export async function diagnose(config: DoctorConfig, options: DiagnoseOptions = {}): Promise<Diagnosis> {
  if (config === null || typeof config !== 'object') throw new ArgumentError('config: expected an object with mchid, serial, privateKey and certs', 'config');
  if (options === null || typeof options !== 'object') throw new ArgumentError('options: expected { merchantCertificate?, online? }', 'options');
  if (options.online !== undefined && typeof options.online !== 'boolean') throw new ArgumentError('online: expected true or false', 'online');

  const merchant = merchantCertificateOf(config, options);
  const entries = certsEntries(config.certs);
  const { check: privateKey, key } = checkPrivateKey(config);
  const platform = entries.flatMap(({ name, material }) => (material.certificate ? [{ name, certificate: material.certificate }] : []));
  const checks: DoctorCheck[] = [
    checkConfig(config),
    privateKey,
    checkKeyMatchesCertificate(key, merchant),
    checkSerialMatchesCertificate(config.serial, merchant, platform, key),
    checkCertsNotMerchant(entries, config.serial, key, merchant),
    checkPublicKeyIds(entries),
    checkCertificateExpiry(entries, merchant, Date.now()),
    checkApiV3Key(config),
    checkApiV2Secret(config),
  ];
  if (options.online === true) {
    const probe = await sendProbe(config);
    const answer = readAnswer(probe, entries);
    const at = checks.findIndex((c) => c.id === 'apiv3-key');
    checks[at] = confirmApiV3Key(checks[at] as DoctorCheck, answer, config);
    checks.push(checkClockSkew(probe), checkSignature(probe, answer), checkMode(probe, answer, entries));
  }
  const secrets = secretsOf(config);
  checks.sort((a, b) => CHECK_IDS.indexOf(a.id) - CHECK_IDS.indexOf(b.id));
  return { checks: checks.map((c) => redact(c, secrets)) };
}
