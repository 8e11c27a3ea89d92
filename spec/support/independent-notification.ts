/**
 * A notification check written with node:crypto alone, sharing no code with lib/ (so the sandbox
 * is not its own oracle): the signature over `timestamp\nnonce\nbody\n` (RSA-SHA256, the
 * `Wechatpay-*` headers) and the resource's AEAD_AES_256_GCM decryption with the APIv3 key (the
 * last 16 bytes of the ciphertext are the tag). spec/e2e/sandbox.spec.ts checks it first against
 * wechatpay-go's own fixture.
 */
import { createDecipheriv, createPublicKey, verify } from 'node:crypto';

export interface CheckedNotification {
  envelope: Record<string, unknown> & { resource: Record<string, string> };
  /** The decrypted resource text. */
  plaintext: string;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string {
  const value = headers[name] ?? headers[name.toLowerCase()];
  if (typeof value !== 'string') throw new Error(`header ${name} is missing`);
  return value;
}

/** Throws unless the notification verifies with `publicKey` (PEM: SPKI or certificate) and decrypts with `apiv3Key`. */
export function checkNotification(headers: Record<string, string | string[] | undefined>, body: string, publicKey: string, apiv3Key: string): CheckedNotification {
  const message = `${header(headers, 'wechatpay-timestamp')}\n${header(headers, 'wechatpay-nonce')}\n${body}\n`;
  const signature = Buffer.from(header(headers, 'wechatpay-signature'), 'base64');
  if (!verify('RSA-SHA256', Buffer.from(message), createPublicKey(publicKey), signature)) throw new Error('the signature does not verify');
  const envelope = JSON.parse(body) as CheckedNotification['envelope'];
  const { ciphertext, nonce, associated_data: aad } = envelope.resource;
  const bytes = Buffer.from(ciphertext as string, 'base64');
  const key = Buffer.from(apiv3Key, 'utf8');
  // AEAD_AES_256_GCM with a 32-byte APIv3 key; wechatpay-go's fixture key is 16 bytes (AES-128)
  const decipher = createDecipheriv(`aes-${key.length * 8}-gcm` as 'aes-256-gcm', key, Buffer.from(nonce as string, 'utf8'));
  decipher.setAAD(Buffer.from(aad ?? '', 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  const plaintext = Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
  return { envelope, plaintext };
}
