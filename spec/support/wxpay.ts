/**
 * The `wxpay` command run from source as its own process (node --import tsx lib/cli/index.ts),
 * with only the environment given: for the CLI specs in spec/e2e.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entry = join(root, 'lib/cli/index.ts');

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `wxpay` from source as its own process, with only the environment given. */
export function wxpay(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', entry, ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 45_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr: error?.killed ? `${stderr}[killed: ${error.signal ?? 'timeout'}]` : stderr });
      },
    );
  });
}
