/**
 * A project outside the repository (in the OS temp folder, so Node's lookup never walks up into
 * the repository's node_modules) whose node_modules links every package the repository has
 * installed except those in `without`: what a user's project looks like when an optional peer
 * (msw, @peculiar/x509) was not installed. Offline: nothing is downloaded.
 *
 * The package under test enters it either built (`dist`: copied to node_modules/wechatpay-chain
 * with package.json) or as source (`lib`: a link to the repository's lib/, run with
 * `--preserve-symlinks` and `--preserve-symlinks-main` so bare imports from it, and from a main
 * module in it, resolve in the scratch project, through tsx).
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, type ChildResult } from './child.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(root, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');

/** What a child run printed and how it ended. */
export type Run = ChildResult;

export interface ScratchProject {
  dir: string;
  /** Writes `file` (relative to the project) with `text`. */
  write(file: string, text: string): void;
  /** Runs `node <args>` in the project (with tsx and --preserve-symlinks for the `lib` kind), killed after `timeout` ms (under a spec's 20 s). */
  node(args: string[], timeout?: number): Promise<Run>;
  /** The specifier of an entry: `wechatpay-chain/testing` (dist) or `./lib/testing/index.ts` (lib). */
  entry(subpath: '' | 'testing'): string;
  remove(): void;
}

/** `without`: package names (`msw`, `@peculiar/x509`) left out, or replaced by `fakes` (name → files). */
export function scratchProject(kind: 'lib' | 'dist', options: { without: string[]; dist?: string; fakes?: Record<string, Record<string, string>> }): ScratchProject {
  const dir = mkdtempSync(join(tmpdir(), 'wechatpay-chain-scratch-'));
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  const installed = join(root, 'node_modules');
  for (const entry of readdirSync(installed)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      mkdirSync(join(modules, entry));
      for (const scoped of readdirSync(join(installed, entry))) {
        if (!options.without.includes(`${entry}/${scoped}`)) symlinkSync(join(installed, entry, scoped), join(modules, entry, scoped), 'dir');
      }
    } else if (!options.without.includes(entry)) {
      symlinkSync(join(installed, entry), join(modules, entry), 'dir');
    }
  }
  for (const [name, files] of Object.entries(options.fakes ?? {})) {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(modules, name, file, '..'), { recursive: true });
      writeFileSync(join(modules, name, file), text);
    }
  }
  writeFileSync(join(dir, 'package.json'), '{ "name": "scratch", "private": true, "type": "module" }\n');
  if (kind === 'dist') {
    if (options.dist === undefined) throw new Error('scratchProject: the dist kind needs the built dist folder');
    const pkg = join(modules, 'wechatpay-chain');
    cpSync(options.dist, join(pkg, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  } else {
    symlinkSync(join(root, 'lib'), join(dir, 'lib'), 'dir');
    cpSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  }
  return {
    dir,
    write: (file, text) => {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    },
    node: (args, timeout = 15_000) => {
      const flags = kind === 'lib' ? ['--preserve-symlinks', '--preserve-symlinks-main', '--import', TSX] : [];
      return runChild(process.execPath, [...flags, ...args], { cwd: dir, timeout, env: { PATH: process.env.PATH ?? '' } });
    },
    entry: (subpath) => (kind === 'dist' ? `wechatpay-chain${subpath ? `/${subpath}` : ''}` : `./lib/${subpath ? `${subpath}/` : ''}index.ts`),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
