/**
 * The npm tarball, as `npm pack` makes it, and as every shape of Node.js project installs it.
 *
 * The package is built here once, as `prepack` builds it (scripts/build.ts, declarations
 * included), into a scratch copy of the package in node_modules/.cache, then packed by
 * `npm pack --json --ignore-scripts` (offline; the scripts would build a second time). That one
 * tarball is measured, checked by @arethetypeswrong/cli and publint (both read the tarball: no
 * network), and installed into scratch projects of every shape (spec/support/project-shapes.ts),
 * each compiled (TypeScript) and run. The build takes 20-30 s on two shared cores; each shape a
 * few seconds (a TypeScript one 10-20 s: its compilation checks the package's declarations).
 */
import { spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it, type ExpectStatic } from 'vitest';
import { VERSION } from '../../lib/version.js';
import { runChild } from '../support/child.js';
import {
  installTarball,
  moduleSubpaths,
  removeStore,
  run as runCommand,
  runShape,
  SCENARIO_IMPORTS,
  SCENARIO_RESULT,
  shapes,
  type Outcome,
  type Shape,
  type Store,
} from '../support/project-shapes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** What the tarball may weigh (issue 16): under 2 MB packed, a few hundred files. */
const LIMITS = { packed: 2_000_000, unpacked: 8_000_000, files: 400 };

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: Array<{ path: string; size: number }>;
}

/** `command`'s stdout; rejects with its stderr when it fails (npm kept offline and quiet). */
async function run(command: string, args: string[], cwd: string, timeout: number): Promise<string> {
  const env = { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_loglevel: 'error' };
  const { code, stdout, stderr } = await runChild(command, args, { cwd, timeout, env });
  if (code !== 0) throw new Error(`${command} ${args.join(' ')}: ${stderr || `exit code ${code}`}`);
  return stdout;
}

/** npm itself: the one running this test (`npm test`), else the one installed beside node, else PATH's. */
function npm(args: string[], cwd: string): Promise<string> {
  const candidates = [process.env.npm_execpath, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')];
  const cli = candidates.find((path) => path !== undefined && /npm-cli\.js$/.test(path) && existsSync(path));
  return cli ? run(process.execPath, [cli, ...args], cwd, 60_000) : run('npm', args, cwd, 60_000);
}

let scratch = '';
let packed: Packed;
let tarball = '';
let attw: Promise<Attw>;

/** What @arethetypeswrong/cli reports (`--format json`) and its exit code. */
interface Attw {
  code: number | null;
  analysis: { entrypoints: Record<string, unknown>; problems: Array<{ kind: string; entrypoint?: string; resolutionKind?: string }> };
}

/**
 * `attw <tarball>`: what `attw --pack` checks, on the tarball packed here (attw reads a local
 * tarball without the network). CJSResolvesToESM, ignored, says that `require` loads an ES
 * module, which Node >= 20.19 does (require(esm)) and TypeScript >= 5.8 types. The report goes
 * to a file: attw exits right after writing it, which would cut it short in a pipe.
 */
async function runAttw(): Promise<Attw> {
  const report = join(scratch, 'attw.json');
  const out = openSync(report, 'w');
  const code = await new Promise<number | null>((resolve, reject) => {
    const cli = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    spawn(process.execPath, [cli, tarball, '--format', 'json', '--ignore-rules', 'cjs-resolves-to-esm'], { cwd: scratch, stdio: ['ignore', out, 'inherit'], timeout: 90_000 })
      .on('error', reject)
      .on('exit', resolve);
  }).finally(() => closeSync(out));
  return { code, analysis: (JSON.parse(readFileSync(report, 'utf8')) as Pick<Attw, 'analysis'>).analysis };
}

beforeAll(async () => {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  scratch = mkdtempSync(join(cache, 'wechatpay-chain-tarball-'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };
  cpSync(join(root, 'package.json'), join(scratch, 'package.json'));
  // what `files` names besides dist/ (README.md, LICENSE…; the folder a glob starts in)
  for (const entry of pkg.files) {
    const top = entry.split('/')[0] as string;
    if (top.startsWith('!') || top === 'dist' || /[*?[{]/.test(top) || !existsSync(join(root, top))) continue;
    cpSync(join(root, top), join(scratch, top), { recursive: true });
  }
  await run(process.execPath, ['--import', 'tsx', 'scripts/build.ts', `--outdir=${join(scratch, 'dist')}`], root, 150_000);
  [packed] = JSON.parse(await npm(['pack', '--json', '--ignore-scripts'], scratch)) as Packed[];
  tarball = join(scratch, packed.filename);
  // in the background while the shapes run
  attw = runAttw();
  attw.catch(() => undefined);
}, 240_000);

afterAll(async () => {
  await attw?.catch(() => undefined);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** `703.4 kB` → bytes, as npm writes sizes (decimal units). */
function bytes(value: string, unit: string): number {
  return Number(value) * (unit === 'MB' ? 1_000_000 : 1_000);
}

describe('the npm tarball', () => {
  it(`stays under ${LIMITS.packed / 1e6} MB packed, ${LIMITS.unpacked / 1e6} MB unpacked and ${LIMITS.files} files`, () => {
    expect(packed.size).toBeLessThan(LIMITS.packed);
    expect(packed.unpackedSize).toBeLessThan(LIMITS.unpacked);
    expect(packed.entryCount).toBeLessThanOrEqual(LIMITS.files);
  });

  it('ships the CLI help data, not the docs pages nor the build metafile', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths.filter((p) => p.startsWith('docs/'))).toEqual([]);
    expect(paths).not.toContain('dist/meta.json');
    const help = paths.filter((p) => p.startsWith('dist/cli/help/'));
    expect(help).toContain('dist/cli/help/index.json');
    expect(help).toContain('dist/cli/help/v3-pay.json');
    expect(help.length).toBeGreaterThan(100);
    for (const file of ['package.json', 'README.md', 'LICENSE', 'NOTICE', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/index.js', 'dist/testing/index.js']) expect(paths).toContain(file);
  });

  it('is what the README says it is, within 15 %', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const said = /([\d.]+) (kB|MB) packed, ([\d.]+) (kB|MB) unpacked, (\d+) files/.exec(readme);
    expect(said, 'README.md: "… kB packed, … MB unpacked, … files"').not.toBeNull();
    const [, packedSize = '', packedUnit = '', unpackedSize = '', unpackedUnit = '', files = ''] = said ?? [];
    const near = (stated: number, actual: number) => Math.abs(stated - actual) / actual <= 0.15;
    const actual = `${(packed.size / 1e3).toFixed(0)} kB packed, ${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked, ${packed.entryCount} files`;
    expect(near(bytes(packedSize, packedUnit), packed.size), `README says ${said?.[0]}; npm pack: ${actual}`).toBe(true);
    expect(near(bytes(unpackedSize, unpackedUnit), packed.unpackedSize), `README says ${said?.[0]}; npm pack: ${actual}`).toBe(true);
    expect(near(Number(files), packed.entryCount), `README says ${said?.[0]}; npm pack: ${actual}`).toBe(true);
  });
});

describe('the tarball as module resolvers see it', () => {
  it('has no problem @arethetypeswrong/cli finds, in any resolution mode, for any entry point (but the ESM-only one)', async () => {
    const { code, analysis } = await attw;
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(Object.keys(analysis.entrypoints).sort()).toEqual(Object.keys(pkg.exports).sort());
    expect(analysis.problems.filter((problem) => problem.kind !== 'CJSResolvesToESM')).toEqual([]);
    // the one problem let through: `require` (node16 from CommonJS) of each module entry point loads an ES module
    const esmOnly = analysis.problems.map((problem) => `${problem.entrypoint} ${problem.resolutionKind}`);
    expect(new Set(esmOnly)).toEqual(new Set(moduleSubpaths(pkg.exports).map((subpath) => `${subpath} node16-cjs`)));
    expect(code).toBe(0);
  }, 90_000);

  it('is clean for publint --strict', async () => {
    const data = readFileSync(tarball);
    const { messages, pkg } = await publint({ pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer }, strict: true, level: 'suggestion' });
    expect(messages.map((message) => `${message.type} ${message.code}: ${formatMessage(message, pkg, { color: false })}`)).toEqual([]);
  });
});

// concurrent: each shape is child processes (tsc, node), so two use both cores
describe.concurrent('the tarball installed in every project shape', () => {
  let store: Store | undefined;
  let every: ReturnType<typeof shapes>;

  beforeAll(async () => {
    store = await installTarball(tarball);
    every = shapes(moduleSubpaths(store.manifest.exports));
  }, 60_000);

  afterAll(() => removeStore(store));

  /** Builds and runs `shape`: tsc says nothing, every program prints the scenario's result and nothing on stderr. */
  async function expectRuns(expect: ExpectStatic, shape: Shape, expected: unknown[] = shape.programs.map(() => SCENARIO_RESULT)): Promise<void> {
    const { tsc, programs } = await runShape(store as Store, shape);
    if (tsc) expect(`${tsc.stdout}${tsc.stderr}`, `${shape.name}: tsc`).toBe('');
    expect(programs.length, `${shape.name}: programs run`).toBe(shape.programs.length);
    programs.forEach((outcome: Outcome, i) => {
      const label = `${shape.name}: node ${shape.programs[i]}`;
      expect(outcome.stderr, label).toBe('');
      expect(outcome.code, label).toBe(0);
      expect(JSON.parse(outcome.stdout) as unknown, label).toEqual(expected[i]);
    });
  }

  it('the scenario reaches the root and every subpath of package.json exports', ({ expect }) => {
    expect(Object.keys(SCENARIO_IMPORTS).sort()).toEqual(moduleSubpaths((store as Store).manifest.exports).sort());
  });

  it('ESM JavaScript: import of the root and every subpath', async ({ expect }) => {
    await expectRuns(expect, every.esm);
  }, 60_000);

  it('CommonJS JavaScript: require() of the root and every subpath (require(esm), Node >= 20.19), and instanceof holds between a require()d and an import()ed entry', async ({ expect }) => {
    const subpaths = moduleSubpaths((store as Store).manifest.exports);
    await expectRuns(expect, every.cjs, [SCENARIO_RESULT, { entries: subpaths.length, differ: [], httpError: true, weChatPayError: true }]);
  }, 60_000);

  it('TypeScript, module nodenext: an ES module (.mts) and a CommonJS module (.cts) compile without skipLibCheck and run', async ({ expect }) => {
    await expectRuns(expect, every.nodenext);
  }, 180_000);

  it('TypeScript, moduleResolution bundler: compiles without skipLibCheck and runs', async ({ expect }) => {
    await expectRuns(expect, every.bundler);
  }, 180_000);

  it('TypeScript, legacy module commonjs + moduleResolution node (node10): the types of every subpath resolve; compiles and runs', async ({ expect }) => {
    await expectRuns(expect, every.node10);
  }, 180_000);

  it('runs the wxpay command the package.json bin names', async ({ expect }) => {
    const { dir, packageDir, manifest } = store as Store;
    const wxpay = await runCommand(process.execPath, [join(packageDir, manifest.bin.wxpay as string), '--version'], dir, 30_000);
    expect(wxpay.stderr).toBe('');
    expect(wxpay.stdout.trim()).toBe(VERSION);
  }, 60_000);
});
