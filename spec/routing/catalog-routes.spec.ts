/**
 * Every catalog path and method, by chain(), bracket key and property access: the request handed
 * to the dispatcher goes to the documented origin and path (facts and sources: ./catalog-walk.ts).
 * No network: a recording Dispatcher answers itself.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ChainNode } from '../../lib/chain/types.js';
import { Builder, type ClientMembers } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';
import { RecordingDispatcher, type SentRequest } from '../support/recording-dispatcher.js';
import { APIHK, catalogCalls, optionsFor, styles } from './catalog-walk.js';

describe('every catalog endpoint reaches its documented origin and path', () => {
  const calls = catalogCalls();
  const emulator = Emulator.create();
  const sent: SentRequest[] = [];
  const client = Builder.factory({
    ...emulator.clientConfig(),
    dispatcher: new RecordingDispatcher(undefined, sent),
    securityDispatcher: new RecordingDispatcher(undefined, sent),
  }) as unknown as ChainNode & ClientMembers;
  afterAll(() => client.close());

  it('reads the facts the issue names from the catalog', () => {
    const origin = (template: string) => calls.find((c) => c.template === template)?.origin;
    expect(calls.filter((c) => c.template.startsWith('hk/')).map((c) => c.template)).toContain('hk/v3/statements');
    expect(new Set(calls.filter((c) => c.template.startsWith('hk/')).map((c) => c.template)).size).toBe(19);
    expect(new Set(calls.filter((c) => c.template.startsWith('global/')).map((c) => c.template)).size).toBe(3);
    expect(origin('hk/v3/statements')).toBe('https://api.mch.weixin.qq.com');
    expect(origin('global/v3/customs/orders')).toBe(APIHK);
    expect(origin('v2/risk/getpublickey')).toBe('https://fraud.mch.weixin.qq.com');
    expect(origin('v2/secsvc/getrealnameinfo')).toBe('https://fraud.mch.weixin.qq.com');
    expect(origin('v2/secsvc/realnameauth')).toBe('https://fraud.mch.weixin.qq.com');
    expect(origin('v2/appauth/authindex')).toBe('https://payapp.mch.weixin.qq.com');
    expect(origin('v2/face/get_wxpayface_authinfo')).toBe('https://payapp.weixin.qq.com');
    expect(origin('v3/global/certificates')).toBe(APIHK);
    expect(origin('v3/pay/transactions/native')).toBe('https://api.mch.weixin.qq.com');
  });

  it('sends every method of every path, in all three styles, to exactly that origin and path', async () => {
    const wrong: string[] = [];
    const byOrigin = new Map<string, number>();
    let requests = 0;
    for (const call of calls) {
      const urls = new Set<string>();
      for (const [style, node] of styles(client, call.template)) {
        const before = sent.length;
        await (node[call.method] as (o: unknown) => Promise<unknown>)(optionsFor(call)).catch(() => undefined);
        const seen = sent[before];
        requests++;
        if (sent.length !== before + 1 || seen === undefined) {
          wrong.push(`${style} ${call.method.toUpperCase()} ${call.template}: ${sent.length - before} requests sent`);
          continue;
        }
        const pathname = seen.path.split('?')[0];
        if (seen.origin !== call.origin || pathname !== call.path || seen.method !== call.method.toUpperCase()) {
          wrong.push(`${style} ${call.method.toUpperCase()} ${call.template}: sent ${seen.method} ${seen.origin}${pathname}, documented ${call.origin}${call.path}`);
        }
        urls.add(`${seen.origin}${seen.path.split('?')[0]}`);
      }
      if (urls.size > 1) wrong.push(`${call.template}: the styles disagree: ${[...urls].join(' | ')}`);
      byOrigin.set(call.origin, (byOrigin.get(call.origin) ?? 0) + 1);
    }
    expect(wrong).toEqual([]);
    expect(requests).toBeGreaterThan(calls.length * 2);
    // figures for the report: operations per documented origin
    console.info(Object.fromEntries(byOrigin));
  }, 120_000);
});
