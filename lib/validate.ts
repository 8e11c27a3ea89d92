/**
 * The one validation module, as jose's `lib/` keeps its `is_object`, `check_key_length`…: the
 * checks of a caller's value that more than one module makes — durations, byte sizes, tokens,
 * object shapes, the APIv3 and APIv2 keys — and the one way a message describes a refused value
 * without showing it ({@link describeValue}, {@link nameForMessage}: a value in the wrong place is
 * often a key or secret pasted there). Checks throw an {@link ArgumentError} naming the option at
 * fault; predicates (`is…`) return a boolean.
 * @module
 */
import { KeyObject } from 'node:crypto';
import { ArgumentError } from './errors.js';

/**
 * Describes a refused value without showing it: its kind, its length and the classes of
 * characters it holds. Errors about configuration use it instead of echoing the value, since a
 * value in the wrong place is often a key or secret pasted there (a 32-character APIv3 key or
 * APIv2 secret as `baseURL`). Numbers and booleans are shown: no secret is one.
 * @example
 * ```ts
 * describeValue('0123456789abcdef0123456789abcdef'); // 'a string of 32 characters (lower-case letters, digits)'
 * describeValue(Buffer.alloc(5));                     // 'a Buffer of 5 bytes'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'number':
    case 'bigint':
    case 'boolean':
      return `a ${typeof value} (${String(value)})`;
    case 'string':
      return value === '' ? 'an empty string' : `a string of ${value.length} characters (${characterClasses(value)})`;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
  }
  if (value instanceof Uint8Array) return `a${Buffer.isBuffer(value) ? ' Buffer' : ` ${value.constructor.name}`} of ${value.byteLength} bytes`;
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (value instanceof KeyObject) return `a ${value.type} KeyObject`;
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a${/^[AEIO]/.test(name) ? 'n' : ''} ${name} object` : 'an object';
}

const CLASSES: ReadonlyArray<[RegExp, string]> = [
  [/[a-z]/, 'lower-case letters'],
  [/[A-Z]/, 'upper-case letters'],
  [/[0-9]/, 'digits'],
  [/[!-/:-@[-`{-~]/, 'punctuation'],
  [/[ \t]/, 'spaces'],
  [/[\r\n]/, 'line breaks'],
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  [/[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/, 'control characters'],
  [/[^\0-\x7f]/, 'non-ASCII'],
];

function characterClasses(text: string): string {
  return CLASSES.filter(([pattern]) => pattern.test(text)).map(([, label]) => label).join(', ');
}

const NAME_LIKE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * An object key (a header name, a host alias, a query key, a path segment) as an error message
 * may show it: quoted when it reads like a name (`"x-request-id"`, `"hk"`, `"applyment4sub"`),
 * else described without its characters. Random text gives itself away: letters and digits
 * alternating three times or more, a capital right after a small letter twice or more
 * (`backupUrl` reads as a name, `hkiG9w0BAQEF` or `xYzAbQrT` does not), a run of 16 characters
 * mixing letters and digits, or any run over 24 — what a key or secret pasted in the wrong place
 * looks like.
 * @example
 * ```ts
 * nameForMessage('x-request-id');                     // '"x-request-id"'
 * nameForMessage('0123456789abcdef0123456789abcdef'); // 'a name of 32 characters'
 * ```
 */
export function nameForMessage(name: string): string {
  if (NAME_LIKE.test(name)) {
    const runs = name.split(/[_.-]/);
    const alternations = runs.reduce((sum, run) => sum + (run.match(/[0-9](?=[A-Za-z])|[A-Za-z](?=[0-9])/g)?.length ?? 0), 0);
    const lowerUpper = runs.reduce((sum, run) => sum + (run.match(/[a-z](?=[A-Z])/g)?.length ?? 0), 0);
    const long = (run: string) => run.length > 24 || (run.length >= 16 && /[0-9]/.test(run) && /[A-Za-z]/.test(run));
    if (alternations < 3 && lowerUpper < 2 && !runs.some(long)) return `"${name}"`;
  }
  return `a name of ${String(name).length} characters`;
}

/**
 * A string taken for a file path (a `privateKey` or `certs` value without a `-----BEGIN` line) as
 * an error message may show it: whole when each of its segments reads like a name (spaces,
 * brackets and letters of any script allowed: `/etc/wechatpay/apiclient_key.pem`,
 * `C:\wechatpay\apiclient_key.pem`), else described — a file that does not exist may have been
 * named by a secret pasted in the wrong place (see {@link nameForMessage}).
 * @example
 * ```ts
 * pathForMessage('/etc/wechatpay/apiclient_key.pem');  // '/etc/wechatpay/apiclient_key.pem'
 * pathForMessage('0123456789abcdef0123456789abcdef');  // 'a path of 32 characters'
 * ```
 */
export function pathForMessage(path: string): string {
  const plain = (segment: string) =>
    segment === '' ||
    segment === '.' ||
    segment === '..' ||
    segment === '~' ||
    /^[A-Za-z]:$/.test(segment) ||
    // letters of other scripts count as letters; spaces and brackets as separators
    nameForMessage(segment.replace(/[^\0-\x7f]/gu, (c) => (/[\p{L}\p{N}]/u.test(c) ? 'x' : c)).replace(/[ ()+,@]/g, '_')).startsWith('"');
  return path.length <= 1024 && path.split(/[\\/]/).every(plain) ? path : `a path of ${path.length} characters`;
}

/**
 * The longest delay `setTimeout` honours: 2^31 − 1 ms, about 24.8 days. Node replaces a longer
 * one by 1 ms (with only a warning), so a 30-day timeout would fail every request at once.
 * @example
 * ```ts
 * MAX_TIMER_DELAY; // 2147483647
 * ```
 */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * Bounds of a millisecond option.
 * @example
 * ```ts
 * const bounds: DurationBounds = { zero: true, max: 600_000 };
 * ```
 */
export interface DurationBounds {
  /** Whether 0 is accepted (a delay may be none); by default the value must be positive (a zero timeout or interval makes no sense). */
  zero?: boolean;
  /** Largest value accepted; {@link MAX_TIMER_DELAY} by default. Only a duration that never becomes a timer's delay by itself may go higher. */
  max?: number;
}

/**
 * A millisecond option, checked: a finite positive number (or zero, when allowed) up to `max`
 * (by default no more than `setTimeout` honours); `undefined` gives `fallback`.
 * @param field the option's name, used in the message and as `ArgumentError.field`
 * @param label how the option is named in the message when it differs from `field` (e.g. `--timeout`)
 * @throws {ArgumentError} `"<field>: must be a positive number of milliseconds up to 2147483647 …"`
 * @example
 * ```ts
 * milliseconds(config.timeout, 'timeout', 30_000);                            // 30000 when undefined
 * milliseconds(policy.minDelay, 'retry.minDelay', 200, { zero: true, max: 600_000 });
 * ```
 */
export function milliseconds(value: unknown, field: string, fallback: number, bounds: DurationBounds = {}, label = field): number {
  if (value === undefined) return fallback;
  const zero = bounds.zero === true;
  const max = bounds.max ?? MAX_TIMER_DELAY;
  if (typeof value !== 'number' || !Number.isFinite(value) || (zero ? value < 0 : value <= 0) || value > max) {
    const ceiling = max === MAX_TIMER_DELAY ? `${max} (about 24.8 days, the longest setTimeout honours)` : String(max);
    const range = zero ? `from 0 to ${ceiling}` : `up to ${ceiling}`;
    throw new ArgumentError(`${label}: must be a ${zero ? '' : 'positive '}number of milliseconds ${range}, got ${describeValue(value)}`, field);
  }
  return value;
}

/**
 * Whether a value is an object that is neither `null` nor an array (a record of fields).
 * @example
 * ```ts
 * isObject({ a: 1 }); // true
 * isObject([1]);      // false
 * ```
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Whether a value is a plain object: made by `{}` / `Object.create(null)`, not a class instance,
 * a Map or an array.
 * @example
 * ```ts
 * isPlainObject({ mch_id: '1900000109' }); // true
 * isPlainObject(new Map());                 // false
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const TOKEN = /^[0-9A-Za-z_-]+$/;

/**
 * A required identifier (a merchant id, a certificate serial): a non-empty string of letters,
 * digits, `_` and `-`, nothing that could break a header or a signed message.
 * @param hint what the value is, e.g. `the merchant id, e.g. "1900000109"`
 * @throws {ArgumentError} `"<field>: required, <hint>"` or `"<field>: must be <hint> (letters, digits, "_" or "-" only)"`
 * @example
 * ```ts
 * requireToken(config.mchid, 'mchid', 'the merchant id, e.g. "1900000109"'); // '1900000109'
 * ```
 */
export function requireToken(value: unknown, field: string, hint: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ArgumentError(`${field}: required, ${hint}`, field);
  if (!TOKEN.test(value)) throw new ArgumentError(`${field}: must be ${hint} (letters, digits, "_" or "-" only)`, field);
  return value;
}

/**
 * A byte-size option: a finite positive number; `undefined` gives `fallback`.
 * @throws {ArgumentError} `"<field>: must be a positive number of bytes"`
 * @example
 * ```ts
 * positiveBytes(config.maxBodySize, 'maxBodySize', 32 * 1024 * 1024);
 * ```
 */
export function positiveBytes(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new ArgumentError(`${field}: must be a positive number of bytes`, field);
  return value;
}

/**
 * Bytes of the APIv3 key (APIv3密钥): an AES-256 key.
 * @example
 * ```ts
 * APIV3_KEY_BYTES; // 32
 * ```
 */
export const APIV3_KEY_BYTES = 32;

/**
 * The APIv3 key, checked: text or bytes of exactly 32 bytes (the key is never shown, only its length).
 * @throws {ArgumentError} `"apiv3Key: the APIv3 key must be 32 bytes, got <n>"`
 * @example
 * ```ts
 * const key = apiV3Key(options.apiv3Key); // the value as given, once it is 32 bytes
 * ```
 */
export function apiV3Key(value: unknown, field = 'apiv3Key'): string | Uint8Array {
  const length = typeof value === 'string' ? Buffer.byteLength(value) : value instanceof Uint8Array ? value.byteLength : -1;
  if (length !== APIV3_KEY_BYTES) throw new ArgumentError(`${field}: the APIv3 key must be ${APIV3_KEY_BYTES} bytes${length >= 0 ? `, got ${length}` : ''}`, field);
  return value as string | Uint8Array;
}

const APIV2_SECRET = /^[\x21-\x7e]+$/;

/**
 * The APIv2 key (APIv2密钥), checked when given: printable ASCII without spaces.
 * @throws {ArgumentError} field `secret`, never showing the value
 * @example
 * ```ts
 * apiV2Secret(config.secret); // the secret, or undefined when none was given
 * ```
 */
export function apiV2Secret(value: unknown, field = 'secret'): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || !APIV2_SECRET.test(value))) {
    throw new ArgumentError(`${field}: the APIv2 key must be a non-empty string of printable ASCII (32 characters, set in the merchant platform)`, field);
  }
  return value;
}
