/**
 * Platform certificates (平台证书): download `GET /v3/certificates`, decrypt each certificate with
 * the APIv3 key and verify the response with the certificates it carries.
 *
 * The bootstrap works because the certificates are AES-GCM encrypted with the APIv3 key, which only
 * WeChat Pay and the merchant know: a certificate that decrypts (tag checked) is authentic, and the
 * response must then verify with one of them (or with a key the client already had).
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { fsPromises } from '../lazy.js';
import { writeFileAtomically } from '../download/temp-file.js';
import { join } from 'node:path';
import type { WeChatPayClient } from '../client/builder.js';
import { recordOf } from '../client/registry.js';
import { AesGcm } from '../crypto/aes-gcm.js';
import { ArgumentError, HttpError, PublicKeyModeError, VerificationError, type RedactedRequest } from '../errors.js';
import { printable } from '../printable.js';
import { apiV3Key } from '../validate.js';
import type { Middleware } from '../pipeline/context.js';
import { endpointPath } from '../routing/hosts.js';
import { installInnerStep, type Pipeline } from '../pipeline/pipeline.js';
import type { Verifier } from '../apiv3/verifier.js';

/**
 * The name of the pipeline step {@link downloadCertificates} installs.
 * @example
 * ```ts
 * client.pipeline.names(); // ['sign', 'verify', 'platform-certificates']
 * ```
 */
export const CERTIFICATES_STEP = 'platform-certificates';

/**
 * A decrypted platform certificate.
 * @example
 * ```ts
 * const [{ serial, pem, expire }] = await downloadCertificates(client, { apiv3Key });
 * ```
 */
export interface PlatformCertificate {
  /** Serial number, upper-case hex (the `Wechatpay-Serial` it signs with). */
  serial: string;
  /** The certificate, PEM. */
  pem: string;
  /** Not valid before (`effective_time`). */
  effective: Date;
  /** Not valid after (`expire_time`). */
  expire: Date;
}

interface EncryptedCertificate {
  serial_no?: unknown;
  encrypt_certificate?: { algorithm?: unknown; nonce?: unknown; associated_data?: unknown; ciphertext?: unknown };
}

/**
 * Decrypts the `data` array of a `/v3/certificates` answer.
 * @throws {VerificationError} `decrypt-failed` (wrong APIv3 key), `unsupported-algorithm` or `malformed-certificates` (not the shape of a certificate list)
 * @example
 * ```ts
 * const certificates = decryptCertificates(res.data, apiv3Key);
 * ```
 */
export function decryptCertificates(payload: unknown, apiv3Key: string | Uint8Array): PlatformCertificate[] {
  const data = (payload as { data?: unknown } | null)?.data;
  const fail = (reason: VerificationError['reason'], message: string) => new VerificationError(reason, `platform certificates rejected: ${message}`);
  if (!Array.isArray(data)) throw fail('malformed-certificates', 'the answer has no "data" array');
  return data.map((item: EncryptedCertificate, index) => {
    const encrypted = item?.encrypt_certificate;
    if (typeof item?.serial_no !== 'string' || !encrypted || typeof encrypted.ciphertext !== 'string' || typeof encrypted.nonce !== 'string') {
      throw fail('malformed-certificates', `data[${index}] lacks serial_no or encrypt_certificate`);
    }
    // this answer is not verified yet (it is verified with what it carries): its text is escaped
    const serialNo = printable(item.serial_no, 64);
    if (encrypted.algorithm !== 'AEAD_AES_256_GCM') throw fail('unsupported-algorithm', `data[${index}] uses ${printable(encrypted.algorithm, 32)}`);
    let pem: string;
    try {
      pem = AesGcm.decrypt(encrypted.ciphertext, apiv3Key, encrypted.nonce, typeof encrypted.associated_data === 'string' ? encrypted.associated_data : '');
    } catch (cause) {
      if (cause instanceof ArgumentError && cause.field === 'key') throw new ArgumentError(`apiv3Key: ${cause.message.replace(/^key: /, '')}`, 'apiv3Key');
      throw fail('decrypt-failed', `certificate ${serialNo} does not decrypt with the APIv3 key (wrong or reset APIv3 key?)`);
    }
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(pem);
    } catch {
      throw fail('malformed-certificates', `certificate ${serialNo} is not an X.509 certificate`);
    }
    const serial = x509.serialNumber.toUpperCase();
    if (serial !== item.serial_no.toUpperCase()) throw fail('malformed-certificates', `serial_no ${serialNo} differs from the certificate's serial ${serial}`);
    return { serial, pem, effective: new Date(x509.validFrom), expire: new Date(x509.validTo) };
  });
}

interface StepState {
  apiv3Key: string | Uint8Array;
}

const installed = new WeakMap<Pipeline, StepState>();

function isCertificatesPath(path: string): boolean {
  const q = path.indexOf('?');
  return (q === -1 ? path : path.slice(0, q)) === '/v3/certificates';
}

/**
 * The bootstrap step: on a successful `GET /v3/certificates`, before the response is verified,
 * decrypts the certificates it carries and adds the unexpired ones to `verifier`.
 * @example
 * ```ts
 * installCertificatesStep(client, apiv3Key); // installs certificatesStep(client.verifier, () => apiv3Key) inside verify
 * ```
 */
export function certificatesStep(verifier: Verifier, apiv3Key: () => string | Uint8Array, now: () => number = Date.now): Middleware {
  return async function platformCertificates(ctx, next) {
    const res = await next(ctx);
    if (ctx.method !== 'GET' || res.status !== 200 || !isCertificatesPath(endpointPath(ctx)) || !Buffer.isBuffer(res.body)) return res;
    let payload: unknown;
    try {
      payload = JSON.parse(res.body.toString('utf8'));
    } catch {
      return res; // the verify step reports it
    }
    for (const certificate of decryptCertificates(payload, apiv3Key())) {
      if (certificate.expire.getTime() > now() && !verifier.has(certificate.serial)) verifier.set(certificate.serial, certificate.pem);
    }
    return res;
  };
}

/**
 * Installs the bootstrap step on a client (once; later calls only update the APIv3 key).
 * @example
 * ```ts
 * installCertificatesStep(client, apiv3Key);
 * await client.v3.certificates.get(); // verifies even when the client knew none of the certificates
 * ```
 */
export function installCertificatesStep(client: WeChatPayClient, apiv3Key: string | Uint8Array): void {
  // the client now knows the APIv3 key: it never sends it in a URL or header either
  recordOf(client)?.secrets.add('the APIv3 key', typeof apiv3Key === 'string' ? apiv3Key : Buffer.from(apiv3Key).toString('latin1'));
  const state = installed.get(client.pipeline);
  if (state) {
    state.apiv3Key = apiv3Key;
    return;
  }
  const fresh: StepState = { apiv3Key };
  const step = certificatesStep(client.verifier, () => fresh.apiv3Key);
  // inside verify: the bootstrap reads the certificates an answer carries before it is verified with them
  installInnerStep(client.pipeline, 'verify', step, CERTIFICATES_STEP);
  installed.set(client.pipeline, fresh);
}

/**
 * Options of {@link downloadCertificates}.
 * @example
 * ```ts
 * const options: CertificateDownloadOptions = { apiv3Key, timeout: 10_000 };
 * ```
 */
export interface CertificateDownloadOptions {
  /** The APIv3 key (32 bytes) the certificates are encrypted with. */
  apiv3Key: string | Uint8Array;
  timeout?: number;
  signal?: AbortSignal;
}

const PUBLIC_KEY_HELP =
  'Download the public key (pub_key.pem) and its ID (PUB_KEY_ID_…) from the merchant platform (账户中心 → API安全 → 微信支付公钥) ' +
  'and configure certs: { "PUB_KEY_ID_…": "file:///path/to/pub_key.pem" }';

/**
 * What a failed `GET /v3/certificates` means. Only a verified 404 `RESOURCE_NOT_EXISTS` decides
 * public-key mode; the same words unsigned stay an HttpError (with a hint), and a 404 signed by a
 * key the client lacks stays a VerificationError (with a hint).
 */
function publicKeyModeOf(error: unknown): unknown {
  if (error instanceof HttpError && error.status === 404) {
    if (error.verified && error.code === 'RESOURCE_NOT_EXISTS') {
      return new PublicKeyModeError(
        `this merchant has no platform certificates (GET /v3/certificates answered 404 ${error.code}): it uses WeChat Pay public key mode. ${PUBLIC_KEY_HELP}`,
        { cause: error, request: error.request },
      );
    }
    if (!error.verified && error.unverifiedCode === 'RESOURCE_NOT_EXISTS') {
      return new HttpError(error.response, error.request as RedactedRequest, false, {
        note:
          'this may be a merchant in WeChat Pay public key mode, but the answer carried no WeChat Pay signature, so it could not be verified ' +
          '(a proxy or gateway on the way?); if the merchant platform shows a 微信支付公钥, configure certs with it',
      });
    }
  }
  if (error instanceof VerificationError && error.reason === 'unknown-serial' && error.status === 404) {
    return new VerificationError(
      'unknown-serial',
      `${error.message}; a 404 signed with a key this client lacks: if that serial is a PUB_KEY_ID_…, the merchant uses WeChat Pay public key mode. ${PUBLIC_KEY_HELP}`,
      { request: error.request, status: error.status },
    );
  }
  return error;
}

/**
 * Downloads and decrypts the platform certificates; returns them oldest expiry first. Returns a Promise.
 * The client needs no `certs` for this (bootstrap): the response is verified with the
 * certificates it carries. The unexpired ones are added to `client.verifier`; this installs a
 * pipeline step named `platform-certificates` on the client.
 * @throws {PublicKeyModeError} when the merchant is in public-key mode (a verified 404 `RESOURCE_NOT_EXISTS`;
 *   an unverified one is an {@link HttpError} saying it could not be verified)
 * @throws {VerificationError} `decrypt-failed` for a wrong APIv3 key; other client errors as usual
 * @example
 * ```ts
 * const client = Builder.factory({ mchid, serial, privateKey });          // no certs yet
 * const certificates = await downloadCertificates(client, { apiv3Key });
 * await writeCertificates(certificates, '/etc/wechatpay');               // wechatpay_<serial>.pem
 * ```
 */
export async function downloadCertificates(client: WeChatPayClient, options: CertificateDownloadOptions): Promise<PlatformCertificate[]> {
  if (options === null || typeof options !== 'object') throw new ArgumentError('options: expected { apiv3Key }', 'options');
  apiV3Key(options.apiv3Key);
  installCertificatesStep(client, options.apiv3Key);
  let data: unknown;
  try {
    ({ data } = await client.chain('v3/certificates').get({ timeout: options.timeout, signal: options.signal }));
  } catch (error) {
    throw publicKeyModeOf(error);
  }
  return decryptCertificates(data, options.apiv3Key).sort((a, b) => a.expire.getTime() - b.expire.getTime());
}

/**
 * Writes certificates as `wechatpay_<serial>.pem` into `dir` (created if missing). Each file is
 * written under a random temporary name opened exclusively and renamed into place, so readers
 * never see half a file and a symlink planted in `dir` (at a temporary or the final name) is never
 * written through. Returns the paths. Returns a Promise.
 * @example
 * ```ts
 * const paths = await writeCertificates(certificates, './certs'); // ['certs/wechatpay_5157F09EFDC096DE15EBE81A47057A7232F1B8E1.pem']
 * ```
 */
export async function writeCertificates(certificates: readonly PlatformCertificate[], dir: string): Promise<string[]> {
  if (typeof dir !== 'string' || dir === '') throw new ArgumentError('dir: expected a directory path', 'dir');
  await fsPromises().mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const certificate of certificates) {
    if (!/^[0-9A-F]+$/.test(certificate.serial)) throw new ArgumentError(`serial: "${certificate.serial.slice(0, 64)}" is not a hex serial`, 'serial');
    const path = join(dir, `wechatpay_${certificate.serial}.pem`);
    // a random name opened exclusively, then renamed: a symlink planted beside it is never followed
    await writeFileAtomically(path, certificate.pem, 0o644);
    paths.push(path);
  }
  return paths;
}
