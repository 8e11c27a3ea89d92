import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Notification, notificationReply, parseNotification } from '../../lib/webhook/index.js';
import { createNotification, Emulator } from '../../lib/testing/index.js';

// the README's node:http example, as written there
const emulator = Emulator.create();
const certs = { [emulator.platform.serial]: emulator.platform.publicKeyPem };
const apiv3Key = emulator.apiv3Key;
const received: Notification[] = [];

async function rawBody(req: IncomingMessage, limit = 1 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('notification too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const server = createServer(async (req, res) => {
  let reply;
  try {
    const notification = parseNotification({ headers: req.headers, body: await rawBody(req) }, { certs, apiv3Key });
    received.push(notification); // process it (idempotently: WeChat Pay may send it again)
    reply = notificationReply();
  } catch (error) {
    reply = notificationReply(error);
  }
  res.writeHead(reply.status, reply.headers).end(reply.body);
});

describe('a node:http notification endpoint (README example)', () => {
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('accepts a genuine notification with 200 SUCCESS', async () => {
    const { headers, body } = createNotification(emulator, { resource: { out_trade_no: 'T1', trade_state: 'SUCCESS' } });
    const res = await fetch(url, { method: 'POST', headers, body });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ code: 'SUCCESS', message: '成功' });
    expect(received.at(-1)?.resource).toEqual({ out_trade_no: 'T1', trade_state: 'SUCCESS' });
  });

  it('answers 401 FAIL to a forged one, so WeChat Pay would retry and nothing is processed', async () => {
    const count = received.length;
    const { headers, body } = createNotification(emulator, { resource: { out_trade_no: 'T2', trade_state: 'SUCCESS' } });
    const res = await fetch(url, { method: 'POST', headers, body: body.replace('T', 'X') });
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('FAIL');
    expect(received.length).toBe(count);
  });
});
