/**
 * The server side of the upload specs: a multipart parser (@fastify/busboy) and an APIv2 sign
 * written independently of lib/, so the specs check the client against another implementation.
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Busboy } from '@fastify/busboy';

/** One part of a multipart/form-data body as received. */
export interface Part {
  name: string;
  filename?: string;
  contentType: string;
  bytes: Buffer;
}

/** Reads a multipart/form-data request into its parts, in order (files up to 64 MiB). */
export function parseMultipart(req: IncomingMessage): Promise<Part[]> {
  return new Promise((resolve, reject) => {
    const parts: Part[] = [];
    const pending: Array<Promise<void>> = [];
    const parser = new Busboy({ headers: req.headers as { 'content-type': string }, limits: { fileSize: 64 * 1024 * 1024 } });
    parser.on('field', (name: string, value: string, _n: boolean, _v: boolean, _e: string, mimeType: string) => parts.push({ name, contentType: mimeType, bytes: Buffer.from(value) }));
    parser.on('file', (name: string, stream: NodeJS.ReadableStream, filename: string, _encoding: string, mimeType: string) => {
      const part: Part = { name, filename, contentType: mimeType, bytes: Buffer.alloc(0) };
      parts.push(part);
      const chunks: Buffer[] = [];
      pending.push(
        new Promise((done) => {
          stream.on('data', (chunk: Buffer) => void chunks.push(chunk));
          stream.on('end', () => {
            part.bytes = Buffer.concat(chunks);
            done();
          });
        }),
      );
    });
    parser.on('finish', () => void Promise.all(pending).then(() => resolve(parts)));
    parser.on('error', reject);
    req.pipe(parser);
  });
}

/** The APIv2 sign of `fields` (MD5 or HMAC-SHA256 by `sign_type`), as WeChat Pay computes it. */
export function v2SignOf(fields: Record<string, string>, secret: string, type = fields.sign_type ?? 'MD5'): string {
  const message = `${Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&')}&key=${secret}`;
  return (type === 'HMAC-SHA256' ? createHmac('sha256', secret).update(message) : createHash('md5').update(message)).digest('hex').toUpperCase();
}
