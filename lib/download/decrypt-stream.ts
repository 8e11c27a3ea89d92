/**
 * Streaming decryption of encrypted bill files (申请单个子商户资金账单, 二级商户资金账单, 支付分账单):
 * AEAD_AES_256_GCM (or SM4_GCM where this Node's OpenSSL has it) with the file key, the entry's
 * `nonce` as IV, empty associated data and the 16-byte tag at the end of the file. The last 16
 * bytes are held back while the rest flows through the decipher, so memory stays bounded; the tag
 * is checked when the download ends.
 * @module
 */
import { createDecipheriv, getCiphers, type Hash } from 'node:crypto';
import { ArgumentError, VerificationError } from '../errors.js';

/**
 * The bill encryption algorithms WeChat Pay names in `algorithm` / `encryption_algorithm`.
 * @example
 * ```ts
 * const algorithm: BillAlgorithm = 'AEAD_AES_256_GCM';
 * ```
 */
export type BillAlgorithm = 'AEAD_AES_256_GCM' | 'SM4_GCM';

/**
 * A file key ready to decrypt one bill file.
 * @example
 * ```ts
 * const decryption: BillDecryption = { cipher: 'aes-256-gcm', key: fileKey, nonce: Buffer.from(entry.nonce) };
 * ```
 */
export interface BillDecryption {
  /** The node:crypto cipher name. */
  cipher: 'aes-256-gcm' | 'sm4-gcm';
  /** The file key (32 bytes for AES-256, 16 for SM4). */
  key: Buffer;
  /** The IV: the entry's `nonce` as UTF-8 bytes. */
  nonce: Buffer;
}

const TAG_LENGTH = 16;
const KEY_LENGTHS = { 'aes-256-gcm': 32, 'sm4-gcm': 16 } as const;

/**
 * The node:crypto cipher of a bill algorithm, when this Node.js offers it.
 * @throws {ArgumentError} field `algorithm` for an unknown name, or SM4_GCM on a Node.js whose
 *   OpenSSL has no `sm4-gcm` (ask the bill with `AEAD_AES_256_GCM` instead)
 * @example
 * ```ts
 * billCipher('AEAD_AES_256_GCM'); // 'aes-256-gcm'
 * ```
 */
export function billCipher(algorithm: string): BillDecryption['cipher'] {
  if (algorithm === 'AEAD_AES_256_GCM') return 'aes-256-gcm';
  if (algorithm === 'SM4_GCM') {
    if (getCiphers().includes('sm4-gcm')) return 'sm4-gcm';
    throw new ArgumentError(
      `algorithm: SM4_GCM bills cannot be decrypted here: this Node.js ${process.versions.node} (OpenSSL ${process.versions.openssl}) offers no sm4-gcm cipher; ask the bill with algorithm AEAD_AES_256_GCM`,
      'algorithm',
    );
  }
  throw new ArgumentError(`algorithm: "${String(algorithm).slice(0, 32)}" is not a bill encryption algorithm (AEAD_AES_256_GCM or SM4_GCM)`, 'algorithm');
}

/**
 * The length in bytes a file key must have for a cipher.
 * @example
 * ```ts
 * billKeyLength('aes-256-gcm'); // 32
 * ```
 */
export function billKeyLength(cipher: BillDecryption['cipher']): number {
  return KEY_LENGTHS[cipher];
}

/**
 * Decrypts a downloaded bill as it streams. `raw`, when given, is fed the downloaded (encrypted)
 * bytes. Yields plaintext as it is deciphered: it is authenticated only when the stream ends, so
 * whatever consumes it must discard the output if this throws.
 * @throws {VerificationError} reason `decrypt-failed` when the tag does not match (tampered
 *   download, wrong key or nonce) or the download is shorter than a tag
 * @example
 * ```ts
 * for await (const plain of decryptBill(res.body, { cipher: 'aes-256-gcm', key, nonce })) out.write(plain);
 * ```
 */
export async function* decryptBill(source: AsyncIterable<Uint8Array>, decryption: BillDecryption, raw?: Hash): AsyncGenerator<Buffer> {
  const { cipher, key, nonce } = decryption;
  if (key.length !== KEY_LENGTHS[cipher]) throw new ArgumentError(`the file key of a ${cipher} bill must be ${KEY_LENGTHS[cipher]} bytes`, 'encrypt_key');
  if (nonce.length === 0) throw new ArgumentError('nonce: an encrypted bill needs its nonce', 'nonce');
  const decipher = createDecipheriv(cipher as 'aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  decipher.setAAD(Buffer.alloc(0));
  // the last TAG_LENGTH bytes seen so far: the tag, unless more bytes follow
  let tail = Buffer.alloc(0);
  for await (const chunk of source) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    raw?.update(bytes);
    let out: Buffer;
    if (bytes.length >= TAG_LENGTH) {
      // no copy of the large chunk: decipher the held-back tail, then all but the chunk's last 16 bytes
      const head = tail.length > 0 ? decipher.update(tail) : undefined;
      const body = decipher.update(bytes.subarray(0, bytes.length - TAG_LENGTH));
      out = head && head.length > 0 ? Buffer.concat([head, body]) : body;
      tail = Buffer.from(bytes.subarray(bytes.length - TAG_LENGTH));
    } else {
      const joined = Buffer.concat([tail, bytes]);
      const spare = Math.max(0, joined.length - TAG_LENGTH);
      out = spare > 0 ? decipher.update(joined.subarray(0, spare)) : Buffer.alloc(0);
      tail = joined.subarray(spare);
    }
    if (out.length > 0) yield out;
  }
  if (tail.length < TAG_LENGTH) throw new VerificationError('decrypt-failed', 'the encrypted bill is shorter than its authentication tag');
  decipher.setAuthTag(tail);
  let last: Buffer;
  try {
    last = decipher.final();
  } catch {
    throw new VerificationError('decrypt-failed', `the encrypted bill does not authenticate (${cipher} tag mismatch): a tampered or truncated download, or a wrong encrypt_key / nonce`);
  }
  if (last.length > 0) yield last;
}
