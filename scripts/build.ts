/**
 * `npm run build` (and `npm pack`, through `prepack`): dist/ as published.
 *
 * - tsc writes the declarations, one `.d.ts` per source file, so editors and the typed endpoint
 *   catalog see the structure of lib/.
 * - esbuild writes the JavaScript: four entry points — the package root, the toolkits
 *   (`dist/chunks/toolkits.js`, every value of the subpaths `wechatpay-chain/crypto`, `/webhook`,
 *   `/apiv2`, `/media`, `/download`, `/certificates`, `/doctor`), `wechatpay-chain/testing` and
 *   the `wxpay` CLI — with the modules they share split into `dist/chunks/`; each subpath file
 *   (`dist/crypto/index.js`…) re-exports its names from the toolkits. Every class exists once
 *   across the entries, so an error thrown by a toolkit is still `instanceof` the class the root
 *   exports, and a `MediaUtil` from `/media` is the one the client accepts. Dependencies stay
 *   external (`npm install` resolves them).
 * - Why one toolkits entry rather than one per subpath: esbuild puts each module in a chunk per
 *   set of entries that reach it, so seven more entries cut the root's code into 17 files, and a
 *   cold `import 'wechatpay-chain'` took 40% longer (83 ms against 59 ms, alternating runs).
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
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { HELP_DIR } from './openapi/emit-help.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const outdirArg = process.argv.find((arg) => arg.startsWith('--outdir='))?.slice('--outdir='.length);
const DIST = resolve(ROOT, outdirArg ?? 'dist');
const jsOnly = process.argv.includes('--js-only');

/** The toolkit subpaths of package.json `exports`: each is `lib/<name>/index.ts` and `dist/<name>/index.js`. */
const TOOLKITS = ['crypto', 'webhook', 'apiv2', 'media', 'download', 'certificates', 'doctor'] as const;

/** The module all toolkit subpaths re-export from: a virtual entry that re-exports each of them. */
const TOOLKITS_MODULE = 'wechatpay-chain:toolkits';

/** Entry points: output name under dist/ → source. */
const ENTRIES = {
  index: 'lib/index.ts',
  'chunks/toolkits': TOOLKITS_MODULE,
  'testing/index': 'lib/testing/index.ts',
  'cli/index': 'lib/cli/index.ts',
} as const;

const toolkits: Plugin = {
  name: 'toolkits',
  setup(builder) {
    builder.onResolve({ filter: /^wechatpay-chain:toolkits$/ }, (args) => ({ path: args.path, namespace: 'toolkits' }));
    builder.onLoad({ filter: /.*/, namespace: 'toolkits' }, () => ({
      contents: TOOLKITS.map((name) => `export * from ${JSON.stringify(`./lib/${name}/index.ts`)};`).join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    }));
  },
};

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
  plugins: [toolkits],
});
writeFileSync(join(DIST, 'meta.json'), `${JSON.stringify(result.metafile)}\n`);
cpSync(join(ROOT, HELP_DIR), join(DIST, 'cli', 'help'), { recursive: true });

// each toolkit subpath: its own names (the runtime exports of lib/<name>/index.ts), from the toolkits module
for (const name of TOOLKITS) {
  const names = Object.keys((await import(pathToFileURL(join(ROOT, 'lib', name, 'index.ts')).href)) as object).sort();
  mkdirSync(join(DIST, name), { recursive: true });
  writeFileSync(join(DIST, name, 'index.js'), `export { ${names.join(', ')} } from '../chunks/toolkits.js';\n`);
}
