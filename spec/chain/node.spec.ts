import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { createNode, type Dispatch } from '../../lib/chain/node.js';
import type { ChainNode } from '../../lib/chain/types.js';

function recorder() {
  const calls: Array<{ method: string; template: string; options: unknown }> = [];
  const dispatch: Dispatch = vi.fn(async (method, template, options) => {
    calls.push({ method, template, options });
    return { status: 200, headers: {}, data: undefined, body: Buffer.alloc(0) };
  });
  const root = createNode('', dispatch, { label: 'test', extra: 42 }) as ChainNode & { extra: number };
  return { root, calls, dispatch };
}

describe('chain node', () => {
  it('turns property access into the template and sends the verb on the parent', async () => {
    const { root, calls } = recorder();
    await root.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id: '1' });
    await root.v3.ecommerce.refunds._refund_id_.returnAdvance.getAsync({ refund_id: '1' });
    expect(calls).toEqual([
      { method: 'POST', template: 'v3/ecommerce/refunds/{refund_id}/return-advance', options: { refund_id: '1' } },
      { method: 'GET', template: 'v3/ecommerce/refunds/{refund_id}/return-advance', options: { refund_id: '1' } },
    ]);
  });

  it('treats verb names as path segments too', async () => {
    const { root, calls } = recorder();
    await root.v3.profitsharing.receivers.delete.post({ json: {} });
    await root.v3.x.delete();
    await root.v3.ecommerce.refunds.apply.post();
    await root.v3.a.bind.post();
    await root.v3.a.call.put();
    await root.v3.a.patch.patchAsync();
    expect(calls.map((c) => `${c.method} ${c.template}`)).toEqual([
      'POST v3/profitsharing/receivers/delete',
      'DELETE v3/x',
      'POST v3/ecommerce/refunds/apply',
      'POST v3/a/bind',
      'PUT v3/a/call',
      'PATCH v3/a/patch',
    ]);
  });

  it('keeps literal paths verbatim in chain() and bracket keys with a slash', async () => {
    const { root, calls } = recorder();
    await root.chain('v3/pay/transactions/out-trade-no/N123Abc').get();
    await root['v3/pay/transactions/out-trade-no/N123Abc/close'].post();
    await root.chain('v3/applyment4sub/applyment/').post();
    await root.chain('/v2/secapi/mch/addInstitutionsub').post();
    await root.v3.chain('refunds/<refund_id>').get();
    await root.v3['ecommerce/refunds/_refund_id_/return-advance'].get();
    expect(calls.map((c) => c.template)).toEqual([
      'v3/pay/transactions/out-trade-no/N123Abc',
      'v3/pay/transactions/out-trade-no/N123Abc/close',
      'v3/applyment4sub/applyment/',
      'v2/secapi/mch/addInstitutionsub',
      'v3/refunds/{refund_id}',
      'v3/ecommerce/refunds/{refund_id}/return-advance',
    ]);
  });

  it('never sends or hangs when a node is awaited', async () => {
    const { root, dispatch } = recorder();
    const node = root.v3.certificates;
    await expect(Promise.resolve(node)).resolves.toBe(node);
    expect(await node).toBe(node);
    expect(dispatch).not.toHaveBeenCalled();
    expect((node as unknown as { then: unknown }).then).toBeUndefined();
  });

  it('caches children and shows its template', () => {
    const { root } = recorder();
    expect(root.v3.pay).toBe(root.v3.pay);
    expect(root.v3.pay.transactions.native.post).toBe(root.v3.pay.transactions.native.post);
    const node = root.v3.ecommerce.refunds._refund_id_.returnAdvance;
    expect(String(node)).toBe('v3/ecommerce/refunds/{refund_id}/return-advance');
    expect(`${node}`).toBe('v3/ecommerce/refunds/{refund_id}/return-advance');
    expect(node.toString()).toBe('v3/ecommerce/refunds/{refund_id}/return-advance');
    expect(JSON.stringify({ node })).toBe('{"node":"v3/ecommerce/refunds/{refund_id}/return-advance"}');
    expect(inspect(node)).toBe('[Chain v3/ecommerce/refunds/{refund_id}/return-advance]');
    expect(inspect(root)).toBe('[WeChatPay client test]');
    expect(Object.prototype.toString.call(node)).toBe('[object Chain]');
  });

  it('does not cache literal bracket keys (order ids would grow the cache forever)', () => {
    const { root } = recorder();
    expect(root['v3/x/N1']).not.toBe(root['v3/x/N1']);
  });

  it('exposes root members only on the root', () => {
    const { root } = recorder();
    expect(root.extra).toBe(42);
    expect(String((root.v3 as unknown as { extra: unknown }).extra)).toBe('v3/extra');
  });

  it('rejects calling a node that is not a verb, and a verb on the bare client', async () => {
    const { root } = recorder();
    await expect(root.v3.certificates({})).rejects.toThrow(/is a path, not a verb/);
    expect(() => root.chain(42 as unknown as string)).toThrow(TypeError);
  });

  it('cannot be written to', () => {
    const { root } = recorder();
    expect(() => {
      (root as unknown as Record<string, unknown>).v3 = 1;
    }).toThrow(TypeError);
  });
});
