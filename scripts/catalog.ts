/**
 * `npm run catalog -- <folder>`: refreshes the pinned copy of the wechatpay-openapi catalog in
 * `vendor/wechatpay-openapi/` from a folder holding it (`swagger.yaml`, `definitions/`, `v2/`,
 * `v3/`, `hk/`, `global/`, `LICENSE`, `README.md`), and records what was copied in `PIN.json`:
 * the file count and one SHA-256 over every file's path and bytes. The generator and the specs
 * read the pinned copy, so a fresh clone runs every spec; `spec/scripts/catalog.spec.ts` refuses
 * a copy edited by hand (its digest no longer matches the pin).
 * @module
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding package.json). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the pinned catalog lives in the repository. */
export const CATALOG_DIR = join(REPO_ROOT, 'vendor', 'wechatpay-openapi');

/** The file recording what the pinned copy holds. */
export const PIN_FILE = 'PIN.json';

/** What `PIN.json` says. */
export interface CatalogPin {
  /** Where the catalog comes from (its README names the upstream repository). */
  source: string;
  /** Number of files covered by `sha256`. */
  files: number;
  /** SHA-256 over `path\0bytes\0` of every file, sorted by path (`/` separators). */
  sha256: string;
}

/**
 * Every file of a catalog folder, relative with `/` separators, sorted; `PIN.json` excluded.
 * @example
 * ```ts
 * catalogFiles(CATALOG_DIR).includes('swagger.yaml'); // true
 * ```
 */
export function catalogFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((file) => file !== PIN_FILE)
    .sort();
}

/**
 * The pin of a catalog folder as it is now.
 * @example
 * ```ts
 * digestCatalog(CATALOG_DIR).sha256 === readPin().sha256; // true unless edited by hand
 * ```
 */
export function digestCatalog(dir: string, source = 'TheNorthMemory/wechatpay-openapi docs/ (MIT)'): CatalogPin {
  const hash = createHash('sha256');
  const files = catalogFiles(dir);
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(dir, file))).update('\0');
  return { source, files: files.length, sha256: hash.digest('hex') };
}

/**
 * The recorded pin of the repository's copy.
 * @example
 * ```ts
 * readPin().files; // 1133
 * ```
 */
export function readPin(dir = CATALOG_DIR): CatalogPin {
  return JSON.parse(readFileSync(join(dir, PIN_FILE), 'utf8')) as CatalogPin;
}

/**
 * Replaces the pinned copy with the catalog in `from` and writes its pin.
 * @example
 * ```ts
 * refresh('../shared/openapi');
 * ```
 */
export function refresh(from: string, to = CATALOG_DIR): CatalogPin {
  if (resolve(from) === resolve(to)) throw new Error(`${from}: is the pinned copy itself; name the folder to copy from`);
  for (const required of ['swagger.yaml', 'LICENSE']) {
    if (!existsSync(join(from, required))) throw new Error(`${from}: no ${required}; expected the wechatpay-openapi catalog folder`);
  }
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  // dot files (.git, .DS_Store) are not part of the catalog
  cpSync(from, to, { recursive: true, filter: (src) => !relative(from, src).split(sep).some((part) => part.startsWith('.')) });
  const pin = digestCatalog(to);
  writeFileSync(join(to, PIN_FILE), `${JSON.stringify(pin, null, 2)}\n`);
  return pin;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const from = process.argv[2];
  if (!from) {
    console.error('usage: npm run catalog -- <folder holding the wechatpay-openapi catalog, e.g. ../shared/openapi>');
    process.exit(2);
  }
  const pin = refresh(resolve(from));
  console.log(`pinned ${pin.files} files from ${resolve(from)} into ${relative(REPO_ROOT, CATALOG_DIR)} (sha256 ${pin.sha256})`);
  console.log('now run `npm run generate` and commit vendor/ with what it writes (the files .gitattributes marks linguist-generated)');
}
