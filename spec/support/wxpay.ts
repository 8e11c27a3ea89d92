/**
 * The `wxpay` command run from source as its own process (node --import tsx lib/cli/index.ts),
 * with only the environment given: for the CLI specs in spec/e2e.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, type ChildResult } from './child.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entry = join(root, 'lib/cli/index.ts');

export type Result = ChildResult;

/** Runs `wxpay` from source as its own process, with only the environment given. */
export function wxpay(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return runChild(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 45_000 });
}
