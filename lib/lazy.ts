/**
 * Node built-ins that only some features use, loaded on first use: `import 'wechatpay-chain'`
 * would otherwise compile fs/promises (with readline), zlib, stream/promises and timers/promises
 * for every application, whether it downloads a bill or retries a request or not.
 * @module
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * `node:fs/promises`, loaded on first use.
 * @example
 * ```ts
 * await fsPromises().rename(temp, path);
 * ```
 */
export const fsPromises = (): typeof import('node:fs/promises') => require('node:fs/promises') as typeof import('node:fs/promises');

/**
 * `node:stream/promises`, loaded on first use.
 * @example
 * ```ts
 * await streamPromises().finished(out);
 * ```
 */
export const streamPromises = (): typeof import('node:stream/promises') => require('node:stream/promises') as typeof import('node:stream/promises');

/**
 * `node:zlib`, loaded on first use.
 * @example
 * ```ts
 * const gunzip = zlib().createGunzip();
 * ```
 */
export const zlib = (): typeof import('node:zlib') => require('node:zlib') as typeof import('node:zlib');

/**
 * `node:timers/promises`, loaded on first use.
 * @example
 * ```ts
 * await timersPromises().setTimeout(100);
 * ```
 */
export const timersPromises = (): typeof import('node:timers/promises') => require('node:timers/promises') as typeof import('node:timers/promises');

// node:fs and node:util through require: an ES import of either evaluates every export,
// getters included (fs.promises with readline, the fs streams, util.parseArgs, util.MIMEType),
// ~3 ms of a cold import; require hands over the module object and loads those on use.

/**
 * `node:fs`, required (its lazy parts stay lazy).
 * @example
 * ```ts
 * const text = nodeFs.readFileSync(path, 'utf8');
 * ```
 */
export const nodeFs = require('node:fs') as typeof import('node:fs');

/**
 * `node:util`, required (its lazy parts stay lazy).
 * @example
 * ```ts
 * const { inspect } = nodeUtil;
 * ```
 */
export const nodeUtil = require('node:util') as typeof import('node:util');
