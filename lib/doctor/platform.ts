/**
 * WeChat Pay's side: the `certs` entries (`certs-not-merchant`, `public-key-id`) and the
 * certificates' dates (`certificate-expiry`).
 * @module
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { normalizeSerial } from '../crypto/keys.js';
import { fold, type DoctorCheck, type Finding } from './check.js';
import { canonicalSerial, day, HEX, looksLikePublicKeyId, PUB_KEY_ID, sameKey, serialForm, shown, type Material } from './material.js';
import type { MerchantCertificateInput } from './merchant.js';

/**
 * One `certs` entry, loaded.
 * @example
 * ```ts
 * const entry: CertsEntry = { name: 'PUB_KEY_ID_0114232134912410000000000000', material: loadMaterial(pem, 'certs') };
 * ```
 */
export interface CertsEntry {
  name: string;
  material: Material;
}

const PUBLIC_KEY_HINT = 'In public-key mode certs holds { "PUB_KEY_ID_…": pub_key.pem }: the id and the file from 商户平台 → 账户中心 → API安全 → 微信支付公钥.';
const CERTIFICATE_HINT = 'In certificate mode certs holds { "<platform certificate serial>": wechatpay_<serial>.pem }, as `wxpay crt -o ./certs` writes them.';

/**
 * `certs-not-merchant`: no entry is the merchant's own certificate or key. Keys are compared (the
 * private key's public half, and the merchant certificate's key when given), and serials too.
 * @example
 * ```ts
 * checkCertsNotMerchant(entries, config.serial, privateKey, merchant);
 * ```
 */
export function checkCertsNotMerchant(entries: readonly CertsEntry[], serial: unknown, privateKey: KeyObject | undefined, merchant: MerchantCertificateInput | undefined): DoctorCheck {
  const own = [
    { key: privateKey, what: 'the key pair of privateKey' },
    { key: merchant?.material.key, what: 'the key of the merchant certificate' },
  ].filter((o): o is { key: KeyObject; what: string } => o.key !== undefined);
  const ownKeys = own.map((o) => o.key);
  const ownSerial = typeof serial === 'string' && serial !== '' ? canonicalSerial(serial) : undefined;
  const findings: Finding[] = [];
  const hint = `certs holds WeChat Pay's keys — platform certificates or the WeChat Pay public key — never apiclient_cert.pem or apiclient_key.pem: remove the entry. ${PUBLIC_KEY_HINT}`;
  for (const { name, material } of entries) {
    const label = `certs[${shown(name)}]`;
    const mine = material.key && own.find((o) => sameKey(o.key, material.key as KeyObject));
    if (mine) {
      findings.push({ status: 'fail', line: `${label} holds the merchant's own ${material.certificate ? 'certificate' : 'public key'} (${mine.what}): answers would never verify with it`, hint });
    } else if (ownSerial && material.certificate && canonicalSerial(material.certificate.serialNumber) === ownSerial) {
      findings.push({ status: 'fail', line: `${label} holds a certificate with the merchant's serial ${material.certificate.serialNumber}`, hint });
    } else if (ownSerial && canonicalSerial(name) === ownSerial) {
      findings.push({ status: 'fail', line: `${label} is named after the merchant's serial`, hint });
    }
  }
  if (findings.length > 0) return fold('certs-not-merchant', findings, { message: '' });
  const compared = ownKeys.length > 0 ? 'keys and serials compared' : 'serials compared only: privateKey did not load';
  if (entries.length === 0) return fold('certs-not-merchant', [], { message: 'certs is empty (see public-key-id)' });
  return fold('certs-not-merchant', [], {
    status: ownKeys.length > 0 ? 'ok' : 'warn',
    message: `no certs entry (of ${entries.length}) is the merchant's certificate or key (${compared})`,
    hint: ownKeys.length > 0 ? '' : 'Fix privateKey so its key can be compared.',
  });
}

/**
 * `public-key-id`: each `PUB_KEY_ID_…` entry has that shape and holds a public key (not a
 * certificate); each other entry is a certificate whose serial is the entry's name.
 * @example
 * ```ts
 * checkPublicKeyIds([{ name: 'PUB_KEY_ID_0114232134912410000000000000', material: loadMaterial(pem, 'certs') }]);
 * ```
 */
export function checkPublicKeyIds(entries: readonly CertsEntry[]): DoctorCheck {
  const findings: Finding[] = [];
  for (const { name, material } of entries) {
    const label = `certs[${shown(name)}]`;
    if (material.error !== undefined) {
      findings.push({ status: 'fail', line: `${label} does not load: ${material.error}`, hint: 'Point the entry at the file itself (a file:// URL or a path) or paste its PEM text whole.' });
      continue;
    }
    if (looksLikePublicKeyId(name)) {
      if (!PUB_KEY_ID.test(name)) {
        const fixed = `PUB_KEY_ID_${name.replace(/^.*?pub[\s_-]*key[\s_-]*id[\s_-]*/i, '').replace(/\s+$/, '')}`;
        findings.push({ status: 'fail', line: `${label} is not shaped like a public key id (PUB_KEY_ID_ then digits): answers name it exactly, so it never matches`, hint: `Copy the id again from 商户平台 → API安全 → 微信支付公钥${PUB_KEY_ID.test(fixed) ? `; probably ${shown(fixed)}` : ''}.` });
      } else if (material.certificate) {
        findings.push({ status: 'fail', line: `${label} holds a certificate (serial ${material.certificate.serialNumber}), not the WeChat Pay public key: answers signed with ${name} do not verify with it`, hint: PUBLIC_KEY_HINT });
      } else {
        findings.push({ status: 'ok', line: `${label}: a WeChat Pay public key (public-key mode)` });
      }
      continue;
    }
    if (!HEX.test(name)) {
      findings.push({ status: 'fail', line: `${label} is named neither PUB_KEY_ID_… nor like a certificate serial (hex digits)`, hint: `${PUBLIC_KEY_HINT} ${CERTIFICATE_HINT}` });
      continue;
    }
    if (!material.certificate) {
      findings.push({ status: 'warn', line: `${label} holds a bare public key under a certificate serial: whether it is that certificate's key cannot be told`, hint: `Give the platform certificate itself (wechatpay_${name}.pem). ${CERTIFICATE_HINT}` });
      continue;
    }
    const actual = material.certificate.serialNumber;
    if (canonicalSerial(name) !== canonicalSerial(actual)) {
      findings.push({ status: 'fail', line: `${label} holds the certificate of serial ${actual}: answers signed with ${name} will not find it`, hint: `Name each certificate entry by its own serial (certs["${actual}"]). ${CERTIFICATE_HINT}` });
      continue;
    }
    // the client keeps a certificate serial in upper case: only the digits must match
    const form = serialForm(normalizeSerial(name), actual);
    if (form) {
      findings.push({ status: 'warn', line: `${label}: the certificate of serial ${actual}, named ${form}; Wechatpay-Serial is matched digit for digit`, hint: `Name it ${shown(actual)}, as WeChat Pay writes it in Wechatpay-Serial.` });
      continue;
    }
    const written = serialForm(name, actual);
    findings.push({ status: 'ok', line: `${label}: a platform certificate (certificate mode)${written ? `, named ${written}: Wechatpay-Serial is matched regardless of case` : ''}` });
  }
  return fold('public-key-id', findings, {
    status: 'fail',
    message: 'certs is empty: no answer from WeChat Pay can be verified (every request ends in VerificationError unknown-serial)',
    hint: `${PUBLIC_KEY_HINT} ${CERTIFICATE_HINT}`,
  });
}

const DAY = 86_400_000;
/**
 * Certificates expiring within this many days are a warning.
 * @example
 * ```ts
 * EXPIRY_WARNING_DAYS; // 30
 * ```
 */
export const EXPIRY_WARNING_DAYS = 30;

/**
 * `certificate-expiry`: fail for an expired platform or merchant certificate, warn for one
 * expiring within {@link EXPIRY_WARNING_DAYS} days or not valid yet.
 * @example
 * ```ts
 * checkCertificateExpiry(entries, merchant, Date.now());
 * ```
 */
export function checkCertificateExpiry(entries: readonly CertsEntry[], merchant: MerchantCertificateInput | undefined, now: number): DoctorCheck {
  const all: Array<{ label: string; certificate: X509Certificate; own: boolean }> = [];
  for (const { name, material } of entries) if (material.certificate) all.push({ label: `platform certificate certs[${shown(name)}]`, certificate: material.certificate, own: false });
  if (merchant?.material.certificate) all.push({ label: `merchant certificate (${merchant.label})`, certificate: merchant.material.certificate, own: true });
  const renew = (own: boolean) =>
    own
      ? 'Apply for a new merchant API certificate (商户平台 → 账户中心 → API安全 → API证书 → 更换证书); it comes with a new key and serial: update privateKey and serial together.'
      : 'Remove the entry and download the current platform certificates (wxpay crt -o ./certs, or let CertificateManager keep them) — or move to public-key mode (PUB_KEY_ID_… with pub_key.pem).';
  const findings: Finding[] = all.map(({ label, certificate, own }) => {
    const from = new Date(certificate.validFrom);
    const to = new Date(certificate.validTo);
    const days = Math.floor((to.getTime() - now) / DAY);
    if (to.getTime() <= now) return { status: 'fail', line: `${label} expired on ${day(to)}`, hint: renew(own) };
    if (from.getTime() > now) return { status: 'warn', line: `${label} is not valid before ${day(from)}`, hint: 'Check the local clock (see clock-skew with --online); a certificate that is not valid yet is not in use yet.' };
    if (days < EXPIRY_WARNING_DAYS) return { status: 'warn', line: `${label} expires on ${day(to)}, in ${days} day${days === 1 ? '' : 's'}`, hint: renew(own) };
    return { status: 'ok', line: `${label} valid until ${day(to)}` };
  });
  return fold('certificate-expiry', findings, { message: 'no certificate to check (public keys do not expire; give --cert to check the merchant certificate)' });
}
