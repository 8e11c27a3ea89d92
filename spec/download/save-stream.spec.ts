import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, DecodeError, NetworkError, VerificationError, WeChatPayError } from '../../lib/index.js';
import { saveStream } from '../../lib/download/index.js';
import { hashAlgorithm } from '../../lib/download/save-stream.js';

describe('saveStream', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'save-stream-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const bytes = Buffer.from('hello bill\n'.repeat(1000));
  const sha1 = createHash('sha1').update(bytes).digest('hex');

  it('writes, gunzips and checks an upper-case digest', async () => {
    const to = join(dir, 'ok.csv');
    const result = await saveStream(Readable.from([gzipSync(bytes)]), to, { gunzip: true, digest: { hash_type: 'sha1', hash_value: sha1.toUpperCase() } });
    expect(result).toEqual({ path: to, bytes: bytes.length, digest: sha1, hashType: 'SHA1' });
    expect((await readFile(to)).equals(bytes)).toBe(true);
  });

  it('leaves an existing file untouched when the new download fails its digest', async () => {
    const to = join(dir, 'keep.csv');
    await saveStream(Readable.from([bytes]), to);
    await expect(saveStream(Readable.from([Buffer.from('tampered')]), to, { digest: { hash_type: 'SHA1', hash_value: sha1 } })).rejects.toThrow(VerificationError);
    expect((await readFile(to)).equals(bytes)).toBe(true);
    expect((await readdir(dir)).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('reports broken gzip as DecodeError and a failing source as NetworkError, without a file', async () => {
    await expect(saveStream(Readable.from([Buffer.from('not gzip at all')]), join(dir, 'gz.csv'), { gunzip: true })).rejects.toThrow(DecodeError);
    const failing = new Readable({ read() { this.destroy(new Error('socket hang up')); } });
    await expect(saveStream(failing, join(dir, 'net.csv'))).rejects.toThrow(NetworkError);
    const names = await readdir(dir);
    expect(names).not.toContain('gz.csv');
    expect(names).not.toContain('net.csv');
  });

  it('reports an unwritable destination as a WeChatPayError naming the problem', async () => {
    const error = await saveStream(Readable.from([bytes]), join(dir, 'missing-dir', 'x.csv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeChatPayError);
    expect((error as Error).message).toMatch(/cannot write the download/);
  });

  it('decrypts before gunzip, and calls deciphered bytes that are not gzip decrypt-failed (not DecodeError)', async () => {
    const key = randomBytes(32);
    const nonce = Buffer.from('5K8264ILTKCH16CQ2502SI8ZNMTM67VS');
    const seal = (plain: Buffer) => {
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    };
    const decrypt = { cipher: 'aes-256-gcm' as const, key, nonce };
    const to = join(dir, 'sealed.csv');
    const result = await saveStream(Readable.from([seal(gzipSync(bytes))]), to, { gunzip: true, decrypt, digest: { hash_type: 'SHA1', hash_value: sha1 } });
    expect(result).toMatchObject({ bytes: bytes.length, digest: sha1 });
    expect((await readFile(to)).equals(bytes)).toBe(true);
    const error = await saveStream(Readable.from([seal(bytes)]), join(dir, 'not-gzip.csv'), { gunzip: true, decrypt }).catch((e: unknown) => e);
    expect((error as VerificationError).reason).toBe('decrypt-failed');
    expect((await readdir(dir)).filter((name) => name.includes('not-gzip'))).toEqual([]); // nor its .part file
  });

  it('validates its arguments', async () => {
    expect(() => hashAlgorithm('MD5')).toThrow(ArgumentError);
    expect(hashAlgorithm('SHA-256')).toBe('sha256');
    await expect(saveStream(Readable.from([bytes]), '')).rejects.toThrow(ArgumentError);
    await expect(saveStream(Readable.from([bytes]), join(dir, 'y'), { digest: { hash_type: 'SHA1', hash_value: 'zz' } })).rejects.toThrow(/hex digest/);
  });
});
