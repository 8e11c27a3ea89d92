/**
 * Child process for issue 13 item 2: a `{ stream: true }` body that times out while nobody reads
 * it must not crash the process. Run as `node --import tsx stream-timeout-child.ts <lib | dist-dir>`;
 * it installs no 'uncaughtException' handler, so an unhandled 'error' ends it with a non-zero code.
 * Prints what the late reader got, as JSON.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { Entries } from './entries.js';

const where = process.argv[2] ?? 'lib';
const { main, testing }: Pick<Entries, 'main' | 'testing'> =
  where === 'lib'
    ? { main: await import('../../lib/index.js'), testing: await import('../../lib/testing/index.js') }
    : { main: await import(pathToFileURL(join(where, 'index.js')).href), testing: await import(pathToFileURL(join(where, 'testing', 'index.js')).href) };

const open = new Set<ServerResponse>();
const server = createServer((_req, res) => {
  open.add(res);
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
  res.write('交易时间,公众账号ID\n'); // then stalls
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const client = main.Builder.factory(testing.Emulator.create().clientConfig({ baseURL }));
const read = (body: Readable) =>
  (async () => {
    for await (const _chunk of body) void _chunk;
    return 'ended';
  })().catch((error: Error) => error.name);

const download = () => client.v3.billdownload.file.get({ query: { token: 't' }, stream: true, timeout: 100 });
const unread = (await download()).body as Readable;
const peeked = (await download()).body as Readable;
await new Promise<void>((resolve) => peeked.once('data', () => (peeked.pause(), resolve())));
await sleep(400); // both time out while nobody reads
const result = { unread: await read(unread), peeked: await read(peeked) };
for (const res of open) res.destroy();
server.close();
await client.close();
process.stdout.write(JSON.stringify(result));
