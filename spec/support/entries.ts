/**
 * The package as source (lib/, through tsx) or as published (dist/, built here by esbuild), so one
 * spec can hold both to the same behaviour: `describe.each(ENTRY_KINDS)(…, (kind) => { … })` with
 * `const { main, testing, webhook } = await loadEntries(kind)` in a `beforeAll` and
 * `afterAll(releaseEntries)`. Every entry point of package.json `exports` is loaded
 * ({@link ENTRY_POINTS}). The build goes into node_modules/.cache (so dependencies resolve as for
 * an installed package), once per spec file.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What the package's entry points export, by name (`main` is the package root). */
export interface Entries {
  main: typeof import('../../lib/index.js');
  testing: typeof import('../../lib/testing/index.js');
  crypto: typeof import('../../lib/crypto/index.js');
  webhook: typeof import('../../lib/webhook/index.js');
  apiv2: typeof import('../../lib/apiv2/index.js');
  media: typeof import('../../lib/media/index.js');
  download: typeof import('../../lib/download/index.js');
  certificates: typeof import('../../lib/certificates/index.js');
  doctor: typeof import('../../lib/doctor/index.js');
}

/**
 * Each entry: its package.json `exports` key and its module under lib/ and dist/ (without `.ts` / `.js`).
 */
export const ENTRY_POINTS: Readonly<Record<keyof Entries, { subpath: string; module: string }>> = {
  main: { subpath: '.', module: 'index' },
  testing: { subpath: './testing', module: 'testing/index' },
  crypto: { subpath: './crypto', module: 'crypto/index' },
  webhook: { subpath: './webhook', module: 'webhook/index' },
  apiv2: { subpath: './apiv2', module: 'apiv2/index' },
  media: { subpath: './media', module: 'media/index' },
  download: { subpath: './download', module: 'download/index' },
  certificates: { subpath: './certificates', module: 'certificates/index' },
  doctor: { subpath: './doctor', module: 'doctor/index' },
};

/** Which implementation a spec runs against. */
export type EntryKind = 'lib' | 'dist';

/** Both, for `describe.each`. */
export const ENTRY_KINDS: readonly EntryKind[] = ['lib', 'dist'];

const root = fileURLToPath(new URL('../..', import.meta.url));
let built: Promise<string> | undefined;
let scratch: string | undefined;

/**
 * Builds the published JavaScript (no declarations) once per process and returns its folder.
 */
export function buildDist(): Promise<string> {
  built ??= new Promise((resolve, reject) => {
    const cache = join(root, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    scratch = mkdtempSync(join(cache, 'wechatpay-chain-entries-'));
    const dist = join(scratch, 'dist');
    execFile(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--js-only', `--outdir=${dist}`], { cwd: root, timeout: 90_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`build failed: ${stderr || error.message}`));
      else resolve(dist);
    });
  });
  return built;
}

/**
 * The entry points of one implementation.
 */
export async function loadEntries(kind: EntryKind): Promise<Entries> {
  const dir = kind === 'lib' ? join(root, 'lib') : await buildDist();
  const extension = kind === 'lib' ? '.ts' : '.js';
  const loaded: Record<string, unknown> = {};
  for (const [name, { module }] of Object.entries(ENTRY_POINTS)) loaded[name] = await import(pathToFileURL(join(dir, module + extension)).href);
  return loaded as unknown as Entries;
}

/**
 * Removes the build (call it in `afterAll`; the modules already imported stay usable).
 */
export function releaseEntries(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
  built = undefined;
}
