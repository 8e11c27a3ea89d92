/**
 * `wxpay sandbox`: the emulator's sandbox mode as a standalone server on 127.0.0.1, for any
 * language's SDK. It writes the merchant key, the platform public key and `config.json` (the
 * options `Builder.factory` and `wxpay --config` take, keys as `file://` URLs, plus `apiv3Key`)
 * into `--dir` (with `hosts` sending every other WeChat Pay origin there too, so a sandbox config
 * never reaches the service), prints `listening on http://127.0.0.1:PORT/` on stdout, logs each notification
 * delivery on stderr (never a key) and stops on SIGINT or SIGTERM.
 * @module
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ArgumentError } from '../errors.js';
import { printable } from '../printable.js';

/**
 * The flags of `wxpay sandbox`.
 * @example
 * ```ts
 * const flags: SandboxFlags = { port: '0', dir: './sandbox', timeScale: '0.001' };
 * ```
 */
export interface SandboxFlags {
  port?: string;
  dir?: string;
  timeScale?: string;
  mchid?: string;
}

/**
 * What the running sandbox prints and listens to.
 * @example
 * ```ts
 * const io: SandboxIo = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), signals: process };
 * ```
 */
export interface SandboxIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  cwd?: string;
  /** Where SIGINT / SIGTERM come from (the process). */
  signals: { once(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown; off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown };
}

/**
 * The files `wxpay sandbox` writes into `--dir`.
 * @example
 * ```ts
 * const config = JSON.parse(readFileSync(join('./sandbox', SANDBOX_FILES.config), 'utf8'));
 * ```
 */
export const SANDBOX_FILES = { config: 'config.json', privateKey: 'apiclient_key.pem', publicKey: 'pub_key.pem' } as const;

function port(value: string | undefined): number {
  if (value === undefined) return 0;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number > 65_535) throw new ArgumentError(`--port: "${printable(value, 16)}" is not a port (0-65535; 0 for any free port)`, '--port');
  return number;
}

function timeScale(value: string | undefined): number {
  if (value === undefined) return 1;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new ArgumentError(`--time-scale: "${printable(value, 16)}" is not a positive number (0.001: a 15 s retry after 15 ms)`, '--time-scale');
  return number;
}

function mchid(value: string | undefined): string {
  if (value === undefined) return '1900000109';
  if (!/^\d{1,32}$/.test(value)) throw new ArgumentError(`--mchid: "${printable(value, 40)}" is not a merchant id (digits, e.g. 1900000109)`, '--mchid');
  return value;
}

/** Writes a file with `mode`, also when it existed with another (a previous run's). */
async function writeOwn(path: string, text: string, mode: number): Promise<void> {
  await writeFile(path, text, { mode });
  await chmod(path, mode);
}

/**
 * Runs the sandbox until SIGINT or SIGTERM; resolves once it stopped.
 * @throws {ArgumentError} for a bad flag; an Error when msw (the emulator's peer dependency) is missing
 * @example
 * ```ts
 * await runSandbox({ port: '0', dir: './sandbox' }, { stdout: process.stdout, stderr: process.stderr, signals: process });
 * ```
 */
export async function runSandbox(flags: SandboxFlags, io: SandboxIo): Promise<void> {
  const options = { port: port(flags.port), timeScale: timeScale(flags.timeScale), mchid: mchid(flags.mchid) };
  const dir = resolve(io.cwd ?? process.cwd(), flags.dir ?? 'sandbox');
  let testing: typeof import('../testing/emulator.js');
  try {
    // the emulator (and msw, its optional peer dependency) only for this command
    testing = await import('../testing/emulator.js');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') throw new Error('wxpay sandbox needs msw 2.x installed beside wechatpay-chain: npm i -D msw', { cause });
    throw cause;
  }
  const log = (line: string) => io.stderr.write(`${printable(line, Infinity)}\n`);
  const emulator = testing.Emulator.create({
    mchid: options.mchid,
    sandbox: {
      timeScale: options.timeScale,
      onDelivery: (d) => log(`notify ${d.event_type} ${d.out_refund_no ?? d.out_trade_no ?? ''} → ${d.notify_url}: ${d.status ?? d.error} (attempt ${d.attempt})`),
    },
  });
  try {
    const { baseURL } = await emulator.listen({ port: options.port });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const privateKey = join(dir, SANDBOX_FILES.privateKey);
    const publicKey = join(dir, SANDBOX_FILES.publicKey);
    await writeOwn(privateKey, emulator.merchant.privateKeyPem, 0o600);
    await writeOwn(publicKey, emulator.platform.publicKeyPem, 0o644);
    const config = {
      mchid: emulator.merchant.mchid,
      serial: emulator.merchant.serial,
      privateKey: pathToFileURL(privateKey).href,
      certs: { [emulator.platform.serial]: pathToFileURL(publicKey).href },
      baseURL,
      // every other WeChat Pay origin (apihk, fraud, api2…) to the sandbox too: a sandbox config never reaches the service
      hosts: emulator.clientConfig({ baseURL }).hosts,
      apiv3Key: emulator.apiv3Key,
      secret: emulator.secret,
    };
    await writeOwn(join(dir, SANDBOX_FILES.config), `${JSON.stringify(config, null, 2)}\n`, 0o600);
    // handlers first: whoever reads the URL may signal at once
    const stopped = new Promise<void>((done) => {
      const stop = () => {
        io.signals.off('SIGINT', stop);
        io.signals.off('SIGTERM', stop);
        done();
      };
      io.signals.once('SIGINT', stop);
      io.signals.once('SIGTERM', stop);
    });
    io.stdout.write(`listening on ${baseURL}\n`);
    log(`wxpay sandbox: merchant ${emulator.merchant.mchid}, time scale ${options.timeScale}; keys and ${SANDBOX_FILES.config} in ${dir}`);
    log(`pay an order: curl -X POST ${baseURL}_sandbox/pay -d '{"out_trade_no":"…"}'; deliveries: ${baseURL}_sandbox/deliveries; stop: Ctrl-C`);
    await stopped;
    log('wxpay sandbox: stopped');
  } finally {
    await emulator.close();
  }
}
