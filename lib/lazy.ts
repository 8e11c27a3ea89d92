/**
 * Every dependency that only some features use, loaded on first use — the one place the package
 * defers a load (a `createRequire` or an `import()` anywhere else is a mistake). `import
 * 'wechatpay-chain'` would otherwise compile undici (~70 ms, more than the rest of the package
 * together), fast-xml-parser, mime-db's table, node:tls, fs/promises (with readline), zlib… for
 * every application, whether it sends a request, speaks APIv2, uploads a file or downloads a bill.
 *
 * Synchronous loads go through `require` (ESM packages and built-ins alike; Node ≥ 20.19 can
 * `require()` an ES module); the two packages used only by async helpers (jose, csv-parse) through
 * `import()`. Each loader caches what it loaded.
 * @module
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A loader that requires `name` on its first call and hands back the same module after. */
function once<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}

/**
 * `undici`, loaded when the first Agent is made: importing the package (webhook handlers, the
 * crypto helpers, a client given its own dispatcher) never pays for it.
 * @example
 * ```ts
 * const agent = new (undici().Agent)({ keepAliveTimeout: 10_000 });
 * ```
 */
export const undici: () => typeof import('undici') = once('undici');

/**
 * `fast-xml-parser`, loaded on the first APIv2 parse (APIv3-only users never load it).
 * @example
 * ```ts
 * const valid = fastXmlParser().XMLValidator.validate(text);
 * ```
 */
export const fastXmlParser: () => typeof import('fast-xml-parser') = once('fast-xml-parser');

/**
 * `mime-types` (it carries the whole mime-db table), loaded on the first upload.
 * @example
 * ```ts
 * mimeTypes().lookup('logo.png'); // 'image/png'
 * ```
 */
export const mimeTypes: () => typeof import('mime-types') = once('mime-types');

/**
 * `node:tls` (~5 ms of a cold import), loaded when a client is given a merchant certificate.
 * @example
 * ```ts
 * nodeTls().createSecureContext({ cert, key });
 * ```
 */
export const nodeTls: () => typeof import('node:tls') = once('node:tls');

/**
 * `node:worker_threads`, loaded when a download first hashes off the event loop.
 * @example
 * ```ts
 * const { Worker } = workerThreads();
 * ```
 */
export const workerThreads: () => typeof import('node:worker_threads') = once('node:worker_threads');

/**
 * `node:fs/promises`, loaded on first use.
 * @example
 * ```ts
 * await fsPromises().rename(temp, path);
 * ```
 */
export const fsPromises: () => typeof import('node:fs/promises') = once('node:fs/promises');

/**
 * `node:stream/promises`, loaded on first use.
 * @example
 * ```ts
 * await streamPromises().finished(out);
 * ```
 */
export const streamPromises: () => typeof import('node:stream/promises') = once('node:stream/promises');

/**
 * `node:zlib`, loaded on first use.
 * @example
 * ```ts
 * const gunzip = zlib().createGunzip();
 * ```
 */
export const zlib: () => typeof import('node:zlib') = once('node:zlib');

/**
 * `node:timers/promises`, loaded on first use.
 * @example
 * ```ts
 * await timersPromises().setTimeout(100);
 * ```
 */
export const timersPromises: () => typeof import('node:timers/promises') = once('node:timers/promises');

/**
 * `jose`, imported by the two async RSA helpers that use it (`Rsa.toCryptoKey`, `Rsa.toJwk`).
 * @example
 * ```ts
 * const { exportJWK } = await jose();
 * ```
 */
export const jose = (): Promise<typeof import('jose')> => import('jose');

/**
 * `csv-parse`, imported by the bill parser on its first bill.
 * @example
 * ```ts
 * const { parse } = await csvParse();
 * ```
 */
export const csvParse = (): Promise<typeof import('csv-parse')> => import('csv-parse');

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
