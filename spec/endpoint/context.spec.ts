/**
 * From a chain call to the first attempt's context: pure, so checked here without a network.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Verifier } from '../../lib/apiv3/verifier.js';
import { requestContext, selectProtocol, type ContextSettings } from '../../lib/endpoint/context.js';
import { ArgumentError } from '../../lib/errors.js';
import { OwnSecrets } from '../../lib/own-secrets.js';
import { resolveHosts } from '../../lib/routing/hosts.js';

const SECRET = 'apiv2secretapiv2secretapiv2secre';

function settings(overrides: Partial<ContextSettings> = {}): ContextSettings {
  return {
    verifier: new Verifier(),
    targets: resolveHosts(undefined, undefined),
    gatewayPrefix: '',
    headers: { accept: 'application/json', 'user-agent': 'spec' },
    timeout: 30_000,
    maxBodySize: 1024,
    secrets: new OwnSecrets().add('the APIv2 secret', SECRET),
    ...overrides,
  };
}

describe('selectProtocol', () => {
  it('sends v2/ templates to APIv2 without the prefix and leaves others on APIv3', () => {
    expect(selectProtocol('v2/pay/micropay')).toEqual({ protocol: 'v2', template: 'pay/micropay' });
    expect(selectProtocol('v2/secapi/mch/addInstitutionsub')).toEqual({ protocol: 'v2', template: 'secapi/mch/addInstitutionsub' });
    expect(selectProtocol('v3/certificates')).toEqual({ protocol: 'v3', template: 'v3/certificates' });
    expect(selectProtocol('v2x/a')).toEqual({ protocol: 'v3', template: 'v2x/a' });
    expect(() => selectProtocol('v2')).toThrow(ArgumentError);
  });
});

describe('requestContext', () => {
  it('builds the first attempt of an APIv3 call: route, path, headers, the exact body, the client timeout', () => {
    const ctx = requestContext('POST', 'v3/ecommerce/refunds/{refund_id}/return-advance', { refund_id: '5000', json: { sub_mchid: '1900000109' } }, settings());
    expect({ ...ctx }).toEqual({
      protocol: 'v3',
      method: 'POST',
      template: 'v3/ecommerce/refunds/{refund_id}/return-advance',
      documentedOrigin: 'https://api.mch.weixin.qq.com',
      origin: 'https://api.mch.weixin.qq.com',
      prefix: '',
      basePath: '',
      path: '/v3/ecommerce/refunds/5000/return-advance',
      headers: { accept: 'application/json', 'user-agent': 'spec', 'content-type': 'application/json' },
      body: '{"sub_mchid":"1900000109"}',
      signBody: '{"sub_mchid":"1900000109"}',
      options: { refund_id: '5000', json: { sub_mchid: '1900000109' } },
      timeout: 30_000,
      maxBodySize: 1024,
      attempt: 1,
      state: {},
    });
  });

  it('is pure: the same call gives the same context, and nothing it returns is shared with the settings', () => {
    const shared = settings();
    const a = requestContext('GET', 'v3/certificates', { query: { limit: 1 } }, shared);
    const b = requestContext('GET', 'v3/certificates', { query: { limit: 1 } }, shared);
    expect({ ...a, headers: { ...a.headers } }).toEqual({ ...b, headers: { ...b.headers } });
    a.headers['x-changed'] = 'yes';
    expect(shared.headers).not.toHaveProperty('x-changed');
    expect(b.headers).not.toHaveProperty('x-changed');
  });

  it('routes by the documented origin through hosts, and signs a base URL path', () => {
    const targets = resolveHosts('http://127.0.0.1:8080/proxy/', { 'https://apihk.mch.weixin.qq.com': 'http://127.0.0.1:9090/' });
    const hk = requestContext('GET', 'global/v3/customs/orders', {}, settings({ targets }));
    expect([hk.documentedOrigin, hk.origin, hk.basePath, hk.path]).toEqual(['https://apihk.mch.weixin.qq.com', 'http://127.0.0.1:9090', '', '/global/v3/customs/orders']);
    const main = requestContext('GET', 'v3/certificates', {}, settings({ targets }));
    expect([main.origin, main.basePath, main.path]).toEqual(['http://127.0.0.1:8080', '/proxy', '/proxy/v3/certificates']);
    // a request's own base URL (wechatpay-php's per-call base_uri): its path is sent and signed
    const own = requestContext('GET', 'v3/statements', { baseURL: 'https://api.mch.weixin.qq.com/hk/' }, settings({ targets }));
    expect([own.origin, own.basePath, own.path]).toEqual(['http://127.0.0.1:8080', '/proxy', '/proxy/hk/v3/statements']);
  });

  it('speaks APIv2 for v2/ templates and sends the gateway prefix unsigned', () => {
    const ctx = requestContext('POST', 'v2/pay/micropay', { xml: { out_trade_no: 'T1' } }, settings({ gatewayPrefix: '/gw' }));
    expect([ctx.protocol, ctx.template, ctx.prefix, ctx.path]).toEqual(['v2', 'v2/pay/micropay', '/gw', '/pay/micropay']);
  });

  it("takes a request's own timeout over the client's, and refuses one setTimeout cannot honour", () => {
    expect(requestContext('GET', 'v3/certificates', { timeout: 5_000 }, settings()).timeout).toBe(5_000);
    expect(() => requestContext('GET', 'v3/certificates', { timeout: 2 ** 31 }, settings())).toThrow(expect.objectContaining({ name: 'ArgumentError', field: 'timeout' }));
  });

  it('refuses, before anything is signed: no template, a client secret in the query, encrypt with no platform key', () => {
    expect(() => requestContext('GET', '', {}, settings())).toThrow(expect.objectContaining({ field: 'template' }));
    const leak = (() => {
      try {
        requestContext('GET', 'v3/certificates', { query: { key: SECRET } }, settings());
      } catch (error) {
        return error as ArgumentError;
      }
      return undefined;
    })();
    expect(leak).toBeInstanceOf(ArgumentError);
    expect(leak?.field).toBe('query');
    expect(leak?.message).not.toContain(SECRET);
    expect(() => requestContext('POST', 'v3/applyment4sub/applyment/', { json: { contact_info: { mobile_phone: '1' } }, encrypt: ['contact_info.mobile_phone'] }, settings())).toThrow(
      expect.objectContaining({ field: 'encrypt' }),
    );
  });

  it('prints with its Authorization redacted, once the sign step sets one', () => {
    const ctx = requestContext('GET', 'v3/certificates', {}, settings());
    ctx.headers.authorization = 'WECHATPAY2-SHA256-RSA2048 mchid="1900000109",signature="c2lnbmF0dXJl"';
    for (const printed of [inspect(ctx, { depth: 4 }), JSON.stringify(ctx)]) {
      expect(printed).toContain('WECHATPAY2-SHA256-RSA2048 [REDACTED]');
      expect(printed).not.toContain('c2lnbmF0dXJl');
    }
    expect(ctx.headers.authorization).toContain('c2lnbmF0dXJl');
  });
});
