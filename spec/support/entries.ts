/**
 * The package as source (lib/, through tsx) or as published (dist/, built here by esbuild), so one
 * spec can hold both to the same behaviour: `describe.each(ENTRY_KINDS)(…, (kind) => { … })` with
 * `const { main, testing } = await loadEntries(kind)` in a `beforeAll` and `afterAll(releaseEntries)`.
 * The build goes into node_modules/.cache (so dependencies resolve as for an installed package),
 * once per spec file.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What the package's entry points export. */
export interface Entries {
  main: typeof import('../../lib/index.js');
  testing: typeof import('../../lib/testing/index.js');
}

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
  if (kind === 'lib') return { main: await import('../../lib/index.js'), testing: await import('../../lib/testing/index.js') };
  const dist = await buildDist();
  return {
    main: (await import(pathToFileURL(join(dist, 'index.js')).href)) as Entries['main'],
    testing: (await import(pathToFileURL(join(dist, 'testing', 'index.js')).href)) as Entries['testing'],
  };
}

/**
 * Removes the build (call it in `afterAll`; the modules already imported stay usable).
 */
export function releaseEntries(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
  built = undefined;
}
