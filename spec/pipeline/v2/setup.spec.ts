import { describe, expect, it } from 'vitest';
import type { RequestOptions } from '../../../lib/endpoint/options.js';
import { ArgumentError } from '../../../lib/errors.js';
import type { Next, RequestContext } from '../../../lib/pipeline/context.js';
import { apiV2, selectProtocol } from '../../../lib/pipeline/v2/setup.js';
import { certificateRequired } from '../../../lib/transport/mutual-tls.js';

describe('selectProtocol', () => {
  it('sends v2/ templates to APIv2 without the prefix and leaves others on APIv3', () => {
    expect(selectProtocol('v2/pay/micropay')).toEqual({ protocol: 'v2', template: 'pay/micropay' });
    expect(selectProtocol('v2/secapi/mch/addInstitutionsub')).toEqual({ protocol: 'v2', template: 'secapi/mch/addInstitutionsub' });
    expect(selectProtocol('v3/certificates')).toEqual({ protocol: 'v3', template: 'v3/certificates' });
    expect(selectProtocol('v2x/a')).toEqual({ protocol: 'v3', template: 'v2x/a' });
    expect(() => selectProtocol('v2')).toThrow(ArgumentError);
  });
});

describe('apiV2 configuration', () => {
  it('refuses a malformed secret, certificate or CA, naming the option', () => {
    expect(() => apiV2({ secret: '' }, '1')).toThrow(expect.objectContaining({ field: 'secret' }));
    expect(() => apiV2({ secret: 'has space' }, '1')).toThrow(expect.objectContaining({ field: 'secret' }));
    expect(() => apiV2({ ca: 'not a certificate' }, '1')).toThrow(expect.objectContaining({ field: 'ca' }));
    expect(() => apiV2({ merchant: { cert: 'nope', key: 'nope' } }, '1')).toThrow(expect.objectContaining({ field: 'merchant.cert' }));
    expect(() => apiV2({ merchant: {} as never }, '1')).toThrow(expect.objectContaining({ field: 'merchant' }));
    expect(() => apiV2({ merchant: { pfx: Buffer.from('junk') } }, '1')).toThrow(expect.objectContaining({ field: 'merchant.pfx' }));
  });

  it('accepts no APIv2 settings at all (APIv3-only clients)', () => {
    expect(() => apiV2({}, '1')).not.toThrow();
  });
});

describe('certificateRequired', () => {
  it('follows the catalog for the chain template, and never for APIv3', () => {
    expect(certificateRequired('v2/secapi/pay/refund')).toBe(true);
    expect(certificateRequired('v2/mmpaymkttransfers/promotion/transfers')).toBe(true);
    expect(certificateRequired('v2/risk/getpublickey')).toBe(true);
    // the host aliases are gone: fraud/… is not an APIv2 template
    expect(certificateRequired('fraud/v2/risk/getpublickey')).toBe(false);
    expect(certificateRequired('v2/pay/micropay')).toBe(false);
    expect(certificateRequired('hk/v2/pay/micropay')).toBe(false);
    expect(certificateRequired('v3/refund/domestic/refunds')).toBe(false);
    expect(certificateRequired('secapi/pay/refund')).toBe(false);
  });
});

describe('apiV2 route', () => {
  // the plain transport records what reached it; with no certificate configured, mutual TLS cannot be used
  function router(config: Parameters<typeof apiV2>[0]) {
    const plain: string[] = [];
    const send: Next = (ctx) => {
      plain.push(ctx.template);
      return Promise.resolve({ status: 200, headers: {}, data: undefined, body: Buffer.alloc(0) });
    };
    return { plain, route: apiV2(config, '1900000109').route(send) };
  }
  const ctx = (template: string, options: RequestOptions = {}, protocol: 'v2' | 'v3' = 'v2') => ({ protocol, template, options }) as unknown as RequestContext;

  it('sends APIv3 and non-certificate APIv2 requests through the plain transport, whatever `security` says on APIv3', async () => {
    const { plain, route } = router({});
    await route(ctx('v2/pay/micropay'));
    await route(ctx('v2/secapi/pay/refund', { security: false }));
    await route(ctx('v3/refund/domestic/refunds', { security: 'yes' as unknown as boolean }, 'v3'));
    expect(plain).toEqual(['v2/pay/micropay', 'v2/secapi/pay/refund', 'v3/refund/domestic/refunds']);
  });

  it('without a certificate, refuses an endpoint that needs one, naming it and the options, before sending', async () => {
    const { plain, route } = router({});
    const error = await route(ctx('v2/secapi/pay/refund')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error).toMatchObject({ field: 'merchant' });
    const message = (error as Error).message;
    for (const part of ['v2/secapi/pay/refund', 'merchant: { cert, key }', 'securityDispatcher', 'security: false']) expect(message).toContain(part);
    await expect(route(ctx('v2/pay/micropay', { security: true }))).rejects.toThrow(/security: true \(v2\/pay\/micropay\)/);
    expect(plain).toEqual([]);
  });

  it('refuses a `security` that is not a boolean on APIv2', async () => {
    const { plain, route } = router({});
    await expect(route(ctx('v2/pay/micropay', { security: 1 as unknown as boolean }))).rejects.toMatchObject({ name: 'ArgumentError', field: 'security' });
    expect(plain).toEqual([]);
  });
});
