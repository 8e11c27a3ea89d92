/**
 * A loopback webhook for sandbox specs: records every notification it receives and answers each
 * with the status `answer` gives (by how many times that notification id arrived: 1, 2, …).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { httpServer, type Loopback } from './loopback.js';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The notification id, and how many times it arrived so far (1 for the first). */
  id: string;
  arrival: number;
  at: number;
}

export interface Webhook extends Loopback {
  url(path?: string): string;
  readonly received: Received[];
  /** Resolves with the first notification (or the `count`-th) that `match` accepts; bounded. */
  next(match: (received: Received) => boolean, count?: number, timeoutMs?: number): Promise<Received>;
}

export async function webhook(answer: (arrival: number, received: Received) => number | 'hang' = () => 200): Promise<Webhook> {
  const received: Received[] = [];
  const arrivals = new Map<string, number>();
  const waiters = new Set<() => void>();
  const server = await httpServer((req, res, body) => {
    const text = body.toString('utf8');
    let id = '';
    try {
      id = String((JSON.parse(text) as { id?: unknown }).id ?? '');
    } catch {
      id = '';
    }
    const arrival = (arrivals.get(id) ?? 0) + 1;
    arrivals.set(id, arrival);
    const entry: Received = { path: req.url ?? '/', headers: req.headers, body: text, id, arrival, at: Date.now() };
    received.push(entry);
    for (const wake of waiters) wake();
    const status = answer(arrival, entry);
    if (status === 'hang') return;
    res.writeHead(status, { 'content-type': 'application/json' }).end(status >= 200 && status < 300 ? '' : '{"code":"FAIL","message":"失败"}');
  });
  return {
    ...server,
    get hits() {
      return server.hits;
    },
    url: (path = '/notify') => `${server.baseURL.replace(/\/$/, '')}${path}`,
    received,
    next(match, count = 1, timeoutMs = 10_000) {
      return new Promise<Received>((resolve, reject) => {
        const check = () => {
          const found = received.filter(match);
          if (found.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found[count - 1] as Received);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the webhook did not receive the expected notification within ${timeoutMs} ms (got ${received.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
