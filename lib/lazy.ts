/**
 * Every dependency that only some features use, loaded on first use — the one place the package
 * defers a load (a `createRequire` or an `import()` anywhere else is a mistake). `import
 * 'wechatpay-chain'` would otherwise compile undici (~70 ms, more than the rest of the package
 * together), fast-xml-parser, mime-db's table, node:tls, fs/promises (with readline), zlib… for
 * every application, whether it sends a request, speaks APIv2, uploads a file or downloads a bill.
 *
 * Synchronous loads go through `require` (ESM packages and built-ins alike; Node ≥ 20.19 can
 * `require()` an ES module); the two packages used only by async helpers (jose, csv-parse) through
 * `import()`. Each loader caches what it loaded. And the optional peer dependencies (msw,
 * @peculiar/x509), loaded when a feature needs them: a missing one is a `MissingPeerError`.
 * @module
 */
import { createRequire } from 'node:module';
import { MissingPeerError } from './errors.js';

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

// Optional peer dependencies: loaded on first use, so `import 'wechatpay-chain/testing'` works
// without them and a feature that needs one says which package to install (MissingPeerError)
// instead of a loader error. Their ranges are package.json's peerDependencies
// (spec/testing/missing-peer.spec.ts holds the two to each other).

/** The optional peers: the range package.json declares, the major to install, and who needs it. */
const PEERS = {
  msw: { range: '^2.8.0', install: 'msw@2', neededBy: 'the emulator (Emulator.create(), its msw handlers, wxpay sandbox)' },
  '@peculiar/x509': {
    range: '^1.14.0',
    install: '@peculiar/x509@1',
    neededBy: 'test certificates (createCertificate(), emulator.addPlatformCertificate(), emulator.merchantCertificate())',
  },
} as const;

type Peer = keyof typeof PEERS;

/** Whether `error` is the loader saying that `peer` itself (not one of its files or dependencies) cannot be found. */
function isMissing(error: unknown, peer: Peer): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') return false;
  // require: "Cannot find module 'msw'"; import: "Cannot find package 'msw' imported from …"
  return typeof message === 'string' && (message.startsWith(`Cannot find module '${peer}'`) || message.startsWith(`Cannot find package '${peer}'`));
}

function missingPeer(peer: Peer, cause: unknown): MissingPeerError {
  const { range, install, neededBy } = PEERS[peer];
  return new MissingPeerError(
    peer,
    range,
    `${peer} is not installed: ${neededBy} needs it, an optional peer dependency of wechatpay-chain (${peer} ${range}). Install it beside wechatpay-chain: npm install --save-dev ${install}`,
    { cause },
  );
}

let mswModule: typeof import('msw') | undefined;

/**
 * `msw`, the emulator's optional peer, loaded on first use (synchronously: `Emulator.create()` is).
 * Through `require`, which on Node ≥ 20.19 takes msw's `module-sync` export (msw ≥ 2.8): the same
 * ES module instance as the application's own `import 'msw'`, so its handlers and ours are one msw.
 * @throws {MissingPeerError} when msw is not installed
 * @example
 * ```ts
 * const { http, HttpResponse } = msw();
 * ```
 */
export function msw(): typeof import('msw') {
  if (mswModule === undefined) {
    try {
      mswModule = require('msw') as typeof import('msw');
    } catch (error) {
      throw isMissing(error, 'msw') ? missingPeer('msw', error) : error;
    }
  }
  return mswModule;
}

/**
 * `@peculiar/x509`, the optional peer of test certificates, loaded on first use.
 * @throws {MissingPeerError} (rejects) when it is not installed
 * @example
 * ```ts
 * const { X509CertificateGenerator } = await x509();
 * ```
 */
export async function x509(): Promise<typeof import('@peculiar/x509')> {
  try {
    return await import('@peculiar/x509');
  } catch (error) {
    throw isMissing(error, '@peculiar/x509') ? missingPeer('@peculiar/x509', error) : error;
  }
}
