import { http, HttpResponse } from 'msw';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError, Builder, HttpError, type Middleware, Pipeline, VerificationError } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';

const emulator = Emulator.create();
let flaky = 0;
emulator.use(
  http.get('*/v3/echo', () => HttpResponse.json({ ok: true })),
  http.get('*/v3/flaky', () => (flaky++ % 2 === 0 ? HttpResponse.json({ code: 'SYSTEM_ERROR', message: 'busy' }, { status: 500 }) : HttpResponse.json({ ok: true }))),
);
const client = Builder.factory(emulator.clientConfig());
afterAll(() => client.close());

describe('Pipeline', () => {
  it('runs sign → user steps → verify → transport, user steps seeing only verified data', async () => {
    const seen: string[] = [];
    const local = Builder.factory(emulator.clientConfig());
    local.pipeline.use(async (ctx, next) => {
      seen.push(`before ${ctx.method} ${ctx.path} auth=${ctx.headers.authorization ? 'yes' : 'no'}`);
      const res = await next(ctx);
      seen.push(`after ${res.status} ${JSON.stringify(res.data)}`);
      return res;
    }, 'log');
    expect(local.pipeline.names()).toEqual(['retry', 'sign', 'log', 'verify']);
    await local.chain('v3/echo').get();
    expect(seen).toEqual(['before GET /v3/echo auth=yes', 'after 200 {"ok":true}']);
    await local.close();
  });

  it('re-signs each attempt when a retry step sits before sign', async () => {
    const local = Builder.factory(emulator.clientConfig());
    const retry: Middleware = async (ctx, next) => {
      try {
        return await next(ctx);
      } catch (error) {
        if (!(error instanceof HttpError) || error.status < 500) throw error;
        ctx.attempt += 1;
        return next(ctx);
      }
    };
    local.pipeline.before('sign', retry, 'my-retry');
    expect(local.pipeline.names()).toEqual(['retry', 'my-retry', 'sign', 'verify']);
    flaky = 0;
    const res = await local.chain('v3/flaky').get();
    expect(res.data).toEqual({ ok: true });
    const [first, second] = emulator.requests.slice(-2).map((r) => r.headers.authorization);
    expect(first).toBeDefined();
    expect(first).not.toBe(second);
    await local.close();
  });

  it('inserts before/after named steps and removes them', () => {
    const terminal = async () => ({ status: 200, headers: {}, data: undefined, body: Buffer.alloc(0) });
    const noop: Middleware = (ctx, next) => next(ctx);
    const p = new Pipeline([['sign', noop], ['verify', noop]], terminal);
    p.after('sign', noop, 'a').before('sign', noop, 'b').use(noop, 'c');
    expect(p.names()).toEqual(['b', 'sign', 'a', 'c', 'verify']);
    expect(p.remove('a')).toBe(true);
    expect(p.remove('a')).toBe(false);
    expect(() => p.before('nope', noop)).toThrow(ArgumentError);
    expect(() => p.use(noop, 'sign')).toThrow(/exists already/);
    expect(() => p.use('x' as never)).toThrow(/must be a function/);
  });

  it('lets a step short-circuit and change the request', async () => {
    const order: string[] = [];
    const terminal = async () => {
      order.push('transport');
      return { status: 200, headers: {}, data: 'sent', body: Buffer.alloc(0) };
    };
    const p = new Pipeline([['one', async (ctx, next) => (order.push('one'), next(ctx))]], terminal);
    p.use(async () => ({ status: 299, headers: {}, data: 'cached', body: Buffer.alloc(0) }), 'cache');
    const res = await p.run({} as never);
    expect(res.data).toBe('cached');
    expect(order).toEqual(['one']);
  });

  describe('there is no switch to turn verification off', () => {
    const noop: Middleware = (ctx, next) => next(ctx);

    it('refuses to remove verify or sign', () => {
      const local = Builder.factory(emulator.clientConfig());
      expect(() => local.pipeline.remove('verify')).toThrow(ArgumentError);
      expect(() => local.pipeline.remove('verify')).toThrow(/no switch to turn verification off/);
      expect(() => local.pipeline.remove('sign')).toThrow(ArgumentError);
      expect(local.pipeline.names()).toEqual(['retry', 'sign', 'verify']);
      // the steps around them stay yours to remove
      expect(local.pipeline.remove('retry')).toBe(true);
      local.pipeline.use(noop, 'mine');
      expect(local.pipeline.remove('mine')).toBe(true);
    });

    it('refuses a step inside verify, where it would see answers before they are verified', () => {
      const local = Builder.factory(emulator.clientConfig({ debug: () => undefined }));
      expect(local.pipeline.names()).toEqual(['retry', 'sign', 'verify', 'debug']);
      expect(() => local.pipeline.after('verify', noop, 'peek')).toThrow(ArgumentError);
      expect(() => local.pipeline.after('verify', noop, 'peek')).toThrow(/inside "verify"/);
      expect(() => local.pipeline.before('debug', noop, 'peek')).toThrow(ArgumentError);
      expect(() => local.pipeline.after('debug', noop, 'peek')).toThrow(ArgumentError);
      expect(local.pipeline.names()).toEqual(['retry', 'sign', 'verify', 'debug']);
      // between sign and verify, and outside sign, steps are welcome
      local.pipeline.before('verify', noop, 'a').after('sign', noop, 'b').before('sign', noop, 'c').after('retry', noop, 'd');
      expect(local.pipeline.names()).toEqual(['retry', 'd', 'c', 'sign', 'b', 'a', 'verify', 'debug']);
    });

    it('keeps sign outside verify: a forged answer never reaches a step or the caller, however the steps are arranged', async () => {
      const local = Builder.factory(emulator.clientConfig());
      const seen: unknown[] = [];
      const spy: Middleware = async (ctx, next) => {
        const res = await next(ctx);
        seen.push(res.data);
        return res;
      };
      local.pipeline.use(spy, 'use').before('verify', spy, 'before-verify').after('sign', spy, 'after-sign').before('sign', spy, 'before-sign');
      expect(() => local.pipeline.after('verify', spy, 'inside')).toThrow(ArgumentError);
      emulator.tamperNext((res) => (res.body = Buffer.from('{"forged":true}')));
      await expect(local.chain('v3/echo').get()).rejects.toBeInstanceOf(VerificationError);
      expect(seen).toEqual([]);
      const names = local.pipeline.names();
      expect(names.indexOf('sign')).toBeLessThan(names.indexOf('verify'));
      expect(names.at(-1)).toBe('verify');
      await local.close();
    });

    it('holds for a Pipeline built by hand around steps named sign and verify', () => {
      const terminal = async () => ({ status: 200, headers: {}, data: undefined, body: Buffer.alloc(0) });
      const p = new Pipeline([['sign', noop], ['verify', noop]], terminal);
      expect(() => p.remove('verify')).toThrow(ArgumentError);
      expect(() => p.after('verify', noop, 'x')).toThrow(ArgumentError);
    });
  });
});
