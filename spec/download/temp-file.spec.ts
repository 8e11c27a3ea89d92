import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporarySibling, writeFileAtomically } from '../../lib/download/temp-file.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wechatpay-temp-file-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeFileAtomically', () => {
  it('uses a fresh hidden name beside the target each time', () => {
    const names = new Set(Array.from({ length: 50 }, () => temporarySibling(join(dir, 'a.pem'))));
    expect(names.size).toBe(50);
    for (const name of names) expect(name).toMatch(/[/\\]\.a\.pem\.[0-9a-f]{12}\.part$/);
  });

  it('writes the whole file, with the mode asked', async () => {
    const path = join(dir, 'cert.pem');
    await writeFileAtomically(path, 'one', 0o644);
    await writeFileAtomically(path, 'two', 0o644);
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['cert.pem']);
  });

  it('leaves nothing behind when the rename fails', async () => {
    const path = join(dir, 'taken');
    await mkdir(join(path, 'inside'), { recursive: true });
    await expect(writeFileAtomically(path, 'x')).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST|EPERM/) });
    expect((await readdir(dir)).filter((name) => name.endsWith('.part'))).toEqual([]);
  });
});
