/**
 * Import cost: cold `import()` time of a package in a fresh node process. (What the import
 * loads is read from the build's metafile: scripts/bundle-meta.ts.)
 */
import { spawnSync } from 'node:child_process';

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
