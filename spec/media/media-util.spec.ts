import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '../../lib/index.js';
import { buildRequest } from '../../lib/endpoint/request.js';
import { MediaUtil, V2_UPLOAD_LAYOUT } from '../../lib/media/index.js';

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('MediaUtil', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'media-util-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds meta {filename, sha256} and a multipart body with meta first, file second', async () => {
    const media = new MediaUtil('logo.png', png);
    expect(media.getContentType()).toBe(`multipart/form-data; boundary=${media.boundary}`);
    const meta = await media.getMeta();
    expect(meta).toBe(`{"filename":"logo.png","sha256":"${sha256(png)}"}`);
    const body = await drain(media.getStream());
    const b = media.boundary;
    const expected = Buffer.concat([
      Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n${meta}\r\n`),
      Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="logo.png"\r\nContent-Type: image/png\r\n\r\n`),
      png,
      Buffer.from(`\r\n--${b}--\r\n`),
    ]);
    expect(body.equals(expected)).toBe(true);
    expect(await media.getLength()).toBe(expected.length);
  });

  it('streams a path and hashes it the same way as bytes', async () => {
    const path = join(dir, 'video.mp4');
    const bytes = Buffer.alloc(700_000, 7);
    await writeFile(path, bytes);
    const fromPath = new MediaUtil(path);
    expect(fromPath.filename).toBe('video.mp4');
    expect(fromPath.fileContentType).toBe('video/mp4');
    expect(JSON.parse(await fromPath.getMeta())).toEqual({ filename: 'video.mp4', sha256: sha256(bytes) });
    const body = await drain(fromPath.getStream());
    expect(body.length).toBe(await fromPath.getLength());
    expect(body.includes(bytes)).toBe(true);
  });

  it('collects a stream source and adds extra meta fields and form fields', async () => {
    const media = new MediaUtil('users.csv', Readable.from([Buffer.from('a,'), Buffer.from('b\n')]), { meta: { bank_type: 'ICBC_DEBIT' }, fields: { item_id: '7' } });
    expect(JSON.parse(await media.getMeta())).toEqual({ filename: 'users.csv', sha256: sha256(Buffer.from('a,b\n')), bank_type: 'ICBC_DEBIT' });
    const text = (await drain(media.getStream())).toString();
    expect(text.indexOf('name="meta"')).toBeLessThan(text.indexOf('name="item_id"'));
    expect(text.indexOf('name="item_id"')).toBeLessThan(text.indexOf('name="file"'));
    expect(text).toContain('Content-Type: text/csv');
  });

  it('uses SM3 and the endpoint layout for e-invoice files', async () => {
    const pdf = Buffer.from('%PDF-1.4 test');
    const media = new MediaUtil('fapiao.pdf', pdf).forEndpoint('v3/new-tax-control-fapiao/fapiao-applications/upload-fapiao-file');
    expect(JSON.parse(await media.getMeta())).toEqual({ digest: createHash('sm3').update(pdf).digest('hex'), digest_alogrithm: 'SM3', file_type: 'PDF' });
  });

  it('keeps an explicit layout over the endpoint one', async () => {
    const media = new MediaUtil('a.png', png, { layout: 'v3/ecommerce/account/cancel-applications/media' });
    expect(media.forEndpoint('v3/merchant/media/upload')).toBe(media);
    expect(JSON.parse(await media.getMeta())).toEqual({ file_name: 'a.png', file_digest: sha256(png) });
  });

  it('escapes quotes and line breaks in the file name of the part header', async () => {
    const media = new MediaUtil('a"b\r\n.png', png);
    const text = (await drain(media.getStream())).toString('latin1');
    expect(text).toContain('filename="a%22b%0D%0A.png"');
    expect(JSON.parse(await media.getMeta()).filename).toBe('a"b\r\n.png');
  });

  it('gives a fresh stream per call and finds its media from the stream', async () => {
    const media = new MediaUtil('logo.png', png);
    const one = media.getStream();
    const two = media.getStream();
    expect(one).not.toBe(two);
    expect(MediaUtil.of(one)).toBe(media);
    expect(MediaUtil.of(Readable.from(['x']))).toBeUndefined();
    expect((await drain(one)).equals(await drain(two))).toBe(true);
  });

  it('lays out the APIv2 form (V2_UPLOAD_LAYOUT): plain fields with the MD5 media_hash, no meta part, then the media part', async () => {
    const media = new MediaUtil('id.png', png);
    const form = media.withOptions({ layout: V2_UPLOAD_LAYOUT, meta: { mch_id: '1900000109' } });
    const md5 = createHash('md5').update(png).digest('hex');
    expect(await form.getDigest()).toBe(md5);
    expect(await media.getDigest()).toBe(sha256(png)); // the original keeps its own layout
    const body = (await drain(form.getStream())).toString('latin1');
    expect(body).not.toContain('name="meta"');
    expect([...body.matchAll(/form-data; name="([^"]+)"/g)].map((m) => m[1])).toEqual(['media_hash', 'mch_id', 'media']);
    expect(body).toContain(`name="media_hash"\r\n\r\n${md5}\r\n`);
    expect(body).toContain('filename="id.png"\r\nContent-Type: image/png');
    expect(Buffer.byteLength(body, 'latin1')).toBe(await form.getLength());
  });

  it('refuses bad input with ArgumentError', async () => {
    expect(() => new MediaUtil('')).toThrow(ArgumentError);
    expect(() => new MediaUtil('x.png', 42 as unknown as Buffer)).toThrow(ArgumentError);
    expect(() => new MediaUtil('x.png', png, { layout: 'v3/not/an/upload' })).toThrow(/not a known upload endpoint/);
    expect(() => new MediaUtil('x.png', png, { contentType: 'image/png\r\nx: y' })).toThrow(ArgumentError);
    await expect(new MediaUtil('x.png', png, { meta: { sha256: 'forged' } }).getMeta()).rejects.toThrow(/computed from the file/);
    await expect(new MediaUtil(join(dir, 'missing.png')).getMeta()).rejects.toThrow(ArgumentError);
    await expect(new MediaUtil(dir).getMeta()).rejects.toThrow(/not a regular file/);
  });

  it('fails the upload stream when the file changes after it was hashed', async () => {
    const path = join(dir, 'changing.png');
    await writeFile(path, png);
    const media = new MediaUtil(path);
    await media.getMeta();
    await writeFile(path, Buffer.concat([png, png]));
    await expect(drain(media.getStream())).rejects.toThrow(/changed while it was being uploaded/);
  });

  it('is turned into a multipart body by buildRequest, and refuses mixing with json/body', () => {
    const media = new MediaUtil('logo.png', png);
    const prepared = buildRequest('POST', 'v3/merchant/media/upload', { media });
    expect(MediaUtil.of(prepared.body)).toBe(media);
    expect(prepared.headers['content-type']).toBe(media.getContentType());
    expect(() => buildRequest('POST', 'v3/merchant/media/upload', { media, json: {} })).toThrow(ArgumentError);
    expect(() => buildRequest('POST', 'v3/merchant/media/upload', { media, body: 'x' })).toThrow(ArgumentError);
    expect(() => buildRequest('POST', 'v3/merchant/media/upload', { media: {} as MediaUtil })).toThrow(/expected a MediaUtil/);
  });
});
