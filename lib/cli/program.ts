/**
 * The `wxpay` command: `wxpay crt …` downloads platform certificates; `wxpay <endpoint> …` sends
 * one signed, verified request and prints the answer. Parsing by commander; path variables given
 * as extra `--name=value` flags are read with node's `util.parseArgs`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { Builder, type WeChatPayClient } from '../client/builder.js';
import { downloadCertificates, writeCertificates } from '../certificates/download.js';
import type { ChainNode } from '../chain/types.js';
import type { ClientConfig } from '../client/config.js';
import type { RequestOptions } from '../endpoint/options.js';
import { ArgumentError, DecodeError, HttpError, NetworkError, PublicKeyModeError, VerificationError, WeChatPayError } from '../errors.js';
import { expressionsOf, nearSpelling, shownTemplate } from '../endpoint/template.js';
import { describeValue, nameForMessage } from '../validate.js';
import { printable, printableJson } from '../printable.js';
import { VERSION } from '../version.js';
import { ENVIRONMENT, requireConfiguration, resolveCliConfig, withConfigSource, type ClientFlags } from './config.js';
import { runDoctor, type DoctorFlags } from './doctor.js';
import { runSandbox, type SandboxFlags, type SandboxIo } from './sandbox.js';

/**
 * Exit codes a script can rely on.
 * @example
 * ```ts
 * if (code === EXIT.HTTP) console.error('WeChat Pay said no');
 * ```
 */
export const EXIT = {
  OK: 0,
  /** Anything unexpected. */
  FAILURE: 1,
  /** Bad command line, config or input (nothing was sent). */
  USAGE: 2,
  /** WeChat Pay answered a non-2xx status (incl. public-key mode for `crt`). */
  HTTP: 3,
  /** The answer failed verification (signature, serial, timestamp, decryption). */
  VERIFICATION: 4,
  /** Connection failed or timed out. */
  NETWORK: 5,
} as const;

/** What a command's work resolves to: an exit code, or nothing for {@link EXIT.OK}. */
type Work = Promise<number | void>;

/**
 * Where the CLI writes and what it reads.
 * @example
 * ```ts
 * const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
 * ```
 */
export interface CliIo {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  /** Where `wxpay sandbox` listens for SIGINT / SIGTERM (default: the process). */
  signals?: SandboxIo['signals'];
}

const VERBS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function withClientOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', `JSON file with the Builder.factory options (${ENVIRONMENT.config})`)
    .option('-m, --mchid <mchid>', `merchant id (${ENVIRONMENT.mchid})`)
    .option('-s, --serial <serial>', `merchant API certificate serial (${ENVIRONMENT.serial})`)
    .option('-k, --privateKey <key>', `merchant private key: path, file:// URL or PEM (${ENVIRONMENT.privateKey})`)
    .addOption(new Option('--privatekey <key>').hideHelp())
    .option('--certs <serial=key...>', `platform certificates / public keys, SERIAL=path or a JSON object (${ENVIRONMENT.certs})`)
    .option('-b, --baseURL <url>', `base URL, e.g. the emulator or a proxy (${ENVIRONMENT.baseURL})`)
    .option('--timeout <ms>', `milliseconds per request (${ENVIRONMENT.timeout})`);
}

function parseJsonFlag(value: string | undefined, flag: string, cwd: string): unknown {
  if (value === undefined) return undefined;
  let text = value;
  if (value.startsWith('@')) {
    // curl's convention: @file reads the payload from a file
    const path = resolve(cwd, value.slice(1));
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new ArgumentError(`${flag}: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? 'EIO'})`, flag, { cause });
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ArgumentError(`${flag}: not valid JSON`, flag);
  }
}

/** Extra `--name=value` / `--name value` flags → path variables. */
function pathVariables(extra: string[]): Record<string, string> {
  const { tokens } = parseArgs({ args: extra, strict: false, allowPositionals: true, tokens: true });
  const out: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token?.kind === 'option') {
      if (token.value !== undefined) {
        out[token.name] = token.value;
        continue;
      }
      const next = tokens[i + 1];
      if (next?.kind === 'positional') {
        out[token.name] = next.value;
        i++;
        continue;
      }
      throw new ArgumentError(`--${token.name}: needs a value (--${token.name}=VALUE)`, token.name);
    }
    if (token?.kind === 'positional') throw new ArgumentError(`unexpected argument "${token.value}" (path variables are given as --name=value)`, 'arguments');
  }
  return out;
}

/**
 * The `--name=value` flags against the endpoint's path variables, before anything is sent: a
 * missing variable given as `--refund-id` or `--refundId` is named (`did you mean --refund_id?`),
 * and a flag that is no path variable (a query parameter or body field given as a flag, a typo)
 * is refused instead of being dropped.
 */
function checkPathFlags(template: string, given: Readonly<Record<string, string>>): void {
  const shown = shownTemplate(template);
  const expressions = expressionsOf(template);
  const names = expressions.flatMap((expression) => expression.names);
  for (const { operator, names: required } of expressions) {
    if (operator === '?' || operator === '&' || operator === ';') continue;
    for (const name of required) {
      if (given[name] !== undefined) continue;
      const near = nearSpelling(name, given);
      const hint = near === undefined ? `--${name}=VALUE` : `you gave --${near} — did you mean --${name}?`;
      throw new ArgumentError(`--${name}: missing, the path variable ${name} of ${shown}; ${hint}`, name);
    }
  }
  for (const flag of Object.keys(given)) {
    if (names.includes(flag)) continue;
    const variables = names.length === 0 ? 'it has no path variables' : `its path variables: ${names.map((name) => `--${name}`).join(', ')}`;
    // flag names came from the command line: shown only when they read like names
    const named = nameForMessage(flag).startsWith('"');
    const where = named ? `query parameters go in --query '{"${flag}":…}', body fields in --json` : 'query parameters go in --query, body fields in --json';
    throw new ArgumentError(`${named ? `--${flag}:` : `a flag (${nameForMessage(flag)}):`} not a path variable of ${shown} (${variables}); ${where}`, 'arguments');
  }
}

/** The client of a command's configuration: nothing configured is said so, and a required option left out says where it comes from. */
function clientOf(config: ClientConfig): WeChatPayClient {
  requireConfiguration(config);
  try {
    return Builder.factory(config);
  } catch (error) {
    throw withConfigSource(error, config);
  }
}

function endpointNode(client: WeChatPayClient, endpoint: string): ChainNode {
  if (endpoint.includes('/')) return client.chain(endpoint);
  const segments = endpoint.split('.');
  if (segments.some((segment) => segment === '') || !/^(v2|v3|hk|global)$/.test(segments[0] as string)) {
    throw new ArgumentError(`endpoint: "${endpoint}" is neither a path (v3/pay/transactions/native) nor a chain (v3.pay.transactions.native)`, 'endpoint');
  }
  let node = client as unknown as ChainNode;
  for (const segment of segments) node = node[segment] as ChainNode;
  return node;
}

function printJson(io: CliIo, value: unknown): void {
  // the same JSON value, with the controls JSON leaves raw (C1, bidi) escaped for the terminal
  io.stdout.write(`${printableJson(value)}\n`);
}

function report(io: CliIo, error: unknown): number {
  // messages hold server text: one line each, no control character reaches the terminal
  const say = (message: string) => io.stderr.write(`wxpay: ${printable(message, Infinity)}\n`);
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  if (error instanceof ArgumentError) {
    say(error.message);
    return EXIT.USAGE;
  }
  if (error instanceof PublicKeyModeError) {
    say(error.message);
    return EXIT.HTTP;
  }
  if (error instanceof HttpError) {
    say(error.message);
    // business fields only under the names that say whether they verified (see HttpError)
    const said = error.verified
      ? { code: error.code, detail: error.detail }
      : { unverifiedCode: error.unverifiedCode, unverifiedMessage: error.unverifiedMessage, unverifiedDetail: error.unverifiedDetail };
    io.stderr.write(`${printableJson({ status: error.status, verified: error.verified, ...said, data: error.response.data })}\n`);
    return EXIT.HTTP;
  }
  if (error instanceof VerificationError) {
    say(`${error.message} (${error.reason})`);
    return EXIT.VERIFICATION;
  }
  if (error instanceof NetworkError) {
    say(error.message);
    return EXIT.NETWORK;
  }
  if (error instanceof DecodeError || error instanceof WeChatPayError) {
    say(error.message);
    return EXIT.FAILURE;
  }
  say(error instanceof Error ? error.message : String(error));
  return EXIT.FAILURE;
}

/**
 * Builds the commander program. `run` collects the command's work so `main` can await it.
 * @example
 * ```ts
 * const program = createProgram(io, (work) => (pending = work));
 * ```
 */
export function createProgram(io: CliIo, run: (work: Work) => void): Command {
  const program = new Command('wxpay')
    .description('WeChat Pay APIv3 from the shell: signed requests, verified answers, platform certificates')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Sandbox (a stateful WeChat Pay on 127.0.0.1 for any language, see "wxpay sandbox --help"):
  wxpay sandbox --port 0 --dir ./sandbox --time-scale 0.001

Endpoints (the default command, see "wxpay request --help"):
  wxpay v3.pay.transactions.native --config cfg.json --json '{"appid":"wx…","mchid":"1900000109",…}'
  wxpay v3/pay/transactions/out-trade-no/{out_trade_no} --out_trade_no=T1 --query '{"mchid":"1900000109"}'

Configuration (crt, doctor, requests): --config cfg.json (the Builder.factory options as JSON), overridden by
  ${Object.values(ENVIRONMENT).join(', ')},
  overridden by the flags (--mchid, --serial, --privateKey, --certs, --baseURL, --timeout).
  No credentials yet? wxpay sandbox --dir ./sandbox, then wxpay --config ./sandbox/config.json <endpoint>.

Setup problems (SIGN_ERROR, verification failures): wxpay doctor --config cfg.json --cert apiclient_cert.pem --online

Exit codes: 0 ok, 2 usage/config, 3 HTTP error answer, 4 verification failed, 5 network/timeout, 1 other (doctor: 1 when a check failed).`,
    );

  withClientOptions(
    program
      .command('crt')
      .description('download the platform certificates (no certs needed: the answer is verified with the certificates it carries)')
      .option('--key <apiv3Key>', `APIv3 key, 32 bytes (${ENVIRONMENT.apiv3Key}; prefer the variable: flags show in ps)`)
      .option('-o, --output <dir>', 'write wechatpay_<serial>.pem files into this directory'),
  ).action((flags: ClientFlags & { key?: string; output?: string }) => {
    run(
      (async () => {
        const { config, apiv3Key } = resolveCliConfig(flags, io.env, io.cwd);
        requireConfiguration(config);
        if (apiv3Key === undefined) throw new ArgumentError(`apiv3Key: required (--key or ${ENVIRONMENT.apiv3Key})`, 'apiv3Key');
        const client = clientOf(config);
        try {
          const certificates = await downloadCertificates(client, { apiv3Key });
          const paths = flags.output === undefined ? undefined : await writeCertificates(certificates, flags.output);
          printJson(
            io,
            certificates.map((c, i) => ({
              serial: c.serial,
              effective: c.effective.toISOString(),
              expire: c.expire.toISOString(),
              ...(paths ? { path: paths[i] } : { pem: c.pem }),
            })),
          );
        } finally {
          await client.close();
        }
      })(),
    );
  });

  program
    .command('sandbox')
    .description('run the sandbox (orders, payments, refunds, notifications) on 127.0.0.1 for any language; writes config.json and the keys into --dir')
    .option('--port <port>', 'port on 127.0.0.1 (0: any free port)', '0')
    .option('--dir <dir>', 'where to write config.json, apiclient_key.pem and pub_key.pem', 'sandbox')
    .option('--time-scale <x>', 'multiplies the notification retry waits and the refund delay (0.001: 15 s become 15 ms)', '1')
    .option('--mchid <mchid>', 'the merchant id', '1900000109')
    .addHelpText('after', '\nPrints "listening on http://127.0.0.1:PORT/" on stdout; stops on Ctrl-C (SIGINT) or SIGTERM.\nPoint any SDK there with the written config; pay an order: POST {baseURL}_sandbox/pay {"out_trade_no":"…"}.\nGuide: docs/guides/sandbox.md')
    .action((flags: SandboxFlags) => {
      run(runSandbox(flags, { stdout: io.stdout, stderr: io.stderr, cwd: io.cwd, signals: io.signals ?? process }));
    });

  withClientOptions(
    program
      .command('doctor')
      .description('check the setup the way WeChat Pay will judge it (keys, certificate, serial, certs, APIv3/APIv2 keys); exit 1 when a check fails')
      .option('--cert <file>', 'the merchant API certificate apiclient_cert.pem (path, file:// URL or PEM), to check the key and serial against')
      .option('--online', 'also send one signed GET /v3/certificates: clock skew, signature (SIGN_ERROR), certificate or public-key mode')
      .option('--json', 'print { "checks": [{ "id", "status", "message", "hint" }] }')
      .addHelpText('after', '\nChecks: config, private-key, key-matches-certificate, serial-matches-certificate, certs-not-merchant, public-key-id,\ncertificate-expiry, apiv3-key, apiv2-secret; with --online: clock-skew, signature, mode. Nothing secret is printed.'),
  ).action((flags: DoctorFlags) => {
    run(runDoctor(flags, { stdout: io.stdout, env: io.env, cwd: io.cwd }));
  });

  withClientOptions(
    program
      .command('request <endpoint>', { isDefault: true })
      .description('send one request: <endpoint> is a chain (v3.pay.transactions.native) or a path (v3/pay/transactions/out-trade-no/{out_trade_no})')
      .option('-d, --json <json>', 'JSON payload, or @file.json (implies POST)')
      .option('--xml <json>', 'APIv2 payload as a JSON object, or @file.json; sent as signed XML (implies POST)')
      .option('-q, --query <json>', 'query parameters as a JSON object, or @file.json')
      .addOption(
        new Option('-X, --method <verb>', 'HTTP method: get, post, put, patch or delete (default: post with --json or --xml, get otherwise)').argParser((value: string) => {
          const verb = value.toLowerCase();
          if (!(VERBS as readonly string[]).includes(verb)) throw new InvalidArgumentError('expected get, post, put, patch or delete');
          return verb;
        }),
      )
      .option('-H, --header <name:value...>', 'extra request header')
      .option('-e, --encrypt <field...>', 'sensitive json fields to encrypt with the platform key (sets Wechatpay-Serial)')
      .option('-i, --include', 'print {status, headers, data} instead of data')
      .allowUnknownOption()
      .allowExcessArguments()
      .addHelpText('after', '\nPath variables: --name=value, e.g. --out_trade_no=T1 for {out_trade_no}.\nOne endpoint\'s methods, variables and fields: wxpay <endpoint> --help'),
  ).action((endpoint: string, flags: ClientFlags & { json?: string; xml?: string; query?: string; method?: string; header?: string[]; encrypt?: string[]; include?: boolean }, command: Command) => {
    run(
      (async () => {
        const variables = pathVariables(command.args.slice(1));
        const options: RequestOptions = { ...variables };
        const cwd = io.cwd ?? process.cwd();
        const json = parseJsonFlag(flags.json, '--json', cwd);
        const query = parseJsonFlag(flags.query, '--query', cwd);
        const xml = parseJsonFlag(flags.xml, '--xml', cwd);
        if (json !== undefined) options.json = json;
        if (xml !== undefined) {
          if (xml === null || typeof xml !== 'object' || Array.isArray(xml)) throw new ArgumentError('--xml: must be a JSON object (its fields become the XML elements)', '--xml');
          options.xml = xml as RequestOptions['xml'];
        }
        if (query !== undefined) {
          if (query === null || typeof query !== 'object' || Array.isArray(query)) throw new ArgumentError('--query: must be a JSON object', '--query');
          options.query = query as RequestOptions['query'];
        }
        if (flags.header) {
          const headers: Record<string, string> = {};
          for (const item of flags.header) {
            const colon = item.indexOf(':');
            if (colon <= 0) throw new ArgumentError(`--header: expected name:value, got ${describeValue(item)}`, '--header');
            headers[item.slice(0, colon).trim()] = item.slice(colon + 1).trim();
          }
          options.headers = headers;
        }
        if (flags.encrypt) options.encrypt = flags.encrypt;
        const verb = (flags.method ?? (json === undefined && xml === undefined ? 'get' : 'post')).toLowerCase() as (typeof VERBS)[number];
        const { config } = resolveCliConfig(flags, io.env, io.cwd);
        const client = clientOf(config);
        try {
          const node = endpointNode(client, endpoint);
          checkPathFlags(String(node), variables);
          const res = await node[verb](options);
          if (flags.include) printJson(io, { status: res.status, headers: res.headers, data: res.data });
          else if (res.data !== undefined) printJson(io, res.data);
          else if (Buffer.isBuffer(res.body) && res.body.length > 0) io.stdout.write(res.body);
        } finally {
          await client.close();
        }
      })(),
    );
  });
  return program;
}

/** Flags of a program that take a value: `variadic` ones take every following non-flag token; and its command names. */
interface ValueFlags {
  single: ReadonlySet<string>;
  variadic: ReadonlySet<string>;
  commands: ReadonlySet<string>;
}

/** The value-taking flags of `program` and its commands, read from their commander definitions, and the command names. */
function valueFlagsOf(program: Command): ValueFlags {
  const single = new Set<string>();
  const variadic = new Set<string>();
  for (const command of [program, ...program.commands]) {
    for (const option of command.options) {
      if (!option.required && !option.optional) continue;
      for (const flag of [option.short, option.long]) if (flag) (option.variadic ? variadic : single).add(flag);
    }
  }
  return { single, variadic, commands: new Set(program.commands.map((command) => command.name())) };
}

let defaultValueFlags: ValueFlags | undefined;

/**
 * The endpoint of `wxpay <endpoint> --help` or `wxpay request <endpoint> --help`, wherever the
 * flags stand (`wxpay -c cfg.json <endpoint> --help`); `undefined` when the help asked for is
 * the program's or a command's own. Flags that take a value skip it, as commander does.
 * @example
 * ```ts
 * endpointHelpTarget(['v3/pay/transactions/native', '--help']); // 'v3/pay/transactions/native'
 * endpointHelpTarget(['-c', 'cfg.json', 'v3/pay/transactions/native', '-h']); // 'v3/pay/transactions/native'
 * endpointHelpTarget(['--help']); // undefined
 * ```
 */
export function endpointHelpTarget(argv: readonly string[]): string | undefined {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (!flags.includes('--help') && !flags.includes('-h')) return undefined;
  const { single, variadic, commands } = (defaultValueFlags ??= valueFlagsOf(createProgram({ stdout: { write: () => true }, stderr: { write: () => true }, env: {} }, () => {})));
  let sawRequest = false;
  for (let i = 0; i < flags.length; i++) {
    const token = flags[i] as string;
    if (token.startsWith('-')) {
      if (token.includes('=')) continue;
      if (single.has(token)) i += 1;
      else if (variadic.has(token)) while (i + 1 < flags.length && !(flags[i + 1] as string).startsWith('-')) i += 1;
      continue;
    }
    if (token === 'request' && !sawRequest) {
      sawRequest = true;
      continue;
    }
    return sawRequest || (!commands.has(token) && token !== 'help') ? token : undefined;
  }
  return undefined;
}

/**
 * Runs the CLI; resolves to the exit code (never throws, never calls `process.exit`).
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
 * ```
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let pending: Work | undefined;
  try {
    const endpoint = endpointHelpTarget(argv);
    if (endpoint !== undefined) {
      // loaded only here: reading the catalog pages is no cost of any other command
      const { endpointHelp } = await import('./endpoint-help.js');
      io.stdout.write(endpointHelp(endpoint));
      return EXIT.OK;
    }
    const program = createProgram(io, (work) => (pending = work));
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.USAGE;
    }
    program.parse([...argv], { from: 'user' });
    return (await pending) ?? EXIT.OK;
  } catch (error) {
    return report(io, error);
  }
}
