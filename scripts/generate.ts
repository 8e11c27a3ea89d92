/**
 * `npm run generate [catalog-dir]`: regenerates lib/openapi (endpoint types), docs/api
 * (one page per endpoint, the index by business area, and the compiled examples), lib/cli/help
 * (the data of `wxpay <endpoint> --help`), lib/apiv2/cert-required.ts (the APIv2 endpoints
 * that need mutual TLS), lib/routing/catalog-routes.ts (the endpoints served by another host than
 * the default) and lib/testing/sandbox/rules.ts (the sandbox's request rules) from the
 * wechatpay-openapi catalog, by default the pinned copy in `vendor/wechatpay-openapi` (refresh it
 * with `npm run catalog -- <folder>`).
 * The output is deterministic: the same catalog gives the same bytes.
 * @module
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG_DIR } from './catalog.js';
import { readCatalog } from './openapi/catalog.js';
import { CERT_REQUIRED_FILE, emitCertRequired } from './openapi/emit-cert-required.js';
import { emitDocs } from './openapi/emit-docs.js';
import { emitHelp, HELP_DIR } from './openapi/emit-help.js';
import { emitRoutes, ROUTES_FILE } from './openapi/emit-routes.js';
import { emitSandboxRules, SANDBOX_RULES_FILE } from './openapi/emit-sandbox-rules.js';
import { emitTypes } from './openapi/emit-types.js';

/** The repository root (the folder holding package.json). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the catalog is read from when no path is given: the pinned copy (scripts/catalog.ts). */
export const DEFAULT_CATALOG = CATALOG_DIR;

/** Folders the generator owns entirely (emptied before writing). */
export const OUTPUT_DIRS = ['lib/openapi', 'docs/api', HELP_DIR] as const;

/** Single files the generator owns, outside those folders (loaded at runtime, so kept apart from lib/openapi). */
export const OUTPUT_FILES = [CERT_REQUIRED_FILE, ROUTES_FILE, SANDBOX_RULES_FILE] as const;

/**
 * Every generated file, keyed by path relative to the repository root.
 * @example
 * ```ts
 * const files = generate('vendor/wechatpay-openapi');
 * files.get('lib/openapi/index.ts');
 * ```
 */
export function generate(catalogDir: string): Map<string, string> {
  const catalog = readCatalog(catalogDir);
  const out = new Map<string, string>();
  for (const [path, text] of emitTypes(catalog)) out.set(`lib/openapi/${path}`, text);
  for (const [path, text] of emitDocs(catalog)) out.set(`docs/api/${path}`, text);
  for (const [path, text] of emitHelp(catalog)) out.set(`${HELP_DIR}/${path}`, text);
  out.set(CERT_REQUIRED_FILE, emitCertRequired(catalog));
  out.set(ROUTES_FILE, emitRoutes(catalog));
  out.set(SANDBOX_RULES_FILE, emitSandboxRules(catalog));
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Writes the generated files under `root` (default: the repository), replacing the owned folders.
 * @example
 * ```ts
 * write(generate(DEFAULT_CATALOG), '/tmp/out');
 * ```
 */
export function write(files: ReadonlyMap<string, string>, root = REPO_ROOT): void {
  for (const dir of OUTPUT_DIRS) rmSync(join(root, dir), { recursive: true, force: true });
  for (const [path, text] of files) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const catalogDir = resolve(process.argv[2] ?? DEFAULT_CATALOG);
  const outRoot = resolve(process.argv[3] ?? REPO_ROOT);
  const files = generate(catalogDir);
  write(files, outRoot);
  console.log(`generated ${files.size} files from ${catalogDir} into ${outRoot} in ${Math.round(performance.now() - started)} ms`);
}
