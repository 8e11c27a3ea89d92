/**
 * The emulator's RSA keys. Generating the merchant and platform pairs costs about 0.5 s
 * (RSA-2048, two pairs), so the emulators of one process share one generated merchant pair and
 * one platform pair per modulus length: every `Emulator.create()` after the first takes
 * milliseconds (`npm run bench`, section "Sandbox"). Emulators stay independent otherwise (their
 * own serials, handlers, requests, sandbox); `freshKeys: true` or a key given as an option
 * bypasses the cache.
 * @module
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { loadKey, type KeyLike } from '../crypto/keys.js';
import { ArgumentError } from '../errors.js';
import { describeValue } from '../validate.js';

/**
 * A generated RSA key pair in the forms tests want.
 * @example
 * ```ts
 * const pair: GeneratedKeyPair = generateKeyPair();
 * const client = Builder.factory({ ...emulator.clientConfig(), privateKey: pair.privateKeyPem });
 * ```
 */
export interface GeneratedKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
}

/** The forms of an RSA private key pair, from the private key. */
function pairOf(privateKey: KeyObject, publicKey: KeyObject = createPublicKey(privateKey)): GeneratedKeyPair {
  return {
    privateKey,
    publicKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * Generates an RSA key pair (2048 bits by default). Always new: the emulator's shared keys are
 * {@link Emulator.create}'s business.
 * @example
 * ```ts
 * const { privateKeyPem, publicKeyPem } = generateKeyPair();
 * ```
 */
export function generateKeyPair(modulusLength = 2048): GeneratedKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return pairOf(privateKey, publicKey);
}

/** The merchant and platform pairs of a process, per modulus length. */
export interface EmulatorKeys {
  merchant: GeneratedKeyPair;
  platform: GeneratedKeyPair;
}

const shared = new Map<number, EmulatorKeys>();

/**
 * The modulus length of an option: an integer from 1024 to 16384 (WeChat Pay uses 2048).
 * @throws {ArgumentError} otherwise
 * @example
 * ```ts
 * modulusLength(undefined); // 2048
 * ```
 */
export function modulusLength(value: unknown): number {
  if (value === undefined) return 2048;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1024 || value > 16_384) {
    throw new ArgumentError(`modulusLength: expected an integer from 1024 to 16384 (WeChat Pay uses 2048), got ${describeValue(value)}`, 'modulusLength');
  }
  return value;
}

/**
 * The keys of a new emulator: the process's shared pairs for this modulus length (generated
 * on first use), or new ones with `fresh`; a key given in `given` is used as it is (any form the
 * client's `privateKey` takes) and leaves the cache alone.
 * @throws {ArgumentError} for a given key that is not an RSA private key, naming the option
 * @example
 * ```ts
 * const { merchant, platform } = emulatorKeys(2048, { fresh: false });
 * ```
 */
export function emulatorKeys(bits: number, options: { fresh?: boolean; merchantKey?: KeyLike; platformKey?: KeyLike } = {}): EmulatorKeys {
  const given = {
    merchant: options.merchantKey === undefined ? undefined : pairOf(loadKey(options.merchantKey, 'private', 'merchantKey')),
    platform: options.platformKey === undefined ? undefined : pairOf(loadKey(options.platformKey, 'private', 'platformKey')),
  };
  // a role not given: a new pair with `fresh`, else the process's (both generated on first use)
  const generated = (role: keyof EmulatorKeys): GeneratedKeyPair => {
    if (options.fresh === true) return generateKeyPair(bits);
    let keys = shared.get(bits);
    if (keys === undefined) {
      keys = { merchant: generateKeyPair(bits), platform: generateKeyPair(bits) };
      shared.set(bits, keys);
    }
    return keys[role];
  };
  return { merchant: given.merchant ?? generated('merchant'), platform: given.platform ?? generated('platform') };
}
