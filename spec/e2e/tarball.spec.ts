/**
 * The npm tarball, as `npm pack` makes it: the package is built here as `prepack` builds it
 * (scripts/build.ts, declarations included) into a scratch copy of the package in
 * node_modules/.cache, then listed by `npm pack --dry-run --json --ignore-scripts` (offline; the
 * scripts would build a second time). About 20-30 s on two shared cores, bounded below.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** What the tarball may weigh (issue 16): under 2 MB packed, a few hundred files. */
const LIMITS = { packed: 2_000_000, unpacked: 8_000_000, files: 400 };

interface Packed {
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: Array<{ path: string; size: number }>;
}

function run(command: string, args: string[], cwd: string, timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_loglevel: 'error' };
    execFile(command, args, { cwd, timeout, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** npm itself: the one running this test (`npm test`), else the one installed beside node, else PATH's. */
function npm(args: string[], cwd: string): Promise<string> {
  const candidates = [process.env.npm_execpath, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')];
  const cli = candidates.find((path) => path !== undefined && /npm-cli\.js$/.test(path) && existsSync(path));
  return cli ? run(process.execPath, [cli, ...args], cwd, 60_000) : run('npm', args, cwd, 60_000);
}

let scratch = '';
let packed: Packed;

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
  [packed] = JSON.parse(await npm(['pack', '--dry-run', '--json', '--ignore-scripts'], scratch)) as Packed[];
}, 240_000);

afterAll(() => {
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
