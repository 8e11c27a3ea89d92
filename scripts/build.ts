/**
 * `npm run build` (and `npm pack`, through `prepack`): dist/ as published.
 *
 * - tsc writes the declarations, one `.d.ts` per source file, so editors and the typed endpoint
 *   catalog see the structure of lib/.
 * - esbuild writes the JavaScript: one entry point per package.json `exports` key (the package
 *   root, `wechatpay-chain/crypto`, `/webhook`, `/apiv2`, `/media`, `/download`, `/certificates`,
 *   `/doctor`, `/testing`) and the `wxpay` CLI, with the modules they share split into
 *   `dist/chunks/`. Every class exists once across the entries, so an error thrown by a toolkit is
 *   still `instanceof` the class the root exports, and a `MediaUtil` from `/media` is the one the
 *   client accepts. Dependencies stay external (`npm install` resolves them).
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
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const outdirArg = process.argv.find((arg) => arg.startsWith('--outdir='))?.slice('--outdir='.length);
const DIST = resolve(ROOT, outdirArg ?? 'dist');
const jsOnly = process.argv.includes('--js-only');

/** Entry points: output name under dist/ → source (the package root, each subpath of package.json `exports`, the CLI). */
const ENTRIES = {
  index: 'lib/index.ts',
  'crypto/index': 'lib/crypto/index.ts',
  'webhook/index': 'lib/webhook/index.ts',
  'apiv2/index': 'lib/apiv2/index.ts',
  'media/index': 'lib/media/index.ts',
  'download/index': 'lib/download/index.ts',
  'certificates/index': 'lib/certificates/index.ts',
  'doctor/index': 'lib/doctor/index.ts',
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
  // chunks sit two levels below the package root like dist/cli/, so a path such as
  // lib/cli/endpoint-help.ts's `../../docs/api/` means the same from source and from dist/
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
