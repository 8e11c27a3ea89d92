/**
 * All-or-nothing files: written under a random name beside the target, opened exclusively
 * (`wx`, so nothing planted there — a symlink, a file — is ever followed or reused), then renamed
 * over the target (a rename replaces a symlink at the target, it does not write through it).
 * Used by `saveStream` (downloads) and `writeCertificates` (platform certificates).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { fsPromises } from '../lazy.js';

/**
 * A fresh, unpredictable temporary name in the directory of `path`: `.<name>.<random>.part`.
 * Open it with the `wx` flag.
 * @example
 * ```ts
 * temporarySibling('/data/bill.csv'); // '/data/.bill.csv.3f9a0c1be27d.part'
 * ```
 */
export function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
}

/**
 * Writes `data` to `path` through a {@link temporarySibling} opened exclusively, then renames it
 * into place; on any failure the temporary file is removed and `path` is left as it was.
 * Returns a Promise.
 * @example
 * ```ts
 * await writeFileAtomically('/etc/wechatpay/wechatpay_5157F09E.pem', pem, 0o644);
 * ```
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array, mode = 0o666): Promise<void> {
  const fs = fsPromises();
  const temp = temporarySibling(path);
  const handle = await fs.open(temp, 'wx', mode); // fails (EEXIST) rather than follow anything already there
  try {
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (error) {
    await fs.unlink(temp).catch(() => undefined);
    throw error;
  }
}
