/**
 * `npm run build` (and `npm pack`, through `prepack`): dist/ as published.
 *
 * - tsc writes the declarations, one `.d.ts` per source file, so editors and the typed endpoint
 *   catalog see the structure of lib/.
 * - esbuild writes the JavaScript: three entry points (the package, `wechatpay-chain/testing`
 *   and the `wxpay` CLI) with the modules they share split into `dist/chunks/`. Every class
 *   exists once across the entries, so an error thrown by the client is still `instanceof` the
 *   class the testing entry re-exports. Dependencies stay external (`npm install` resolves them).
 * - the data of `wxpay <endpoint> --help` (lib/cli/help, written by `npm run generate`) is copied
 *   to dist/cli/help, where lib/cli/endpoint-help.ts finds it from dist/cli and dist/chunks alike.
 * - `dist/meta.json` (esbuild's metafile, not packed) says which source went into which output:
 *   the bench reads it to show that the typed catalog adds no runtime JavaScript.
 *
 * Why a bundle: a cold `import 'wechatpay-chain'` of 52 small files spent about half of its time
 * resolving, opening and linking them (bench: about 48 ms as files, 22 ms as one module).
 *
 *   npm run build                                   # dist/: declarations and JavaScript
 *   tsx scripts/build.ts --js-only --outdir=<dir>   # the JavaScript alone, elsewhere (spec/e2e/package.spec.ts)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { HELP_DIR } from './openapi/emit-help.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const outdirArg = process.argv.find((arg) => arg.startsWith('--outdir='))?.slice('--outdir='.length);
const DIST = resolve(ROOT, outdirArg ?? 'dist');
const jsOnly = process.argv.includes('--js-only');

/** Entry points: output name under dist/ → source. */
const ENTRIES = {
  index: 'lib/index.ts',
  'testing/index': 'lib/testing/index.ts',
  'cli/index': 'lib/cli/index.ts',
} as const;

rmSync(DIST, { recursive: true, force: true });

if (!jsOnly) {
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--emitDeclarationOnly', '--outDir', DIST], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (tsc.status !== 0) throw new Error(`tsc --emitDeclarationOnly failed (exit ${tsc.status})`);
}

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ENTRIES,
  outdir: DIST,
  // chunks sit two levels below the package root like dist/cli/, so lib/cli/endpoint-help.ts's
  // `../cli/help/` and `../../package.json` mean the same from source and from dist/
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  packages: 'external',
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(join(DIST, 'meta.json'), `${JSON.stringify(result.metafile)}\n`);
cpSync(join(ROOT, HELP_DIR), join(DIST, 'cli', 'help'), { recursive: true });
