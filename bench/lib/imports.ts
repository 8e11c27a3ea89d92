/**
 * Import cost: cold `import()` time of a package in a fresh node process, and the runtime
 * JavaScript that `import 'wechatpay-chain'` loads (to show the typed catalog costs nothing).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

/**
 * Milliseconds `await import(specifier)` takes in a new `node` process (no tsx, no loaders),
 * measured inside that process; `cwd` resolves the specifier.
 */
export function importMs(specifier: string, cwd: string): number {
  const code = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (run.status !== 0) throw new Error(`import(${specifier}) failed: ${run.stderr}`);
  return Number(run.stdout);
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Files (and bytes) reachable through relative imports from `entry`, built JS only. */
export function reachable(entry: string): Map<string, number> {
  const seen = new Map<string, number>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, statSync(file).size);
    for (const match of text.matchAll(SPECIFIER)) visit(resolve(dirname(file), match[1] as string));
  };
  visit(entry);
  return seen;
}

/** Bytes of `files` that live under `folder`. */
export function bytesUnder(files: Map<string, number>, folder: string): number {
  let total = 0;
  for (const [file, size] of files) if (!relative(folder, file).startsWith('..')) total += size;
  return total;
}
