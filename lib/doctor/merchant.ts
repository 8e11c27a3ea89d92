/**
 * The merchant's side of signing: `config` (mchid, baseURL), `private-key`,
 * `key-matches-certificate` and `serial-matches-certificate`.
 * @module
 */
import { createPublicKey, sign, verify, type KeyObject, type X509Certificate } from 'node:crypto';
import { DEFAULT_BASE_URL } from '../routing/hosts.js';
import { loadKey, normalizeSerial } from '../crypto/keys.js';
import { result, type DoctorCheck, type DoctorConfig } from './check.js';
import { canonicalSerial, HEX, looksLikePublicKeyId, sameKey, serialForm, shown, sourceOf, type Material } from './material.js';

/**
 * Where the merchant API certificate was found, and what it holds.
 * @example
 * ```ts
 * const input: MerchantCertificateInput = { label: 'file:///etc/wechatpay/apiclient_cert.pem', material: loadMaterial(url, 'merchantCertificate') };
 * ```
 */
export interface MerchantCertificateInput {
  /** `--cert` / `merchantCertificate`, or `merchant.cert`. */
  label: string;
  material: Material;
}

const KEY_FILE_HINT = 'privateKey is apiclient_key.pem, the file the certificate tool (证书工具) wrote next to apiclient_cert.pem when the merchant API certificate was applied for (商户平台 → 账户中心 → API安全 → API证书).';

/**
 * `config`: the mchid is a merchant id, and baseURL (when set) is a URL.
 * @example
 * ```ts
 * checkConfig({ mchid: '1900000109' }).status; // 'ok'
 * ```
 */
export function checkConfig(config: DoctorConfig): DoctorCheck {
  const { mchid, baseURL } = config as { mchid?: unknown; baseURL?: unknown };
  if (mchid === undefined || mchid === '') return result('config', 'fail', 'mchid is not set', 'Set mchid to your merchant id (商户号), the digits shown in 商户平台 → 账户中心 → 商户信息.');
  if (typeof mchid !== 'string' || !/^\d+$/.test(mchid)) {
    return result('config', 'fail', `mchid ${typeof mchid === 'string' ? shown(mchid) : `(a ${typeof mchid})`} is not a merchant id (digits only)`, 'Set mchid to your merchant id (商户号) as a string of digits, e.g. "1900000109" — not the appid (wx…) or a sub-merchant\'s id.');
  }
  let target = DEFAULT_BASE_URL;
  if (baseURL !== undefined) {
    let url: URL | undefined;
    try {
      url = typeof baseURL === 'string' ? new URL(baseURL) : undefined;
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      return result('config', 'fail', `baseURL ${typeof baseURL === 'string' ? shown(baseURL) : `(a ${typeof baseURL})`} is not an http(s) URL`, `Leave baseURL out for WeChat Pay (${DEFAULT_BASE_URL}), or give the full URL of the proxy or emulator.`);
    }
    target = url.href;
  }
  const official = /(^|\.)mch\.weixin\.qq\.com$/.test(new URL(target).hostname);
  return result('config', 'ok', `mchid ${mchid}; requests go to ${target}${official ? '' : ' (not a WeChat Pay host: a proxy, sandbox or emulator)'}`);
}

const PROBE = Buffer.from('wechatpay-chain doctor probe');

/**
 * `private-key`: loads (every form `privateKey` accepts), is RSA-2048, and its halves agree.
 * Returns the key for the checks that compare it.
 * @example
 * ```ts
 * const { check, key } = checkPrivateKey(config);
 * ```
 */
export function checkPrivateKey(config: DoctorConfig): { check: DoctorCheck; key?: KeyObject } {
  const value: unknown = config.privateKey;
  if (value === undefined || value === null || value === '') return { check: result('private-key', 'fail', 'privateKey is not set', `Set privateKey to the merchant API private key: a file:// URL, a path or PEM text. ${KEY_FILE_HINT}`) };
  let key: KeyObject;
  try {
    key = loadKey(value, 'private', 'privateKey');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { check: result('private-key', 'fail', message, /inconsistent/.test(message) ? 'The key file is damaged or was assembled from two keys: take apiclient_key.pem from the original download again.' : KEY_FILE_HINT) };
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  const from = sourceOf(value);
  if (bits !== 2048) {
    return { check: result('private-key', 'fail', `privateKey (${from}) is an RSA-${bits ?? '?'} key; merchant API certificates hold RSA-2048 keys`, `This is not apiclient_key.pem. ${KEY_FILE_HINT}`), key };
  }
  // loadKey proves this for PEM, DER and JWK; a KeyObject or CryptoKey given as is is checked here
  let agree = false;
  try {
    agree = verify('sha256', PROBE, createPublicKey(key), sign('sha256', PROBE, key));
  } catch {
    agree = false;
  }
  if (!agree) return { check: result('private-key', 'fail', `privateKey (${from}): its public half does not verify what its private half signs`, 'The key object is inconsistent; load apiclient_key.pem again from the original file.') };
  return { check: result('private-key', 'ok', `RSA-2048 private key (${from}); its public and private halves agree`), key };
}

const NO_CERTIFICATE_HINT = 'Give the merchant API certificate: wxpay doctor --cert apiclient_cert.pem, or diagnose(config, { merchantCertificate }).';

/**
 * `key-matches-certificate`: the private key belongs to the merchant API certificate.
 * @example
 * ```ts
 * checkKeyMatchesCertificate(key, { label: '--cert', material: loadMaterial(pem, 'merchantCertificate') });
 * ```
 */
export function checkKeyMatchesCertificate(key: KeyObject | undefined, certificate: MerchantCertificateInput | undefined): DoctorCheck {
  if (certificate === undefined) return result('key-matches-certificate', 'warn', 'not checked: no merchant API certificate given', NO_CERTIFICATE_HINT);
  const { label, material } = certificate;
  if (material.error !== undefined) return result('key-matches-certificate', 'fail', `the merchant certificate (${label}) could not be loaded: ${material.error}`, 'Give apiclient_cert.pem (PEM or DER), as downloaded with the private key.');
  if (key === undefined) return result('key-matches-certificate', 'warn', 'not checked: privateKey did not load (see private-key)', 'Fix privateKey first.');
  const x509 = material.certificate;
  const what = x509 ? `the merchant certificate (${label}, serial ${x509.serialNumber})` : `the public key given as merchant certificate (${label})`;
  const matches = x509 ? x509.checkPrivateKey(key) : (material.key as KeyObject).equals(createPublicKey(key));
  if (!matches) {
    return result(
      'key-matches-certificate',
      'fail',
      `privateKey is not the key of ${what}: every request it signs is answered 401 SIGN_ERROR`,
      'Use the apiclient_key.pem and apiclient_cert.pem of one application: each new merchant API certificate (更换证书) comes with a new key, and the old key stops matching.',
    );
  }
  if (!x509) return result('key-matches-certificate', 'warn', `privateKey matches the public key given (${label}), which is a bare key, not a certificate: its serial cannot be checked`, 'Give apiclient_cert.pem itself, so serial-matches-certificate can run.');
  return result('key-matches-certificate', 'ok', `privateKey is the key of ${what}`);
}

/**
 * `serial-matches-certificate`: `serial` is the merchant certificate's serial, compared with case
 * and leading zeros normalised. Lower case is `ok` and said (the client sends serials in upper
 * case); a missing or extra leading zero is a `warn` (the client cannot restore it); colons or
 * spaces fail. Without a certificate, a serial that is a platform certificate's or a public key
 * id still fails.
 * @example
 * ```ts
 * checkSerialMatchesCertificate(config.serial, merchant, platformCertificates, privateKey);
 * ```
 */
export function checkSerialMatchesCertificate(
  serial: unknown,
  certificate: MerchantCertificateInput | undefined,
  platform: ReadonlyArray<{ name: string; certificate: X509Certificate }>,
  ownKey?: KeyObject,
): DoctorCheck {
  const id = 'serial-matches-certificate';
  const command = 'openssl x509 -in apiclient_cert.pem -noout -serial';
  if (typeof serial !== 'string' || serial === '') return result(id, 'fail', 'serial is not set', `Set serial to the merchant API certificate's serial number (商户API证书序列号; ${command}).`);
  const x509 = certificate?.material.certificate;
  if (looksLikePublicKeyId(serial)) {
    return result(id, 'fail', `serial ${shown(serial)} is a WeChat Pay public key id, not a certificate serial`, `serial is the merchant API certificate's serial (${command}${x509 ? ` → ${x509.serialNumber}` : ''}); the PUB_KEY_ID_… goes into certs, with pub_key.pem.`);
  }
  const bare = serial.replace(/[\s:]/g, '');
  if (!HEX.test(bare)) return result(id, 'fail', `serial ${shown(serial)} is not a certificate serial (hexadecimal digits)`, `Copy the serial again: ${command}.`);
  const written = bare !== serial ? `serial ${shown(serial)} is written ${serialForm(serial, bare.toUpperCase())}` : '';
  // a certs entry holding the merchant's own certificate is certs-not-merchant's to report
  const platformMatch = x509 && canonicalSerial(x509.serialNumber) === canonicalSerial(serial) ? undefined : platform.find((p) => canonicalSerial(p.certificate.serialNumber) === canonicalSerial(serial) && !(ownKey && sameKey(ownKey, p.certificate.publicKey)));
  if (platformMatch) {
    return result(id, 'fail', `serial ${shown(serial)} is the serial of the platform certificate in certs[${shown(platformMatch.name)}], not of the merchant certificate`, `serial names your merchant API certificate (${command}${x509 ? ` → ${x509.serialNumber}` : ''}); platform certificate serials belong in certs only.`);
  }
  if (!x509) {
    if (written) return result(id, 'fail', `${written}; WeChat Pay reads it as one run of hex digits`, `Write it as ${bare.toUpperCase()}.`);
    return result(id, 'warn', `not compared: ${certificate ? `the merchant certificate (${certificate.label}) ${certificate.material.error ? 'did not load' : 'is a bare key'}` : 'no merchant API certificate given'}`, NO_CERTIFICATE_HINT);
  }
  const actual = x509.serialNumber;
  if (canonicalSerial(serial) !== canonicalSerial(actual)) {
    return result(id, 'fail', `serial ${shown(serial)} is not the serial of the merchant certificate (${certificate?.label}), which is ${actual}: WeChat Pay answers 401 SIGN_ERROR`, `Set serial to ${actual} — or, if the certificate is the old one, give the current apiclient_cert.pem.`);
  }
  if (written) return result(id, 'fail', `${written}; WeChat Pay reads it as one run of hex digits`, `Write it as ${actual}.`);
  // the client sends serial in upper case: only a missing or extra leading zero is left to say
  const sent = normalizeSerial(serial);
  const form = serialForm(sent, actual);
  if (form) {
    const cased = sent !== serial ? ' (the case does not matter: sent in upper case)' : '';
    return result(id, 'warn', `serial matches the merchant certificate's serial ${actual}, written ${form}${cased}`, `Write it as ${actual}: WeChat Pay prints serials with their leading zeros, and the client cannot restore them.`);
  }
  if (sent !== serial) {
    return result(id, 'ok', `serial ${serial} is the merchant certificate's serial ${actual}, written ${serialForm(serial, actual)}: the client sends it in upper case, as WeChat Pay writes it`);
  }
  return result(id, 'ok', `serial ${serial} is the merchant certificate's serial`);
}
