/**
 * One way for specs to run a child process: no shell, bounded in time, never rejects. The
 * `wxpay` runner, the scratch projects and the project shapes of the packed tarball build on it.
 */
import { execFile } from 'node:child_process';

/** How a child ended and what it printed. */
export interface ChildResult {
  /** The exit code; -1 when there is none (killed, or it could not start). */
  code: number;
  stdout: string;
  /** Its stderr; when it has no exit code, followed by why (`[killed: SIGTERM]`, or the spawn error). */
  stderr: string;
}

export interface ChildOptions {
  cwd: string;
  /** Killed after this many ms. */
  timeout: number;
  /** The whole environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
  maxBuffer?: number;
}

/** Runs `command` with `args`; resolves with its exit code and output, whatever happened. */
export function runChild(command: string, args: readonly string[], options: ChildOptions): Promise<ChildResult> {
  const { cwd, timeout, env, maxBuffer = 16 * 1024 * 1024 } = options;
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout, env, maxBuffer }, (error, stdout, stderr) => {
      if (!error) return resolve({ code: 0, stdout, stderr });
      if (typeof error.code === 'number') return resolve({ code: error.code, stdout, stderr });
      const why = error.killed || error.signal ? `[killed: ${error.signal ?? 'timeout'}]` : error.message;
      resolve({ code: -1, stdout, stderr: `${stderr}${why}` });
    });
  });
}
