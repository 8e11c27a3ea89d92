/**
 * Loopback servers for fault specs: a node:http server whose handler plays the fault, a raw
 * node:net server for byte-exact answers, and a check that no socket, server or timer outlives
 * a test.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Loopback {
  baseURL: string;
  /** Requests seen so far. */
  readonly hits: number;
  close(): Promise<void>;
}

async function listen(server: Server, sockets: Set<Socket>, counter: { hits: number }): Promise<Loopback> {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/`,
    get hits() {
      return counter.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An HTTP server on 127.0.0.1 whose handler decides each answer (or never answers). */
export async function httpServer(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<Loopback> {
  const sockets = new Set<Socket>();
  const counter = { hits: 0 };
  const server = createHttpServer((req, res) => {
    counter.hits++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  server.keepAliveTimeout = 500;
  return listen(server, sockets, counter);
}

/** A TCP server on 127.0.0.1: `onRequest` gets the socket once a full request head arrived. */
export async function rawServer(onRequest: (socket: Socket, head: string) => void): Promise<Loopback> {
  const sockets = new Set<Socket>();
  const counter = { hits: 0 };
  const server = createNetServer((socket) => {
    let seen = '';
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      const end = seen.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = seen.slice(0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (seen.length < end + 4 + length) return;
      seen = seen.slice(end + 4 + length);
      counter.hits++;
      onRequest(socket, head);
    });
  });
  return listen(server, sockets, counter);
}

const WATCHED = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'TTYWrap'];

/** Counts of the resource kinds a client or server could leak. */
export function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of WATCHED) counts[kind] = 0;
  for (const kind of process.getActiveResourcesInfo()) if (kind in counts) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/**
 * Waits (bounded: 2 s) until the watched resources are back to `baseline`; returns the last
 * counts so the spec can assert on them.
 */
export async function settle(baseline: Record<string, number>): Promise<Record<string, number>> {
  let now = resources();
  for (let i = 0; i < 100; i++) {
    if (WATCHED.every((kind) => (now[kind] ?? 0) <= (baseline[kind] ?? 0))) return now;
    await sleep(20);
    now = resources();
  }
  return now;
}
