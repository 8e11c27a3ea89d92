import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG, generate, OUTPUT_DIRS, OUTPUT_FILES, REPO_ROOT, write } from '../../scripts/generate.js';

function listFiles(root: string, dir: string): string[] {
  const base = join(root, dir);
  if (!existsSync(base)) return [];
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

describe('npm run generate', () => {
  const out = mkdtempSync(join(tmpdir(), 'wechatpay-chain-generate-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('reproduces the committed lib/openapi, docs/api and lib/apiv2/cert-required.ts byte for byte', () => {
    write(generate(DEFAULT_CATALOG), out);
    for (const dir of OUTPUT_DIRS) {
      const fresh = listFiles(out, dir);
      expect(fresh.length).toBeGreaterThan(0);
      expect(listFiles(REPO_ROOT, dir), `files under ${dir}`).toEqual(fresh);
      const stale = fresh.filter((file) => !readFileSync(join(out, file)).equals(readFileSync(join(REPO_ROOT, file))));
      expect(stale, 'files that differ from a fresh `npm run generate`').toEqual([]);
    }
    for (const file of OUTPUT_FILES) {
      expect(readFileSync(join(REPO_ROOT, file), 'utf8'), `${file} differs from a fresh \`npm run generate\``).toBe(readFileSync(join(out, file), 'utf8'));
    }
  });

  it('marks every generated source file as generated on its first line', () => {
    for (const file of [...listFiles(out, 'lib/openapi'), ...OUTPUT_FILES]) {
      expect(readFileSync(join(out, file), 'utf8').split('\n', 1)[0]).toMatch(/^\/\/ GENERATED .* DO NOT EDIT, regenerate with `npm run generate`/);
    }
  });
});
