/**
 * Emulator handlers for the platform-key side of the API: `GET /v3/certificates` (certificate
 * mode; 404 `RESOURCE_NOT_EXISTS` in public-key mode) and an applyment endpoint that, like the
 * service, decrypts sensitive fields with the platform key named by `Wechatpay-Serial`.
 * @module
 */
import { constants, privateDecrypt, X509Certificate, type KeyObject } from 'node:crypto';
import type { RequestHandler } from 'msw';
import { msw } from '../lazy.js';
import { AesGcm } from '../crypto/aes-gcm.js';
import { nonce } from '../formatter.js';
import type { IssuedCertificate } from './certificates.js';

/**
 * What the handlers need from the emulator.
 * @example
 * ```ts
 * const state: PlatformState = emulator;
 * ```
 */
export interface PlatformState {
  readonly apiv3Key: string;
  readonly platformCertificates: readonly IssuedCertificate[];
  platformPrivateKey(serial: string): KeyObject | undefined;
}

/**
 * Fields of `POST /v3/applyment4sub/applyment/` that must arrive encrypted (when present).
 * @example
 * ```ts
 * await client.chain('v3/applyment4sub/applyment/').post({ json, encrypt: [...APPLYMENT_SENSITIVE_FIELDS] });
 * ```
 */
export const APPLYMENT_SENSITIVE_FIELDS: readonly string[] = [
  'contact_info.contact_name',
  'contact_info.contact_id_number',
  'contact_info.mobile_phone',
  'contact_info.contact_email',
  'subject_info.identity_info.id_card_info.id_card_name',
  'subject_info.identity_info.id_card_info.id_card_number',
  'subject_info.identity_info.id_card_info.id_card_address',
  'bank_account_info.account_name',
  'bank_account_info.account_number',
];

/**
 * Formats a date as WeChat Pay does: `2018-06-08T10:34:56+08:00`.
 * @example
 * ```ts
 * beijingTime(new Date(0)); // '1970-01-01T08:00:00+08:00'
 * ```
 */
export function beijingTime(date: Date): string {
  return `${new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

function paramError(message: string, field?: string) {
  return msw().HttpResponse.json({ code: 'PARAM_ERROR', message, ...(field ? { detail: { field, location: 'body', issue: message } } : {}) }, { status: 400 });
}

function pick(thing: unknown, path: string): unknown {
  let value = thing;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * The handlers, bound to an emulator.
 * @example
 * ```ts
 * const handlers = platformHandlers(emulator);
 * ```
 */
export function platformHandlers(state: PlatformState): RequestHandler[] {
  const { http, HttpResponse } = msw();
  return [
    http.get('*/v3/certificates', () => {
      if (state.platformCertificates.length === 0) {
        return HttpResponse.json({ code: 'RESOURCE_NOT_EXISTS', message: '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥' }, { status: 404 });
      }
      const data = state.platformCertificates.map((certificate) => {
        const x509 = new X509Certificate(certificate.certificatePem);
        const iv = nonce(12);
        return {
          serial_no: certificate.serial,
          effective_time: beijingTime(new Date(x509.validFrom)),
          expire_time: beijingTime(new Date(x509.validTo)),
          encrypt_certificate: {
            algorithm: 'AEAD_AES_256_GCM',
            associated_data: 'certificate',
            nonce: iv,
            ciphertext: AesGcm.encrypt(certificate.certificatePem, state.apiv3Key, iv, 'certificate'),
          },
        };
      });
      return HttpResponse.json({ data });
    }),
    http.post('*/v3/applyment4sub/applyment/', async ({ request }) => {
      const serial = request.headers.get('wechatpay-serial');
      if (!serial) return paramError('请求头 Wechatpay-Serial 缺失：敏感信息加密时必须上送平台证书序列号或微信支付公钥ID');
      const key = state.platformPrivateKey(serial);
      if (!key) return paramError(`Wechatpay-Serial ${serial} 不是有效的平台证书序列号或微信支付公钥ID`);
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        return paramError('请求体必须是 JSON 对象');
      }
      if (typeof pick(body, 'business_code') !== 'string') return paramError('business_code 为必填参数', 'business_code');
      for (const field of APPLYMENT_SENSITIVE_FIELDS) {
        const value = pick(body, field);
        if (value === undefined) continue;
        try {
          privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(String(value), 'base64'));
        } catch {
          return paramError(`${field} 解密失败：请使用 Wechatpay-Serial 对应的平台公钥以 RSAES-OAEP 加密`, field);
        }
      }
      return HttpResponse.json({ applyment_id: 2000002124775691 });
    }),
  ];
}
