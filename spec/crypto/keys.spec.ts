import { createPrivateKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadKey } from '../../lib/crypto/keys.js';
import { ArgumentError } from '../../lib/errors.js';
import { Builder } from '../../lib/index.js';

// two fresh key pairs per run: nothing is committed
const mine = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = mine.privateKey.export({ format: 'jwk' });
// what a hand-assembled JWK looks like when `n` was copied from the wrong key
const swappedN = { ...jwk, n: other.publicKey.export({ format: 'jwk' }).n };

function refusedWith(thing: unknown): ArgumentError {
  try {
    loadKey(thing, 'private', 'privateKey');
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentError);
    return error as ArgumentError;
  }
  throw new Error('the key was accepted');
}

describe('loadKey: private key consistency', () => {
  it('refuses a JWK whose public modulus belongs to another key, naming the option and no key material', () => {
    const error = refusedWith(swappedN);
    expect(error.field).toBe('privateKey');
    expect(error.message).toMatch(/^privateKey: the JWK private key is inconsistent/);
    for (const part of [jwk.n, jwk.d, jwk.p, jwk.q, swappedN.n]) expect(error.message).not.toContain(String(part).slice(0, 16));
  });

  it('refuses the same broken key exported as PEM (PKCS#1, PKCS#8) or DER', () => {
    // node imports the mismatched parts as they are and exports them again unchanged
    const broken = createPrivateKey({ key: swappedN, format: 'jwk' });
    expect(refusedWith(broken.export({ type: 'pkcs1', format: 'pem' })).message).toMatch(/the PEM private key is inconsistent/);
    expect(refusedWith(Buffer.from(broken.export({ type: 'pkcs8', format: 'pem' }))).message).toMatch(/the PEM private key is inconsistent/);
    expect(refusedWith(broken.export({ type: 'pkcs8', format: 'der' })).message).toMatch(/the DER private key is inconsistent/);
  });

  it('Builder.factory refuses it at once, before any request could fail as 401 SIGN_ERROR', () => {
    expect(() => Builder.factory({ mchid: '1900000109', serial: 'A1', privateKey: swappedN, certs: { PUB_KEY_ID_1: mine.publicKey } })).toThrow(
      expect.objectContaining({ name: 'ArgumentError', field: 'privateKey' }),
    );
  });

  it('still loads good JWK, PEM and DER private keys, and they sign what the public key verifies', () => {
    const forms: unknown[] = [
      jwk,
      mine.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      mine.privateKey.export({ type: 'pkcs1', format: 'pem' }),
      mine.privateKey.export({ type: 'pkcs8', format: 'der' }),
      mine.privateKey,
    ];
    for (const form of forms) {
      const key = loadKey(form, 'private', 'privateKey');
      expect(key).toBeInstanceOf(KeyObject);
      expect(verify('sha256', Buffer.from('x'), mine.publicKey, sign('sha256', Buffer.from('x'), key))).toBe(true);
    }
  });

  it('loads the public half of a broken JWK as a public key (nothing to sign with, nothing to check)', () => {
    expect(loadKey(swappedN, 'public', 'publicKey').type).toBe('public');
  });
});
