/**
 * `wxpay doctor [--config f] [--cert apiclient_cert.pem] [--online] [--json]`: runs
 * `diagnose()` on the CLI's configuration (config file, `WECHATPAY_*`, flags — the same as every
 * other command, plus `apiv3Key` and `secret` from the config file or `WECHATPAY_APIV3_KEY`).
 * @module
 */
import { diagnose } from '../doctor/diagnose.js';
import { formatDiagnosis } from '../doctor/format.js';
import { printableJson } from '../printable.js';
import { keyValue, resolveCliConfig, type ClientFlags } from './config.js';

/**
 * The flags of `wxpay doctor`.
 * @example
 * ```ts
 * const flags: DoctorFlags = { config: 'wxpay.json', cert: './apiclient_cert.pem', online: true };
 * ```
 */
export interface DoctorFlags extends ClientFlags {
  cert?: string;
  online?: boolean;
  json?: boolean;
}

/**
 * Runs the doctor and prints its report (text, or `{ "checks": [...] }` with `--json`) on stdout;
 * resolves to the exit code: 1 when a check failed, 0 otherwise (warnings allowed).
 * @throws {ArgumentError} when the config file cannot be read (exit code 2, as for every command)
 * @example
 * ```ts
 * process.exitCode = await runDoctor({ config: 'wxpay.json', online: true }, { stdout: process.stdout, env: process.env });
 * ```
 */
export async function runDoctor(
  flags: DoctorFlags,
  io: { stdout: { write(chunk: string): unknown }; env: Readonly<Record<string, string | undefined>>; cwd?: string },
): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const { config, apiv3Key } = resolveCliConfig(flags, io.env, cwd);
  const merchantCertificate = flags.cert === undefined ? undefined : (keyValue(flags.cert, cwd) as string);
  const diagnosis = await diagnose({ ...config, apiv3Key }, { merchantCertificate, online: flags.online === true });
  io.stdout.write(flags.json ? `${printableJson(diagnosis)}\n` : formatDiagnosis(diagnosis));
  return diagnosis.checks.some((c) => c.status === 'fail') ? 1 : 0;
}
