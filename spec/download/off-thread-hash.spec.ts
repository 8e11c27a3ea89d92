import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IN_FLIGHT, OffThreadHash } from '../../lib/download/off-thread-hash.js';
import { VerificationError } from '../../lib/index.js';
import { saveStream } from '../../lib/download/index.js';
import { fc } from '../support/property.js';

const MiB = 1024 * 1024;

describe('OffThreadHash', () => {
  it('digests what createHash digests, however the bytes are split', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 * MiB }), { maxLength: 5 }), fc.constantFrom('sha1' as const, 'sha256' as const), async (sizes, algorithm) => {
        const chunks = sizes.map((size) => randomBytes(size));
        const hash = new OffThreadHash(algorithm);
        for (const chunk of chunks) await hash.update(chunk);
        expect(await hash.digest()).toBe(createHash(algorithm).update(Buffer.concat(chunks)).digest('hex'));
      }),
      { numRuns: 12 },
    );
  });

  it('asks the reader to wait once the worker is MAX_IN_FLIGHT MiB behind, then catches up', async () => {
    const hash = new OffThreadHash('sha1');
    const reference = createHash('sha1');
    const chunk = randomBytes(MiB);
    let waits = 0;
    for (let i = 0; i < MAX_IN_FLIGHT + 4; i++) {
      reference.update(chunk);
      const behind = hash.update(chunk);
      if (behind) {
        waits += 1;
        await behind;
      }
    }
    // the worker cannot have hashed all of it while the loop ran without yielding
    expect(waits).toBeGreaterThan(0);
    expect(await hash.digest()).toBe(reference.digest('hex'));
  });

  it('keeps jobs apart and forgets an aborted one', async () => {
    const a = new OffThreadHash('sha256');
    const b = new OffThreadHash('sha256');
    const dropped = new OffThreadHash('sha1');
    await a.update(Buffer.from('a'));
    await dropped.update(randomBytes(2 * MiB));
    await b.update(Buffer.from('b'));
    dropped.abort();
    expect(await b.digest()).toBe(createHash('sha256').update('b').digest('hex'));
    expect(await a.digest()).toBe(createHash('sha256').update('a').digest('hex'));
  });
});

describe('saveStream with offThread', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'off-thread-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const bytes = randomBytes(5 * MiB + 123);
  const sha1 = createHash('sha1').update(bytes).digest('hex');
  const chunked = () => Readable.from(Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536)));

  it('writes the file and reports the digest computed on the worker', async () => {
    const to = join(dir, 'ok.bin');
    const result = await saveStream(chunked(), to, { offThread: true, digest: { hash_type: 'SHA1', hash_value: sha1 } });
    expect(result).toEqual({ path: to, bytes: bytes.length, digest: sha1, hashType: 'SHA1' });
    expect((await readFile(to)).equals(bytes)).toBe(true);
  });

  it('rejects a digest mismatch and leaves no file behind', async () => {
    const to = join(dir, 'bad.bin');
    const wrong = createHash('sha1').update('something else').digest('hex');
    await expect(saveStream(chunked(), to, { offThread: true, digest: { hash_type: 'SHA1', hash_value: wrong } })).rejects.toMatchObject({
      constructor: VerificationError,
      reason: 'digest-mismatch',
    });
    expect(await readdir(dir)).not.toContain('bad.bin');
    expect((await readdir(dir)).filter((name) => name.endsWith('.part'))).toEqual([]);
  });
});
