/**
 * The online checks, all read from the one probe (./probe.ts): `clock-skew`, `signature` and
 * `mode`; and, in certificate mode, whether the APIv3 key decrypts the certificates sent.
 * @module
 */
import { decryptCertificates } from '../certificates/download.js';
import { normalizeSerial } from '../crypto/keys.js';
import { VerificationError } from '../errors.js';
import { printable } from '../printable.js';
import { request as signedMessage } from '../formatter.js';
import { MAX_CLOCK_SKEW, Verifier } from '../apiv3/verifier.js';
import { result, type DoctorCheck, type DoctorConfig } from './check.js';
import { canonicalSerial, PUB_KEY_ID, shown } from './material.js';
import type { CertsEntry } from './platform.js';
import { PROBE_TEMPLATE, type Probe } from './probe.js';

/**
 * Clock differences above this many seconds are a warning; above {@link MAX_CLOCK_SKEW} a failure.
 * @example
 * ```ts
 * CLOCK_WARNING_SECONDS; // 60
 * ```
 */
export const CLOCK_WARNING_SECONDS = 60;

/**
 * What to look at when WeChat Pay answers 401 SIGN_ERROR (also in docs/guides/errors.md).
 * @example
 * ```ts
 * console.error(SIGN_ERROR_CHECKLIST.join('\n'));
 * ```
 */
export const SIGN_ERROR_CHECKLIST: readonly string[] = [
  '1. privateKey is the key of the merchant API certificate: apiclient_key.pem and apiclient_cert.pem of one application, RSA-2048 (private-key; key-matches-certificate: run with --cert apiclient_cert.pem).',
  '2. serial is that certificate\'s serial, in any case (sent in upper case) but with its leading zeros — not a platform certificate\'s serial, not a PUB_KEY_ID_…, no colons (serial-matches-certificate).',
  '3. mchid is the merchant the certificate was issued to: a service provider signs as itself, with its own certificate (config).',
  `4. the local clock is within ${MAX_CLOCK_SKEW / 60} minutes of WeChat Pay's (clock-skew).`,
  '5. the signed message is METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n over the bytes sent: no proxy, gateway or pipeline step after sign may change the path, query or body (signature: the message above).',
  '6. requests go where they were signed for: the path of baseURL is signed; a gateway that strips a prefix before forwarding needs gatewayPrefix (config; signature).',
  '7. the merchant certificate is current — not replaced, revoked or expired (商户平台 → 账户中心 → API安全 → API证书): a new certificate has a new key and serial (certificate-expiry: run with --cert; signature).',
];

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The probe's answer, as far as it can be read.
 * @example
 * ```ts
 * const answer: Answer | undefined = readAnswer(probe, entries);
 * ```
 */
export interface Answer {
  status: number;
  json: Record<string, unknown> | undefined;
  code: string | undefined;
  text: string | undefined;
  serial: string | undefined;
  /** The server's time in seconds (Wechatpay-Timestamp, else Date). */
  serverTime: number | undefined;
  /** `undefined` when verified with certs; else why not. */
  unverified: string | undefined;
  /** The verification reason, when it failed with one. */
  reason: VerificationError['reason'] | undefined;
}

function verifierOf(entries: readonly CertsEntry[]): Verifier {
  const verifier = new Verifier();
  for (const { name, material } of entries) if (material.key) verifier.set(name, material.key);
  return verifier;
}

/**
 * Reads the probe's answer: its JSON, code, Wechatpay-Serial and time, and whether it verifies
 * with `certs` (at the server's own time: a clock problem is clock-skew's to report). The code is
 * read from the body itself, verified or not, and `unverified` says when it could not be trusted.
 * @example
 * ```ts
 * const answer = readAnswer(probe, entries); // answer?.code === 'SIGN_ERROR'
 * ```
 */
export function readAnswer(probe: Probe, entries: readonly CertsEntry[]): Answer | undefined {
  const res = probe.response;
  if (!res) return undefined;
  let json: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(res.body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  const stamp = header(res.headers, 'wechatpay-timestamp');
  const date = header(res.headers, 'date');
  const serverTime = stamp !== undefined && /^\d{1,12}$/.test(stamp) ? Number(stamp) : date !== undefined && !Number.isNaN(Date.parse(date)) ? Date.parse(date) / 1000 : undefined;
  let unverified: string | undefined;
  let reason: Answer['reason'];
  try {
    verifierOf(entries).check(res.headers, res.body, { now: (serverTime ?? Date.now() / 1000) * 1000 });
  } catch (error) {
    reason = error instanceof VerificationError ? error.reason : undefined;
    unverified = error instanceof Error ? error.message.replace(/^response rejected: /, '') : String(error);
  }
  return {
    status: res.status,
    json,
    code: typeof json?.code === 'string' ? json.code : undefined,
    text: typeof json?.message === 'string' ? json.message : undefined,
    serial: header(res.headers, 'wechatpay-serial'),
    serverTime,
    unverified,
    reason,
  };
}

function notRun(id: 'clock-skew' | 'signature' | 'mode', probe: Probe): DoctorCheck {
  if (probe.notSent !== undefined) return result(id, 'warn', `not run: no request could be signed (${probe.notSent})`, 'Fix the configuration errors above first.');
  const error = probe.error instanceof Error ? `${probe.error.name}: ${probe.error.message}` : String(probe.error);
  return result(id, 'warn', `not run: no answer (${error})`, 'See signature.');
}

/**
 * `clock-skew`: the answer's `Wechatpay-Timestamp` and `Date` against the local clock (at the
 * middle of the round trip); warn over {@link CLOCK_WARNING_SECONDS} s, fail over {@link MAX_CLOCK_SKEW} s.
 * @example
 * ```ts
 * checkClockSkew(await sendProbe(config));
 * ```
 */
export function checkClockSkew(probe: Probe): DoctorCheck {
  const res = probe.response;
  if (!res || probe.sentAt === undefined || probe.receivedAt === undefined) return notRun('clock-skew', probe);
  const local = (probe.sentAt + probe.receivedAt) / 2000;
  const stamp = header(res.headers, 'wechatpay-timestamp');
  const date = header(res.headers, 'date');
  const readings: Array<{ name: string; skew: number }> = [];
  if (stamp !== undefined && /^\d{1,12}$/.test(stamp)) readings.push({ name: `Wechatpay-Timestamp ${stamp}`, skew: local - Number(stamp) });
  if (date !== undefined && !Number.isNaN(Date.parse(date))) readings.push({ name: `Date ${printable(date, 40)}`, skew: local - Date.parse(date) / 1000 });
  if (readings.length === 0) return result('clock-skew', 'warn', 'the answer carried neither Wechatpay-Timestamp nor Date: the clock could not be compared', 'Something between you and WeChat Pay strips headers; check baseURL and proxies.');
  // Wechatpay-Timestamp first: it is what verification compares
  const { skew } = readings[0] as { skew: number };
  const seconds = Math.round(Math.abs(skew));
  const direction = skew > 0 ? 'ahead of' : 'behind';
  const against = readings.map((r) => `${r.name}: ${Math.round(r.skew) >= 0 ? '+' : ''}${Math.round(r.skew)} s`).join('; ');
  const roundTrip = probe.receivedAt - probe.sentAt;
  const message = `the local clock ${seconds === 0 ? 'agrees with' : `is ${seconds} s ${direction}`} WeChat Pay's (${against}${roundTrip > 2000 ? `; round trip ${roundTrip} ms` : ''})`;
  const hint = `Synchronise the clock with NTP (timedatectl set-ntp true, chronyc makestep, w32tm /resync): WeChat Pay refuses requests more than ${MAX_CLOCK_SKEW} s off (401), and this client refuses answers likewise (VerificationError stale-timestamp).`;
  if (Math.abs(skew) > MAX_CLOCK_SKEW) return result('clock-skew', 'fail', message, hint);
  if (Math.abs(skew) > CLOCK_WARNING_SECONDS) return result('clock-skew', 'warn', message, hint);
  return result('clock-skew', 'ok', message);
}

/**
 * `signature`: WeChat Pay accepted the signed `GET /v3/certificates` (200, or 404
 * RESOURCE_NOT_EXISTS in public-key mode). On 401 the message shows the exact signed message with
 * its `\n`s, the Authorization fields (not the signature) and the hint the SIGN_ERROR checklist.
 * @example
 * ```ts
 * checkSignature(probe, readAnswer(probe, entries)).status; // 'fail' for 401 SIGN_ERROR
 * ```
 */
export function checkSignature(probe: Probe, answer: Answer | undefined): DoctorCheck {
  if (probe.notSent !== undefined) return notRun('signature', probe);
  const sent = probe.request;
  const what = `GET ${sent?.url ?? PROBE_TEMPLATE}`;
  if (!answer || !sent) {
    const error = probe.error instanceof Error ? `${probe.error.name}: ${probe.error.message}` : String(probe.error);
    return result('signature', 'fail', `${what} got no answer (${error})`, 'Check baseURL, DNS, proxies and the firewall: HTTPS to api.mch.weixin.qq.com:443 must be open.');
  }
  const said = `${answer.status}${answer.code ? ` ${printable(answer.code, 64)}` : ''}${answer.text ? `: ${printable(answer.text)}` : ''}`;
  const trust = answer.unverified === undefined ? 'signed by WeChat Pay, verified with certs' : `not verified (${printable(answer.unverified, 200)}), so read as a hint only`;
  if ((answer.status >= 200 && answer.status < 300) || (answer.status === 404 && answer.code === 'RESOURCE_NOT_EXISTS')) {
    return result('signature', 'ok', `WeChat Pay accepted the signature: ${what} answered ${said}`);
  }
  if (answer.status === 401) {
    const { method, path, body, fields } = sent;
    const message = [
      `${what} answered ${said} — ${trust}`,
      `signed message: ${JSON.stringify(signedMessage(method, path, fields.timestamp, fields.nonce_str, body))}`,
      `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="${fields.mchid}",nonce_str="${fields.nonce_str}",timestamp="${fields.timestamp}",serial_no="${fields.serial_no}",signature=(not shown)`,
    ].join('\n');
    return result('signature', 'fail', message, ['Checklist for 401 SIGN_ERROR:', ...SIGN_ERROR_CHECKLIST].join('\n'));
  }
  return result('signature', 'warn', `inconclusive: ${what} answered ${said} — ${trust}`, answer.json ? 'Run again later; if it persists, quote the Request-ID of the answer to WeChat Pay support.' : 'The answer is not WeChat Pay\'s JSON: check baseURL and any proxy in between.');
}

/**
 * `mode`: certificate mode or public-key mode — from the answer's `Wechatpay-Serial`
 * (`PUB_KEY_ID_…` or a certificate serial) and from `GET /v3/certificates` (404
 * RESOURCE_NOT_EXISTS: no platform certificates) — and whether `certs` holds the key WeChat Pay
 * signs with.
 * @example
 * ```ts
 * checkMode(probe, readAnswer(probe, entries), entries).message; // 'public-key mode: …'
 * ```
 */
export function checkMode(probe: Probe, answer: Answer | undefined, entries: readonly CertsEntry[]): DoctorCheck {
  if (!answer) return notRun('mode', probe);
  const noCertificates = answer.status === 404 && answer.code === 'RESOURCE_NOT_EXISTS';
  const data = answer.status === 200 && Array.isArray(answer.json?.data) ? (answer.json.data as unknown[]) : undefined;
  const listed = data?.map((d) => (d && typeof d === 'object' ? (d as Record<string, unknown>).serial_no : undefined)).filter((s): s is string => typeof s === 'string');
  const serial = answer.serial;
  const mode = serial !== undefined ? (serial.startsWith('PUB_KEY_ID_') ? 'public-key' : 'certificate') : noCertificates ? 'public-key' : listed ? 'certificate' : undefined;
  const names = entries.map((e) => e.name);
  // as the client matches Wechatpay-Serial: a certificate serial in any case
  const sameSerial = (a: string, b: string) => normalizeSerial(a) === normalizeSerial(b);
  const holds = (s: string) => names.some((n) => sameSerial(n, s));
  const has = entries.length === 0 ? 'certs is empty' : `certs holds ${names.map(shown).join(', ')}`;
  const publicKeyHint = 'Public-key mode: put certs["PUB_KEY_ID_…"] = pub_key.pem (商户平台 → 账户中心 → API安全 → 微信支付公钥); platform certificates are not used.';
  const certificateHint = 'Certificate mode: download the platform certificates (wxpay crt -o ./certs, or CertificateManager) and put each under its serial.';
  if (mode === undefined) return result('mode', 'warn', `could not tell: the answer (${answer.status}) carried no Wechatpay-Serial and no certificate list`, 'Run again when signature is ok.');
  const shownSerial = serial === undefined ? undefined : printable(serial, 64);
  const about = mode === 'public-key'
    ? `public-key mode: WeChat Pay signs answers with ${shownSerial ?? 'its public key'}${noCertificates ? ' and has no platform certificates (GET /v3/certificates: 404 RESOURCE_NOT_EXISTS)' : ''}`
    : `certificate mode: WeChat Pay signs answers with the platform certificate ${shownSerial ?? '(unsigned answer)'}`;
  const hint = mode === 'public-key' ? publicKeyHint : certificateHint;
  if (serial === undefined) {
    // only the 404 or the list tells the mode; the key cannot be confirmed
    const fits = mode === 'public-key' ? names.some((n) => PUB_KEY_ID.test(n)) : listed?.some(holds);
    if (!fits) return result('mode', 'fail', `${about}; ${has}${mode === 'public-key' && entries.length > 0 ? ' — no public key' : ''}`, hint);
    return result('mode', 'warn', `${about}; the answer was not signed, so the key in certs could not be confirmed`, 'Run again when signature is ok.');
  }
  if (!holds(serial)) {
    const near = names.find((n) => canonicalSerial(n) === canonicalSerial(serial));
    if (near !== undefined) return result('mode', 'fail', `${about}; certs names it ${shown(near)}: Wechatpay-Serial is matched digit for digit, leading zeros too`, `Rename certs[${shown(near)}] to certs[${shown(serial)}].`);
    const only = mode === 'public-key' && entries.length > 0 && !names.some((n) => PUB_KEY_ID.test(n)) ? ' — only platform certificates, no public key' : '';
    return result('mode', 'fail', `${about}; ${has}${only}: every answer fails verification (unknown-serial)`, hint);
  }
  const entry = entries.find((e) => sameSerial(e.name, serial));
  if (entry?.material.error !== undefined) return result('mode', 'fail', `${about}; certs[${shown(serial)}] is the right entry but does not load (see public-key-id)`, hint);
  if (answer.reason === 'bad-signature') {
    return result('mode', 'fail', `${about}; certs[${shown(serial)}] does not hold the key WeChat Pay signs with (the signature does not verify)`, mode === 'public-key' ? 'Download pub_key.pem again for this PUB_KEY_ID_… (商户平台 → API安全 → 微信支付公钥).' : 'Download the platform certificates again (wxpay crt -o ./certs).');
  }
  if (answer.unverified !== undefined) return result('mode', 'warn', `${about}; certs holds it, but the answer did not verify: ${printable(answer.unverified, 200)}`, 'Something between you and WeChat Pay changes answers; check proxies.');
  const unknown = mode === 'certificate' ? (listed ?? []).filter((s) => !holds(s)) : [];
  if (unknown.length > 0) {
    return result('mode', 'warn', `${about}, which certs holds; WeChat Pay also lists ${unknown.map((s) => printable(s, 64)).join(', ')}, which certs lacks: answers signed with it after a rotation will fail`, 'Download the new platform certificate (wxpay crt -o ./certs) or let CertificateManager follow rotations.');
  }
  const extra = mode === 'public-key' && names.some((n) => !PUB_KEY_ID.test(n)) ? ' (the certificate entries of certs are not used)' : '';
  return result('mode', 'ok', `${about}, which certs holds; the answer verified with it${extra}`);
}

/**
 * In certificate mode the probe's answer carries the platform certificates encrypted with the
 * APIv3 key: decrypting them proves the key (or shows it is wrong). Returns `check` unchanged
 * when there is nothing to decrypt.
 * @example
 * ```ts
 * const apiv3 = confirmApiV3Key(checkApiV3Key(config), readAnswer(probe, entries), config);
 * ```
 */
export function confirmApiV3Key(check: DoctorCheck, answer: Answer | undefined, config: DoctorConfig): DoctorCheck {
  const key = config.apiv3Key;
  if (check.status !== 'ok' || key === undefined || !answer || answer.status !== 200 || !Array.isArray(answer.json?.data) || answer.json.data.length === 0) return check;
  try {
    decryptCertificates(answer.json, key);
    return { ...check, message: `${check.message}; it decrypts the platform certificates WeChat Pay sent` };
  } catch {
    return result('apiv3-key', 'fail', `apiv3Key does not decrypt the platform certificates WeChat Pay sent (AES-256-GCM authentication fails)${answer.unverified === undefined ? '' : '; the answer was not verified'}`, 'It is not this merchant\'s APIv3 key: copy it again from 商户平台 → 账户中心 → API安全 → 设置APIv3密钥 (or set a new one there).');
  }
}
