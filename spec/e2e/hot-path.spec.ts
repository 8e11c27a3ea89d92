/**
 * What users rely on in the paths the bench optimises (issue 7): each optimisation keeps these
 * answers exactly as they were.
 */
import fc from 'fast-check';
import URITemplate from 'uri-template-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay, http, HttpResponse } from 'msw';
import { Builder, DecodeError, NetworkError, TimeoutError, VerificationError, type WeChatPayClient } from '../../lib/index.js';
import { expandTemplate } from '../../lib/endpoint/template.js';
import { Emulator, FIRST_REFUND_ID } from '../../lib/testing/index.js';
import { loose } from '../support/loose.js';

const sub_mchid = '1900000109';

describe('hot path over a loopback server', () => {
  const emulator = Emulator.create();
  let client: WeChatPayClient;
  let baseURL = '';
  let close = async () => {};

  beforeAll(async () => {
    emulator.use(
      http.post('*/v3/slow', async () => {
        await delay(400);
        return HttpResponse.json({ late: true });
      }),
      http.get('*/v3/big', () => HttpResponse.json({ items: Array.from({ length: 5000 }, (_, i) => ({ id: i, name: `item-${i}` })) })),
    );
    const server = await emulator.listen();
    close = server.close;
    baseURL = server.baseURL;
    client = Builder.factory(emulator.clientConfig({ baseURL }));
  });
  afterAll(async () => {
    await client.close();
    await close();
  });

  it('attaches the redacted request to a verification failure', async () => {
    emulator.tamperNext((res) => {
      res.body = Buffer.from('{"forged":true}');
    });
    const error = await client.v3.ecommerce.refunds._refund_id_.returnAdvance
      .post({ refund_id: FIRST_REFUND_ID, json: { sub_mchid } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    const { request, reason, status } = error as VerificationError;
    expect(reason).toBe('bad-signature');
    expect(status).toBe(200);
    expect(request?.method).toBe('POST');
    expect(request?.url).toMatch(new RegExp(`/v3/ecommerce/refunds/${FIRST_REFUND_ID}/return-advance$`));
    expect(request?.headers.authorization).toBe('WECHATPAY2-SHA256-RSA2048 [REDACTED]');
    expect(JSON.stringify(error)).not.toMatch(/signature="/);
  });

  it('turns a timeout into a TimeoutError caused by an AbortError', async () => {
    const error = await loose(client).v3.slow.post({ json: {}, timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeout).toBe(50);
    expect(((error as TimeoutError).cause as Error).name).toBe('AbortError');
    expect((error as TimeoutError).request?.headers.authorization).toBe('WECHATPAY2-SHA256-RSA2048 [REDACTED]');
  });

  it("reports the caller's abort with the caller's reason", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user gave up')), 50);
    const error = await loose(client).v3.slow.post({ json: {}, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect((error as NetworkError).transportCode).toBe('ABORT_ERR');
    expect(((error as NetworkError).cause as Error).message).toBe('user gave up');
  });

  it('reads a body of many chunks whole, and refuses one over maxBodySize', async () => {
    const res = await loose(client).v3.big.get();
    expect((res.body as Buffer).length).toBeGreaterThan(100_000);
    expect((res.data as { items: Array<{ id: number }> }).items).toHaveLength(5000);

    const small = Builder.factory({ ...emulator.clientConfig({ baseURL }), maxBodySize: 1000 });
    try {
      const error = await loose(small).v3.big.get().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DecodeError);
      expect((error as DecodeError).message).toMatch(/^response Content-Length \d+ exceeds maxBodySize \(1000 bytes\)$/);
      expect((error as DecodeError).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('still answers after aborted attempts', async () => {
    const res = await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id: FIRST_REFUND_ID, json: { sub_mchid } });
    expect(res.status).toBe(200);
  });
});

describe('template expansion fast path', () => {
  const templates = ['v3/refunds/{refund_id}', '{refund_id}/x/{sub}', 'v3/{refund_id}{sub}', 'v3/x/{refund_id}/', 'v3/{sub}/{refund_id}/return-advance'];

  it('encodes path variables exactly as uri-template-lite does', () => {
    fc.assert(
      fc.property(fc.constantFrom(...templates), fc.string({ unit: 'binary', minLength: 1 }), fc.oneof(fc.string({ minLength: 1 }), fc.nat()), (template, refund_id, sub) => {
        fc.pre(refund_id !== '.' && refund_id !== '..' && sub !== '.' && sub !== '..');
        const values = { refund_id, sub };
        expect(expandTemplate(template, values)).toBe(URITemplate.expand(template, values));
      }),
    );
  });

  it('keeps every value inside its segment', () => {
    expect(expandTemplate('v3/refunds/{refund_id}/x', { refund_id: "../a b?c#d!'()" })).toBe('v3/refunds/..%2Fa%20b%3Fc%23d%21%27%28%29/x');
  });

  it('still hands other operators to the library', () => {
    expect(expandTemplate('v3/x/{id}{?limit,offset}', { id: 7, limit: 10 })).toBe('v3/x/7?limit=10');
  });
});
