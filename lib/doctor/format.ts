/**
 * The text `wxpay doctor` prints: a line per check (status, id, message), the hint under each
 * check that is not ok, and a count.
 * @module
 */
import { printable } from '../printable.js';
import { CHECK_IDS, type CheckStatus, type Diagnosis } from './check.js';

const LABEL: Readonly<Record<CheckStatus, string>> = { ok: 'ok', warn: 'warn', fail: 'FAIL' };
const ID_WIDTH = Math.max(...CHECK_IDS.map((id) => id.length));

/**
 * Renders a diagnosis for a terminal or a log; control characters in it are escaped visibly
 * (see `printable`).
 * @example
 * ```ts
 * process.stdout.write(formatDiagnosis(await diagnose(config)));
 * // ok    private-key                 RSA-2048 private key (file:///…/apiclient_key.pem); its public and private halves agree
 * // FAIL  key-matches-certificate     privateKey is not the key of the merchant certificate …
 * //       hint: Use the apiclient_key.pem and apiclient_cert.pem of one application: …
 * ```
 */
export function formatDiagnosis(diagnosis: Diagnosis): string {
  const indent = ' '.repeat(6 + ID_WIDTH + 2);
  const lines: string[] = [];
  const counts: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0 };
  for (const check of diagnosis.checks) {
    counts[check.status] += 1;
    // each line escaped: a certs name or a server's text can carry controls a terminal would obey
    const [first = '', ...rest] = check.message.split('\n').map((line) => printable(line, Infinity));
    lines.push(`${LABEL[check.status].padEnd(6)}${check.id.padEnd(ID_WIDTH + 2)}${first}`);
    for (const line of rest) lines.push(`${indent}${line}`);
    if (check.status !== 'ok' && check.hint) {
      const [head = '', ...more] = check.hint.split('\n').map((line) => printable(line, Infinity));
      lines.push(`${' '.repeat(6)}hint: ${head}`);
      for (const line of more) lines.push(`${' '.repeat(12)}${line}`);
    }
  }
  const summary = [`${counts.fail} failed`, `${counts.warn} warning${counts.warn === 1 ? '' : 's'}`, `${counts.ok} ok`].join(', ');
  return `${lines.join('\n')}\n\n${summary}\n`;
}
