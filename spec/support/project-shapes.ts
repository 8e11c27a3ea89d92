/**
 * Scratch projects of every shape a merchant's Node.js project takes (ESM, CommonJS, TypeScript
 * with `nodenext`, `bundler` and legacy `commonjs` + `node`), each installing the packed tarball
 * and running one scenario against every entry point. Used by spec/e2e/tarball.spec.ts.
 *
 * How the tarball is "installed", offline: it is unpacked into `<store>/node_modules/wechatpay-chain`
 * and `<store>/node_modules` links to the repository's own copy of exactly the packages its
 * package.json names as `dependencies` and `peerDependencies` (and `@types/node`, which a
 * TypeScript project brings itself). `npm install --offline <tarball>` is not used: after `npm ci`
 * npm's cache holds the tarballs of the lockfile but not the registry documents a fresh range
 * needs (`ENOTCACHED` for `csv-parse`), so it would need the network. The store sits in the OS
 * temporary folder rather than inside the repository, so nothing else the repository installed
 * (devDependencies, `@types/mime-types`…) is visible to the package or to tsc: an undeclared
 * runtime import or type import fails here as it would for a user. Each linked package resolves
 * its own dependencies from its real path, as a hoisted `npm install` lays them out.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { runChild, type ChildResult } from './child.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The package's name, as users import it. */
export const PACKAGE = 'wechatpay-chain';

/** The parts of the installed package.json read here. */
export interface Manifest {
  version: string;
  exports: Record<string, unknown>;
  bin: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** A folder whose node_modules holds the installed package; each shape is a project inside it. */
export interface Store {
  dir: string;
  /** `<dir>/node_modules/wechatpay-chain`. */
  packageDir: string;
  manifest: Manifest;
}

/** What one command printed. */
export type Outcome = ChildResult;

/** Runs `command` without a shell, bounded in time; never rejects. */
export function run(command: string, args: readonly string[], cwd: string, timeout: number): Promise<Outcome> {
  return runChild(command, args, { cwd, timeout });
}

/**
 * Unpacks `tarball` into a new store and links its dependencies and peers (see the module note).
 */
export async function installTarball(tarball: string): Promise<Store> {
  const dir = mkdtempSync(join(realpathSync(tmpdir()), 'wechatpay-chain-shapes-'));
  // a node_modules above the store would make more packages visible than the tarball declares
  for (let up = dirname(dir); up !== parse(up).root; up = dirname(up)) {
    if (existsSync(join(up, 'node_modules'))) throw new Error(`${join(up, 'node_modules')} is visible from the scratch projects in ${dir}; point TMPDIR elsewhere`);
  }
  const packageDir = join(dir, 'node_modules', PACKAGE);
  mkdirSync(packageDir, { recursive: true });
  const untar = await run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'], dir, 30_000);
  if (untar.code !== 0) throw new Error(`tar -xzf ${tarball}: ${untar.stderr}`);
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Manifest;
  const linked = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), '@types/node'];
  for (const name of linked) {
    const target = join(root, 'node_modules', name);
    if (!existsSync(target)) throw new Error(`${name} is not installed in ${root}node_modules: run npm ci`);
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(target, join(dir, 'node_modules', name), 'junction');
  }
  return { dir, packageDir, manifest };
}

/** Removes a store. */
export function removeStore(store: Store | undefined): void {
  if (store) rmSync(store.dir, { recursive: true, force: true });
}

/** The subpaths of package.json `exports` that are modules (`.`, `./crypto`…, not `./package.json`). */
export function moduleSubpaths(exports: Manifest['exports']): string[] {
  return Object.keys(exports).filter((subpath) => !subpath.endsWith('.json'));
}

/** `'./crypto'` → `'wechatpay-chain/crypto'`. */
export function specifier(subpath: string): string {
  return subpath === '.' ? PACKAGE : `${PACKAGE}/${subpath.slice(2)}`;
}

/**
 * What the scenario imports from each entry point: one value at least from every subpath, each
 * used below, so an entry that does not load, or lacks a name, fails the shape.
 */
export const SCENARIO_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  '.': ['ArgumentError', 'Builder', 'DecodeError', 'HttpError', 'VerificationError'],
  './crypto': ['AesGcm'],
  './webhook': ['parseNotification'],
  './apiv2': ['ApiV2'],
  './media': ['MediaUtil'],
  './download': ['saveStream'],
  './certificates': ['decryptCertificates'],
  './doctor': ['diagnose'],
  './testing': ['Emulator', 'FIRST_REFUND_ID', 'createNotification', 'mediaHandlers'],
};

/** What the scenario prints (one JSON line) when the package works. */
export const SCENARIO_RESULT = {
  refund: 200,
  missing: 404,
  upload: 200,
  notification: 'T1',
  crypto: 'ArgumentError',
  apiv2: 'DecodeError',
  certificates: 'VerificationError',
  download: 'ArgumentError',
  doctor: 'ArgumentError',
} as const;

/**
 * The scenario, in strict TypeScript (without imports; {@link SCENARIO_JS} is its JavaScript): against the emulator
 * (in process, no socket), a typed endpoint, an `HttpError`, an upload with a `MediaUtil` from
 * /media, a notification verified with the client's `Verifier`, and one refusal from each
 * toolkit, named by the root's error class it is an instance of.
 */
const SCENARIO = `
const errors = { ArgumentError, DecodeError, HttpError, VerificationError };
const kind = (error: unknown) => Object.entries(errors).find(([, type]) => error instanceof type)?.[0] ?? String(error);
const refusal = (call: () => unknown) => Promise.resolve().then(call).then(() => 'no error', kind);

async function main() {
  const emulator = Emulator.create({ handlers: mediaHandlers() });
  const client = Builder.factory(emulator.clientConfig());
  try {
    const refund = await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id: FIRST_REFUND_ID, json: { sub_mchid: '1900000109' } });
    const missing = await client.chain('v3/no/such/endpoint').get().catch((error: unknown) => error);
    const upload = await client.v3.merchant.media.upload.post({ media: new MediaUtil('logo.png', Buffer.from('89504e470d0a1a0a', 'hex')) });
    const notification = parseNotification(createNotification(emulator, { resource: { out_trade_no: 'T1' } }), { verifier: client.verifier, apiv3Key: emulator.apiv3Key });
    return {
      refund: refund.status,
      missing: missing instanceof HttpError ? missing.status : String(missing),
      upload: upload.status,
      notification: notification.resource.out_trade_no,
      crypto: await refusal(() => AesGcm.decrypt('AAAA', 'short', 'n')),
      apiv2: await refusal(() => ApiV2.parseXml('<!DOCTYPE x><xml/>')),
      certificates: await refusal(() => decryptCertificates({}, emulator.apiv3Key)),
      download: await refusal(() => saveStream((async function* () {})(), '')),
      doctor: await refusal(() => diagnose(JSON.parse('null'))),
    };
  } finally {
    await client.close();
  }
}

main().then(
  (result) => console.log(JSON.stringify(result)),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
`;

/** The scenario as JavaScript: the same code, its type annotations removed by TypeScript. */
const SCENARIO_JS = ts.transpileModule(SCENARIO, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;

/**
 * Compiles only where the types are the package's own, not `any`: a required path variable left
 * out, and a handler that is not one, must be type errors (TS2578 otherwise).
 */
const TYPES_ARE_REAL = `
export function typesAreReal(client: ReturnType<typeof Builder.factory>): void {
  // @ts-expect-error refund_id is a required path variable of this endpoint
  void client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ json: { sub_mchid: '1900000109' } });
  // @ts-expect-error handlers are msw request handlers
  Emulator.create({ handlers: [42] });
}
`;

function esmImports(): string {
  return Object.entries(SCENARIO_IMPORTS)
    .map(([subpath, names]) => `import { ${names.join(', ')} } from '${specifier(subpath)}';`)
    .join('\n');
}

function cjsRequires(): string {
  return Object.entries(SCENARIO_IMPORTS)
    .map(([subpath, names]) => `const { ${names.join(', ')} } = require('${specifier(subpath)}');`)
    .join('\n');
}

/**
 * The interop check of one CommonJS process: every entry point `require`d and `import()`ed gives
 * the same module (each export the same value), and what a `require`d client throws is
 * `instanceof` the `import`ed class.
 */
function interop(subpaths: readonly string[]): string {
  return `
const subpaths = ${JSON.stringify(subpaths.map(specifier))};

async function main() {
  const differ = [];
  for (const subpath of subpaths) {
    const required = require(subpath);
    const imported = await import(subpath);
    const names = [...new Set([...Object.keys(required), ...Object.keys(imported)])];
    if (names.length === 0) differ.push(subpath + ': no exports');
    for (const name of names) if (required[name] !== imported[name]) differ.push(subpath + ': ' + name);
  }
  const { Builder } = require('${PACKAGE}');
  const { Emulator } = require('${PACKAGE}/testing');
  const { HttpError, WeChatPayError } = await import('${PACKAGE}');
  const client = Builder.factory(Emulator.create().clientConfig());
  const error = await client.chain('v3/no/such/endpoint').get().catch((e) => e);
  await client.close();
  return { entries: subpaths.length, differ, httpError: error instanceof HttpError, weChatPayError: error instanceof WeChatPayError };
}

main().then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
`;
}

/** One project: its files, how tsc builds it (if it is TypeScript) and the programs node runs. */
export interface Shape {
  name: string;
  files: Record<string, string>;
  typescript: boolean;
  programs: string[];
}

/**
 * Compiler options every TypeScript shape shares: strict, and every declaration file checked
 * (`skipLibCheck: false`: the package's, its dependencies', @types/node) but TypeScript's own
 * `lib.*.d.ts` (`skipDefaultLibCheck`, a fifth of the time).
 */
const STRICT = { strict: true, skipLibCheck: false, skipDefaultLibCheck: true, types: ['node'], outDir: 'out', noEmitOnError: true };

function tsconfig(options: Record<string, unknown>, files: string[]): string {
  return `${JSON.stringify({ compilerOptions: { ...options, ...STRICT }, files }, null, 2)}\n`;
}

/** The TypeScript program: the scenario with typed imports, and the proof that the types are real. */
function typescriptProgram(): string {
  return `${esmImports()}\n${TYPES_ARE_REAL}${SCENARIO}`;
}

/**
 * Every shape. `lib` is left to its default (it includes DOM): the types of
 * `wechatpay-chain/testing` are msw's, which need the DOM library (the root and the toolkits do not).
 */
export function shapes(subpaths: readonly string[]): Record<'esm' | 'cjs' | 'nodenext' | 'bundler' | 'node10', Shape> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    esm: {
      name: 'esm-javascript',
      files: { 'package.json': json({ private: true, type: 'module' }), 'main.js': `${esmImports()}\n${SCENARIO_JS}` },
      typescript: false,
      programs: ['main.js'],
    },
    cjs: {
      name: 'commonjs-javascript',
      files: { 'package.json': json({ private: true, type: 'commonjs' }), 'main.js': `${cjsRequires()}\n${SCENARIO_JS}`, 'interop.js': interop(subpaths) },
      typescript: false,
      programs: ['main.js', 'interop.js'],
    },
    // one program, both module formats: .mts is ESM, .cts is CommonJS (require of the ES module: TypeScript >= 5.8)
    nodenext: {
      name: 'typescript-nodenext',
      files: {
        'package.json': json({ private: true }),
        'tsconfig.json': tsconfig({ module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022' }, ['main.mts', 'main.cts']),
        'main.mts': typescriptProgram(),
        'main.cts': typescriptProgram(),
      },
      typescript: true,
      programs: ['out/main.mjs', 'out/main.cjs'],
    },
    bundler: {
      name: 'typescript-bundler',
      files: {
        'package.json': json({ private: true, type: 'module' }),
        'tsconfig.json': tsconfig({ module: 'esnext', moduleResolution: 'bundler', target: 'ES2022' }, ['main.ts']),
        'main.ts': typescriptProgram(),
      },
      typescript: true,
      programs: ['out/main.js'],
    },
    // the NestJS default: CommonJS output, node10 resolution (no `exports`: `typesVersions` maps the subpaths)
    node10: {
      name: 'typescript-commonjs-node10',
      files: {
        'package.json': json({ private: true }),
        'tsconfig.json': tsconfig({ module: 'commonjs', moduleResolution: 'node', target: 'ES2021', esModuleInterop: true }, ['main.ts']),
        'main.ts': typescriptProgram(),
      },
      typescript: true,
      programs: ['out/main.js'],
    },
  };
}

/** What building and running one shape printed: tsc's output (if any), then each program's. */
export interface ShapeOutcome {
  tsc?: Outcome;
  programs: Outcome[];
}

/**
 * Writes `shape` into the store, compiles it with the repository's TypeScript when it is
 * TypeScript, and runs each program with this node; stops after a failed compilation.
 */
export async function runShape(store: Store, shape: Shape): Promise<ShapeOutcome> {
  const dir = join(store.dir, shape.name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(shape.files)) writeFileSync(join(dir, file), text);
  let tsc: Outcome | undefined;
  if (shape.typescript) {
    tsc = await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir, 120_000);
    if (tsc.code !== 0) return { tsc, programs: [] };
  }
  const programs: Outcome[] = [];
  for (const program of shape.programs) programs.push(await run(process.execPath, [program], dir, 30_000));
  return tsc ? { tsc, programs } : { programs };
}
