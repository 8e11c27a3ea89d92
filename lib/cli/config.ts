/**
 * The CLI's client configuration: a JSON file (`--config`, `WECHATPAY_CONFIG`) holding the
 * `Builder.factory` options, overridden by `WECHATPAY_*` environment variables, overridden by
 * flags. Key and certificate values follow the library's one rule (`keyStringForm` in
 * ../crypto/keys.ts): PEM text, a file path or a `file://` URL; a relative path (plain or
 * `file://`) in the config file is relative to that file, on a flag or in a variable to the
 * working directory.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClientConfig } from '../client/config.js';
import { keyStringForm } from '../crypto/keys.js';
import { ArgumentError } from '../errors.js';
import { milliseconds } from '../validate.js';

/**
 * Client flags every command accepts.
 * @example
 * ```ts
 * const flags: ClientFlags = { config: 'wxpay.json', baseURL: 'http://127.0.0.1:8080/' };
 * ```
 */
export interface ClientFlags {
  config?: string;
  mchid?: string;
  serial?: string;
  privateKey?: string;
  privatekey?: string;
  certs?: string[];
  baseURL?: string;
  /** A JSON object mapping WeChat Pay origins to base URLs (the `hosts` option); environment only. */
  hosts?: string;
  /** The `gatewayPrefix` option; environment only. */
  gatewayPrefix?: string;
  timeout?: string;
}

/**
 * Environment variables read, flag by flag.
 * @example
 * ```ts
 * ENVIRONMENT.apiv3Key; // 'WECHATPAY_APIV3_KEY'
 * ```
 */
export const ENVIRONMENT: Readonly<Record<string, string>> = {
  config: 'WECHATPAY_CONFIG',
  mchid: 'WECHATPAY_MCHID',
  serial: 'WECHATPAY_SERIAL',
  privateKey: 'WECHATPAY_PRIVATE_KEY',
  certs: 'WECHATPAY_CERTS',
  baseURL: 'WECHATPAY_BASE_URL',
  hosts: 'WECHATPAY_HOSTS',
  gatewayPrefix: 'WECHATPAY_GATEWAY_PREFIX',
  timeout: 'WECHATPAY_TIMEOUT',
  apiv3Key: 'WECHATPAY_APIV3_KEY',
};

type Env = Readonly<Record<string, string | undefined>>;

/** The options without which no request can be signed or verified, and their flags. */
const CREDENTIALS: Readonly<Record<string, string>> = { mchid: '--mchid', serial: '--serial', privateKey: '--privateKey', certs: '--certs' };

/**
 * Refuses a configuration that nothing gave (no config file, no `WECHATPAY_*` credential, no
 * flag): the message says where a configuration comes from — `--config`, every variable the CLI
 * reads, the flags — and how to try without credentials (`wxpay sandbox`, `wxpay doctor`).
 * @throws {ArgumentError} (field `config`) when none of mchid, serial, privateKey and certs is set
 * @example
 * ```ts
 * const { config } = resolveCliConfig(flags, process.env);
 * requireConfiguration(config); // ArgumentError: no configuration: nothing gave mchid, serial, privateKey or certs. Give …
 * ```
 */
export function requireConfiguration(config: ClientConfig): void {
  const given = config as unknown as Readonly<Record<string, unknown>>;
  if (Object.keys(CREDENTIALS).some((name) => given[name] !== undefined)) return;
  const variables = (names: string[]) => names.map((name) => ENVIRONMENT[name]).join(', ');
  const others = Object.keys(ENVIRONMENT).filter((name) => name !== 'config' && CREDENTIALS[name] === undefined);
  throw new ArgumentError(
    `no configuration: nothing gave mchid, serial, privateKey or certs. Give the Builder.factory options as a JSON file with --config wxpay.json (or ${ENVIRONMENT.config}), ` +
      `or the environment variables ${variables(Object.keys(CREDENTIALS))} (also read: ${variables(others)}), or the flags ${Object.values(CREDENTIALS).join(', ')}. ` +
      'To try without credentials: wxpay sandbox --dir ./sandbox runs a WeChat Pay on 127.0.0.1 and writes its config, then wxpay --config ./sandbox/config.json <endpoint>; wxpay doctor checks a configuration.',
    'config',
  );
}

/**
 * An error of `Builder.factory` for a required option the CLI's configuration left out, with the
 * three places it comes from added (`; give it as --serial, WECHATPAY_SERIAL or "serial" in the
 * --config file`); any other error as it was.
 * @example
 * ```ts
 * throw withConfigSource(error, config);
 * ```
 */
export function withConfigSource(error: unknown, config: ClientConfig): unknown {
  if (!(error instanceof ArgumentError) || error.field === undefined) return error;
  const field = error.field;
  const flag = CREDENTIALS[field];
  if (flag === undefined || (config as unknown as Readonly<Record<string, unknown>>)[field] !== undefined) return error;
  return new ArgumentError(`${error.message}; give it as ${flag}, ${ENVIRONMENT[field]} or "${field}" in the --config file`, field, { cause: error });
}

/**
 * A key value as the CLI takes it, by the library's rule (`keyStringForm`): PEM text and
 * anything that is not a path stay as they are, for the library to judge; a relative path
 * (plain or `file://`) is made absolute against `base` — the config file's folder, or the
 * working directory — whether or not the file exists, so the library's error names the file it
 * looked for. `~` is left alone (the library says it is not expanded).
 * @example
 * ```ts
 * keyValue('./apiclient_key.pem', '/home/me');          // '/home/me/apiclient_key.pem'
 * keyValue('file://certs/pub_key.pem', '/etc/wechatpay'); // 'file:///etc/wechatpay/certs/pub_key.pem'
 * ```
 */
export function keyValue(value: unknown, base: string): unknown {
  if (typeof value !== 'string') return value;
  const form = keyStringForm(value);
  if (form === 'file-url') {
    const rest = value.slice('file://'.length);
    if (rest.startsWith('/') || rest.startsWith('localhost/')) return value;
    return pathToFileURL(resolve(base, rest)).href;
  }
  if (form !== 'path' || isAbsolute(value) || /^~(?:[\\/]|$)/.test(value)) return value;
  return resolve(base, value);
}

function parseCerts(values: readonly string[] | string | undefined, source: string, base: string): Record<string, unknown> | undefined {
  if (values === undefined) return undefined;
  const list = typeof values === 'string' ? [values] : values;
  const out: Record<string, unknown> = {};
  for (const item of list) {
    const text = item.trim();
    if (text.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new ArgumentError(`certs: ${source} is not valid JSON`, 'certs');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ArgumentError(`certs: ${source} must be a JSON object { serial: key }`, 'certs');
      for (const [serial, key] of Object.entries(parsed)) out[serial] = keyValue(key, base);
      continue;
    }
    const eq = text.indexOf('=');
    if (eq <= 0) throw new ArgumentError(`certs: ${source} expects SERIAL=KEY (a PUB_KEY_ID_… or certificate serial, then a path, file:// URL or PEM)`, 'certs');
    out[text.slice(0, eq)] = keyValue(text.slice(eq + 1), base);
  }
  return out;
}

function readConfigFile(path: string): { config: Record<string, unknown>; base: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ArgumentError(`config: cannot read ${path} (${(cause as NodeJS.ErrnoException).code ?? 'EIO'})`, 'config', { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ArgumentError(`config: ${path} is not valid JSON`, 'config', { cause });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ArgumentError(`config: ${path} must hold a JSON object`, 'config');
  return { config: parsed as Record<string, unknown>, base: dirname(resolve(path)) };
}

/** `WECHATPAY_HOSTS`: a JSON object `{ "https://apihk.mch.weixin.qq.com": "http://127.0.0.1:8080/" }` (Builder.factory checks the keys and values). */
function hostsOf(value: string | undefined, source: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ArgumentError(`hosts: ${source} is not valid JSON; expected an object such as {"https://apihk.mch.weixin.qq.com":"http://127.0.0.1:8080/"}`, 'hosts');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ArgumentError(`hosts: ${source} must be a JSON object { origin: baseURL }`, 'hosts');
  return parsed as Record<string, unknown>;
}

function timeoutOf(value: string | undefined, source: string): number | undefined {
  if (value === undefined) return undefined;
  return milliseconds(value.trim() === '' ? Number.NaN : Number(value), 'timeout', 0, {}, `timeout: ${source}`);
}

/**
 * Merges config file, environment and flags into `Builder.factory` options (and the APIv3 key
 * when present). Later sources win field by field; `certs` from a later source replace earlier ones.
 * @throws {ArgumentError}
 * @example
 * ```ts
 * const { config, apiv3Key } = resolveCliConfig({ config: 'wxpay.json', baseURL: 'http://127.0.0.1:8080/' }, process.env);
 * ```
 */
export function resolveCliConfig(flags: ClientFlags & { key?: string }, env: Env, cwd = process.cwd()): { config: ClientConfig; apiv3Key: string | undefined } {
  const file = flags.config ?? env[ENVIRONMENT.config as string];
  const merged: Record<string, unknown> = {};
  let apiv3Key: string | undefined;
  if (file) {
    const { config, base } = readConfigFile(resolve(cwd, file));
    Object.assign(merged, config);
    if (config.privateKey !== undefined) merged.privateKey = keyValue(config.privateKey, base);
    if (config.certs !== undefined) {
      if (config.certs === null || typeof config.certs !== 'object') throw new ArgumentError('certs: the config file must give certs as an object { serial: key }', 'certs');
      merged.certs = Object.fromEntries(Object.entries(config.certs as Record<string, unknown>).map(([serial, key]) => [serial, keyValue(key, base)]));
    }
    // the APIv2 mutual-TLS certificate and the CA certificates follow the same rule as privateKey
    if (config.merchant !== null && typeof config.merchant === 'object' && !Array.isArray(config.merchant)) {
      merged.merchant = Object.fromEntries(Object.entries(config.merchant as Record<string, unknown>).map(([name, value]) => [name, name === 'passphrase' ? value : keyValue(value, base)]));
    }
    if (config.ca !== undefined) merged.ca = Array.isArray(config.ca) ? config.ca.map((item) => keyValue(item, base)) : keyValue(config.ca, base);
    if (typeof config.apiv3Key === 'string') apiv3Key = config.apiv3Key;
    delete merged.apiv3Key;
  }
  const layer = (source: ClientFlags & { apiv3Key?: string }, label: (field: string) => string) => {
    if (source.mchid !== undefined) merged.mchid = source.mchid;
    if (source.serial !== undefined) merged.serial = source.serial;
    const privateKey = source.privateKey ?? source.privatekey;
    if (privateKey !== undefined) merged.privateKey = keyValue(privateKey, cwd);
    const certs = parseCerts(source.certs, label('certs'), cwd);
    if (certs !== undefined) merged.certs = certs;
    if (source.baseURL !== undefined) merged.baseURL = source.baseURL;
    // hosts from a later source replace earlier ones whole, like certs
    const hosts = hostsOf(source.hosts, label('hosts'));
    if (hosts !== undefined) merged.hosts = hosts;
    if (source.gatewayPrefix !== undefined) merged.gatewayPrefix = source.gatewayPrefix;
    const timeout = timeoutOf(source.timeout, label('timeout'));
    if (timeout !== undefined) merged.timeout = timeout;
    if (source.apiv3Key !== undefined) apiv3Key = source.apiv3Key;
  };
  const fromEnv = (name: string) => env[ENVIRONMENT[name] as string] || undefined;
  layer(
    {
      mchid: fromEnv('mchid'),
      serial: fromEnv('serial'),
      privateKey: fromEnv('privateKey'),
      certs: fromEnv('certs') === undefined ? undefined : [fromEnv('certs') as string],
      baseURL: fromEnv('baseURL'),
      hosts: fromEnv('hosts'),
      gatewayPrefix: fromEnv('gatewayPrefix'),
      timeout: fromEnv('timeout'),
      apiv3Key: fromEnv('apiv3Key'),
    },
    (field) => ENVIRONMENT[field] as string,
  );
  layer({ ...flags, apiv3Key: flags.key }, (field) => `--${field}`);
  return { config: merged as unknown as ClientConfig, apiv3Key };
}
