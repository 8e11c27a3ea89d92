import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CATALOG, generate, OUTPUT_DIRS, OUTPUT_FILES, REPO_ROOT, write } from '../../scripts/generate.js';

let generated = new Map<string, string>();
beforeAll(() => {
  generated = generate(DEFAULT_CATALOG);
});

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

  it('reproduces every committed folder and file it owns (lib/openapi, docs/api, lib/cli/help, …) byte for byte', () => {
    write(generated, out);
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

/** Paths (relative, sorted) `git ls-files` lists for a pathspec, tracked or not, ignored ones left out. */
function gitFiles(pathspec: string): string[] {
  // git decides what a .gitattributes pattern matches: no second matcher to disagree with it
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', pathspec], { cwd: REPO_ROOT, encoding: 'utf8' });
  return [...new Set(out.split('\0').filter(Boolean))].sort();
}

describe('the generated files are fenced', () => {
  it('.gitattributes marks exactly the files `npm run generate` owns as linguist-generated', () => {
    const owned = [...generated.keys()].sort();
    expect(owned.length).toBeGreaterThan(1000);
    expect(gitFiles(':(attr:linguist-generated)'), 'linguist-generated in .gitattributes, against scripts/generate.ts').toEqual(owned);
  });

  it('.gitattributes marks the pinned catalog in vendor/ as linguist-vendored', () => {
    const vendor = gitFiles('vendor');
    expect(vendor).toContain('vendor/wechatpay-openapi/swagger.yaml');
    expect(gitFiles(':(attr:linguist-vendored)')).toEqual(vendor);
  });

  it('eslint skips the generated sources; tsc still checks them', async () => {
    const sources = [...generated.keys()].filter((file) => file.endsWith('.ts'));
    expect(sources).toContain('lib/openapi/index.ts');
    const eslint = new ESLint({ cwd: REPO_ROOT });
    const linted = [];
    for (const file of sources) if (!(await eslint.isPathIgnored(join(REPO_ROOT, file)))) linted.push(file);
    expect(linted, 'generated files eslint.config.js does not ignore').toEqual([]);
    // the fence is the generated files only: hand-written code beside them is still linted
    for (const file of ['lib/cli/endpoint-help.ts', 'lib/routing/hosts.ts', 'scripts/generate.ts']) expect(await eslint.isPathIgnored(join(REPO_ROOT, file)), file).toBe(false);

    const { config } = ts.readConfigFile(join(REPO_ROOT, 'tsconfig.json'), ts.sys.readFile);
    const checked = new Set(ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT).fileNames.map((file) => relative(REPO_ROOT, file)));
    // docs/api/examples is outside tsconfig.json: spec/openapi/compile.spec.ts compiles it against the types
    const unchecked = sources.filter((file) => !checked.has(file) && !file.startsWith('docs/api/examples/'));
    expect(unchecked, 'generated TypeScript that `npm run typecheck` does not check').toEqual([]);
  });
});
