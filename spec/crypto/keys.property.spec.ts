import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadKey } from '../../lib/crypto/keys.js';
import { ArgumentError } from '../../lib/errors.js';
import { pathForMessage } from '../../lib/validate.js';
import { createCertificate, generateKeyPair } from '../../lib/testing/index.js';
import { anyString, fc } from '../support/property.js';

const rsa = generateKeyPair();
const FIELD = 'privateKey';

function refusal(thing: unknown, type: 'private' | 'public' = 'private'): ArgumentError | KeyObject {
  try {
    return loadKey(thing, type, FIELD);
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentError);
    expect((error as ArgumentError).field).toBe(FIELD);
    expect((error as ArgumentError).message.startsWith(`${FIELD}: `)).toBe(true);
    return error as ArgumentError;
  }
}

function expectRefused(thing: unknown, message: RegExp, type: 'private' | 'public' = 'private') {
  const result = refusal(thing, type);
  expect(result).toBeInstanceOf(ArgumentError);
  expect((result as ArgumentError).message).toMatch(message);
}

const pemOf = (label: string, body: Uint8Array) =>
  `-----BEGIN ${label}-----\n${Buffer.from(body).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;

describe('loadKey with hostile input', () => {
  it('any string, bytes or object: a KeyObject or an ArgumentError naming the field, never echoing the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyString(300),
          fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
          fc.uint8Array({ maxLength: 600 }),
          fc.tuple(fc.constantFrom('PRIVATE KEY', 'RSA PRIVATE KEY', 'PUBLIC KEY', 'CERTIFICATE', 'EC PRIVATE KEY', 'X'), fc.uint8Array({ maxLength: 600 })).map(([label, body]) => pemOf(label, body)),
          fc.object(),
          fc.record({ kty: fc.constantFrom('RSA', 'EC', 'oct', 7), n: anyString(), e: anyString(), d: anyString() }, { requiredKeys: ['kty'] }),
          fc.constantFrom(null, undefined, 0, true, Symbol('k'), () => 1),
        ),
        (thing) => {
          const result = refusal(thing);
          // a one-line string without armour is a file path (issue 16): shown only when it reads like one
          if (result instanceof ArgumentError && typeof thing === 'string' && thing.length >= 24 && pathForMessage(thing) !== thing) {
            expect(result.message).not.toContain(thing);
          }
        },
      ),
    );
  });

  it('garbage inside a PEM frame → "could not be parsed"', () => {
    expectRefused(pemOf('PRIVATE KEY', Buffer.from('not a key at all, just text')), /"PRIVATE KEY" PEM block could not be parsed/);
    const lines = rsa.privateKeyPem.trim().split('\n');
    const garbled = [lines[0], ...lines.slice(1, -1).map((line) => line.replace(/[A-M]/g, 'z')), lines.at(-1)].join('\n');
    expectRefused(garbled, /"PRIVATE KEY" PEM block could not be parsed/);
    expectRefused('just\nsome text', /not a PEM private key \(no "-----BEGIN …-----" line found\)/);
    // one line is a file path (issue 16): the file is looked for, and the rule said
    expectRefused('just some text', /cannot read just some text \(ENOENT\); privateKey is PEM text, a file path or a file:\/\/ URL/);
  });

  it('wrong type → says which type it got', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ed = generateKeyPairSync('ed25519');
    expectRefused(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }), /expected an RSA key, got ec/);
    expectRefused(ed.privateKey, /expected an RSA key, got ed25519/);
    expectRefused(ec.privateKey.export({ type: 'sec1', format: 'pem' }), /expected a private key .* got "EC PRIVATE KEY"/);
    expectRefused(rsa.publicKeyPem, /expected a private key .* got "PUBLIC KEY"/);
    expectRefused(rsa.publicKey, /expected a private KeyObject, got a public one/);
    expectRefused((await createCertificate({ commonName: 'platform' })).certificatePem, /expected a private key .* got "CERTIFICATE"/);
    expectRefused({ kty: 'EC', crv: 'P-256' }, /expected an RSA JWK \(kty "RSA"\), got kty "EC"/);
    expectRefused(rsa.publicKey.export({ format: 'jwk' }), /the JWK has no private part/);
  });

  it('encrypted PEM (PKCS#8 and legacy PKCS#1) → says to decrypt it first', () => {
    const pkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' });
    const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' });
    expectRefused(pkcs8, /encrypted with a passphrase; decrypt it first/);
    expectRefused(pkcs1, /encrypted with a passphrase; decrypt it first/);
    expectRefused(Buffer.from(String(pkcs8)), /encrypted with a passphrase/);
  });

  it('a missing key file → names the path and the error code', () => {
    expectRefused('file:///nonexistent/apiclient_key.pem', /cannot read \/nonexistent\/apiclient_key.pem \(ENOENT\)/);
  });
});
