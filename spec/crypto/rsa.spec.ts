import { constants, createPublicKey, privateDecrypt, publicEncrypt, verify, type JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../lib/index.js';
import { Rsa } from '../../lib/crypto/index.js';
import { generateKeyPair } from '../../lib/testing/index.js';

const { privateKey, publicKey, privateKeyPem, publicKeyPem } = generateKeyPair();

describe('Rsa', () => {
  it('sign returns a Promise of a base64 RSASSA-PKCS1-v1_5/SHA-256 signature that node verifies', async () => {
    const pending = Rsa.sign('GET\n/v3/certificates\n1\nabc\n\n', privateKeyPem);
    expect(pending).toBeInstanceOf(Promise);
    const signature = await pending;
    expect(verify('sha256', Buffer.from('GET\n/v3/certificates\n1\nabc\n\n'), publicKey, Buffer.from(signature, 'base64'))).toBe(true);
    expect(Rsa.verify('GET\n/v3/certificates\n1\nabc\n\n', signature, publicKeyPem)).toBe(true);
  });

  it('verify returns false (never throws) for bad, empty or garbage signatures', async () => {
    const signature = await Rsa.sign('message', privateKey);
    expect(Rsa.verify('messagE', signature, publicKey)).toBe(false);
    expect(Rsa.verify('message', '', publicKey)).toBe(false);
    expect(Rsa.verify('message', '!!!not base64!!!', publicKey)).toBe(false);
  });

  it('sign rejects a public key with ArgumentError', async () => {
    await expect(Rsa.sign('m', publicKeyPem)).rejects.toBeInstanceOf(ArgumentError);
  });

  it('encrypt uses OAEP with SHA-1 by default (decryptable by an independent implementation)', () => {
    const ciphertext = Rsa.encrypt('13800138000', publicKeyPem);
    const plain = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(ciphertext, 'base64'));
    expect(plain.toString()).toBe('13800138000');
    expect(Rsa.decrypt(ciphertext, privateKeyPem)).toBe('13800138000');
  });

  it('decrypt reads independent OAEP-SHA1 ciphertexts and refuses PKCS#1 v1.5 ones by default', () => {
    const oaep = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from('张三')).toString('base64');
    expect(Rsa.decrypt(oaep, privateKey)).toBe('张三');
    const v15 = Rsa.encrypt('张三', publicKey, 'pkcs1');
    expect(() => Rsa.decrypt(v15, privateKey)).toThrow(ArgumentError);
  });

  it('decrypt with the wrong key fails with ArgumentError', () => {
    const other = generateKeyPair();
    expect(() => Rsa.decrypt(Rsa.encrypt('x', publicKey), other.privateKey)).toThrow(/RSA decryption failed/);
  });

  it('from loads PEM, bare base64 (PKCS#1, PKCS#8, SPKI) and keeps the key type', () => {
    expect(Rsa.from(publicKeyPem).type).toBe('public');
    expect(Rsa.from(privateKeyPem, Rsa.KEY_TYPE_PRIVATE).type).toBe('private');
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
    const pkcs1Public = publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
    expect(Rsa.fromSpki(spki).equals(publicKey)).toBe(true);
    expect(Rsa.fromPkcs8(pkcs8).equals(privateKey)).toBe(true);
    expect(Rsa.fromPkcs1(pkcs1).equals(privateKey)).toBe(true);
    expect(Rsa.fromPkcs1(pkcs1Public, Rsa.KEY_TYPE_PUBLIC).equals(publicKey)).toBe(true);
    expect(() => Rsa.fromSpki('AAAA')).toThrow(ArgumentError);
  });

  it('toCryptoKey gives WebCrypto keys that interoperate with node:crypto', async () => {
    const signing = await Rsa.toCryptoKey(privateKeyPem, 'sign');
    expect(signing.type).toBe('private');
    const signature = Buffer.from(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', signing, Buffer.from('hello')));
    expect(Rsa.verify('hello', signature.toString('base64'), publicKey)).toBe(true);
    const encrypting = await Rsa.toCryptoKey(publicKeyPem, 'encrypt');
    const ciphertext = Buffer.from(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, encrypting, Buffer.from('hi'))).toString('base64');
    expect(Rsa.decrypt(ciphertext, privateKey)).toBe('hi');
    // a CryptoKey goes back into every Rsa function
    expect(Rsa.from(await Rsa.toCryptoKey(publicKey, 'verify')).equals(publicKey)).toBe(true);
  });

  it('toJwk exports the public members, and a JWK loads back', async () => {
    const jwk = await Rsa.toJwk(privateKey);
    expect(jwk.kty).toBe('RSA');
    expect(jwk.d).toBeUndefined();
    expect(createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).equals(publicKey)).toBe(true);
    const full = await Rsa.toJwk(privateKeyPem, Rsa.KEY_TYPE_PRIVATE);
    expect(full.d).toBeTypeOf('string');
    expect(Rsa.from(full as JsonWebKey, Rsa.KEY_TYPE_PRIVATE).equals(privateKey)).toBe(true);
  });
});
