/**
 * Issue 16: docs/guides/errors.md has a "401 SIGN_ERROR checklist" whose every item names the doctor
 * check that finds it (linked to the checks' table in the CLI guide), and the doctor prints the
 * same checklist (SIGN_ERROR_CHECKLIST, the hint of a failed `signature` check): item by item, the
 * same checks.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECK_IDS, SIGN_ERROR_CHECKLIST } from '../../lib/doctor/index.js';

const errors = readFileSync(fileURLToPath(new URL('../../docs/guides/errors.md', import.meta.url)), 'utf8');

/** The numbered items of the section, one string each (continuation lines joined). */
function checklist(): string[] {
  const start = errors.indexOf('\n## 401 SIGN_ERROR checklist\n');
  expect(start, 'errors.md has a "401 SIGN_ERROR checklist" section').toBeGreaterThan(0);
  const section = errors.slice(start + 1, errors.indexOf('\n## ', start + 1));
  const items: string[] = [];
  for (const line of section.split('\n')) {
    if (/^\d+\. /.test(line)) items.push(line);
    else if (/^ {3}\S/.test(line) && items.length > 0) items[items.length - 1] += ` ${line.trim()}`;
  }
  return items;
}

const linked = (item: string) => [...item.matchAll(/\[`([a-z0-9-]+)`\]\(cli\.md#wxpay-doctor\)/g)].map((m) => m[1] as string);
const named = (line: string) => CHECK_IDS.filter((id) => new RegExp(`(?<![\\w-])${id}(?![\\w-])`).test(line));

describe('401 SIGN_ERROR checklist', () => {
  it('every item of errors.md names, as links to the doctor\'s table, the checks that find it', () => {
    const items = checklist();
    expect(items.length).toBeGreaterThanOrEqual(7);
    for (const item of items) {
      const ids = linked(item);
      expect(ids.length, item).toBeGreaterThan(0);
      for (const id of ids) expect(CHECK_IDS, item).toContain(id);
    }
    // the checks that bear on signing all appear
    const all = new Set(items.flatMap(linked));
    for (const id of ['private-key', 'key-matches-certificate', 'serial-matches-certificate', 'config', 'clock-skew', 'signature', 'certificate-expiry']) expect(all).toContain(id);
  });

  it('the doctor prints the same items, each naming the same checks', () => {
    const items = checklist();
    expect(SIGN_ERROR_CHECKLIST).toHaveLength(items.length);
    items.forEach((item, i) => {
      const line = SIGN_ERROR_CHECKLIST[i] as string;
      expect(line.startsWith(`${i + 1}. `), line).toBe(true);
      expect(named(line).sort(), `doctor: ${line}\nerrors.md: ${item}`).toEqual([...new Set(linked(item))].sort());
    });
  });

  it('says a lower-case serial is not a cause (the client sends it in upper case) and a missing leading zero is', () => {
    const serialItem = checklist().find((item) => item.includes('serial-matches-certificate')) as string;
    expect(serialItem).toMatch(/any case/);
    expect(serialItem).toMatch(/leading zero/);
  });
});
