import { describe, expect, it } from 'vitest';
import { ArgumentError, DecodeError, HttpError, NetworkError, TimeoutError, VerificationError } from '../../lib/errors.js';
import { backoff, DEFAULT_RETRY, failureKind, parseRetryAfter, resolveRetry, retryDelay } from '../../lib/pipeline/retry.js';

const request = { method: 'GET', url: 'http://127.0.0.1/v3/x', headers: {} };
const http = (status: number, headers: Record<string, string> = {}) => new HttpError({ status, headers, data: undefined }, request, false);

describe('resolveRetry', () => {
  it('is off unless asked', () => {
    expect(resolveRetry(undefined)).toBeUndefined();
    expect(resolveRetry(false)).toBeUndefined();
    expect(resolveRetry(true)).toEqual(DEFAULT_RETRY);
    expect(resolveRetry(4)?.retries).toBe(4);
  });

  it('refines the client policy with a request policy', () => {
    const client = resolveRetry({ retries: 5, minDelay: 10, maxDelay: 20 });
    expect(resolveRetry({ maxDelay: 50 }, 'retry', client)).toMatchObject({ retries: 5, minDelay: 10, maxDelay: 50 });
  });

  it.each([
    [-1, 'retry'],
    [1.5, 'retry'],
    ['3', 'retry'],
    [null, 'retry'],
    [{ retries: 11 }, 'retry.retries'],
    [{ minDelay: -5 }, 'retry.minDelay'],
    [{ minDelay: 100, maxDelay: 10 }, 'retry.maxDelay'],
    [{ statuses: [200] }, 'retry.statuses'],
    [{ maxRetryAfter: Number.POSITIVE_INFINITY }, 'retry.maxRetryAfter'],
    [{ onRetry: 'log' }, 'retry.onRetry'],
  ])('refuses %j naming %s', (option, field) => {
    let caught: unknown;
    try {
      resolveRetry(option);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ArgumentError);
    expect((caught as ArgumentError).field).toBe(field);
    expect((caught as ArgumentError).message).toContain(field);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter(' 7 ')).toBe(7000);
    expect(parseRetryAfter(['2', '9'])).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    for (const value of [undefined, '', '-1', '1.5', 'soon', '99999999999', '2026-01-01']) expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('doubles, stays within [ceiling/2, ceiling] and respects the cap', () => {
    const policy = { minDelay: 100, maxDelay: 1000 };
    expect(backoff(policy, 1, () => 0)).toBe(50);
    expect(backoff(policy, 1, () => 1)).toBe(100);
    expect(backoff(policy, 3, () => 1)).toBe(400);
    expect(backoff(policy, 9, () => 0)).toBe(500);
    expect(backoff(policy, 9, () => 1)).toBe(1000);
    expect(backoff(policy, 1000, () => 1)).toBe(1000);
  });
});

describe('retryDelay', () => {
  const policy = resolveRetry({ retries: 2, minDelay: 100, maxDelay: 100, maxRetryAfter: 10_000 }) as NonNullable<ReturnType<typeof resolveRetry>>;
  const decide = (error: unknown, repeatable = true, attempt = 1) => retryDelay(error, { policy, attempt, repeatable, random: () => 1, now: 0 });

  it('retries listed statuses on repeatable calls only', () => {
    expect(decide(http(503))).toBe(100);
    expect(decide(http(503), false)).toBeUndefined();
    expect(decide(http(400))).toBeUndefined();
    expect(decide(http(404))).toBeUndefined();
  });

  it('honours Retry-After, and gives up when it exceeds maxRetryAfter', () => {
    expect(decide(http(429, { 'retry-after': '3' }))).toBe(3000);
    expect(decide(http(429, { 'retry-after': '0' }))).toBe(100);
    expect(decide(http(429, { 'retry-after': '11' }))).toBeUndefined();
    expect(decide(http(503, { 'retry-after': 'Thu, 01 Jan 1970 00:00:04 GMT' }))).toBe(4000);
  });

  it('stops after the last retry', () => {
    expect(decide(http(503), true, 2)).toBe(100);
    expect(decide(http(503), true, 3)).toBeUndefined();
  });

  it('never retries a verification failure, a decode failure or a caller abort', () => {
    expect(decide(new VerificationError('bad-signature', 'forged'))).toBeUndefined();
    expect(decide(new DecodeError('not JSON'))).toBeUndefined();
    expect(decide(new NetworkError('aborted', { transportCode: 'ABORT_ERR' }))).toBeUndefined();
    expect(decide(new TypeError('bug in a middleware'))).toBeUndefined();
  });

  it('retries connection failures before sending for any method, other network failures only when repeatable', () => {
    expect(decide(new NetworkError('refused', { transportCode: 'ECONNREFUSED' }), false)).toBe(100);
    expect(decide(new NetworkError('connect timeout', { transportCode: 'UND_ERR_CONNECT_TIMEOUT' }), false)).toBe(100);
    expect(decide(new NetworkError('reset', { transportCode: 'ECONNRESET' }), false)).toBeUndefined();
    expect(decide(new NetworkError('reset', { transportCode: 'ECONNRESET' }), true)).toBe(100);
    expect(decide(new TimeoutError(100), false)).toBeUndefined();
    expect(decide(new TimeoutError(100), true)).toBe(100);
  });
});

describe('failureKind (shared by retry and failover)', () => {
  it('tells how far a failed attempt got', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER']) {
      expect(failureKind(new NetworkError('failed', { transportCode: code })), code).toBe('unsent');
    }
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', undefined]) expect(failureKind(new NetworkError('failed', { transportCode: code })), String(code)).toBe('maybe-sent');
    expect(failureKind(new TimeoutError(100))).toBe('maybe-sent');
    expect(failureKind(new NetworkError('aborted', { transportCode: 'ABORT_ERR' }))).toBe('final');
    expect(failureKind(http(503))).toBe('answered');
    expect(failureKind(new VerificationError('bad-signature', 'forged'))).toBe('final');
    expect(failureKind(new ArgumentError('bad'))).toBe('final');
  });
});
