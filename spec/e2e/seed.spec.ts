import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Builder, type WeChatPayClient } from '../../lib/index.js';
import { Emulator, FIRST_REFUND_ID } from '../../lib/testing/index.js';

const sub_mchid = '1900000109';
const json = {
  sub_mchid,
  sp_appid: 'wx8888888888888888',
  transaction_id: '4200000000202611220000000001',
  combine_transaction_id: '4200000000202611220000000001',
  out_refund_no: 'R1',
  amount: { refund: 888, total: 888, currency: 'CNY' },
  funds_account: 'AVAILABLE',
} as const;

for (const mode of ['in-process dispatcher', 'loopback server'] as const) {
  describe(`seed scenario through the ${mode}`, () => {
    const emulator = Emulator.create();
    let client: WeChatPayClient;
    let close = async () => {};

    beforeAll(async () => {
      if (mode === 'loopback server') {
        const server = await emulator.listen();
        close = server.close;
        client = Builder.factory(emulator.clientConfig({ baseURL: server.baseURL }));
      } else {
        client = Builder.factory(emulator.clientConfig());
      }
    });
    afterAll(async () => {
      await client.close();
      await close();
    });

    it('applies a refund and gets the seed refund id', async () => {
      const res = await client.v3.ecommerce.refunds.apply.post({ json });
      expect(res.status).toBe(200);
      expect((res.data as { refund_id: string }).refund_id).toBe(FIRST_REFUND_ID);
      expect(Buffer.isBuffer(res.body)).toBe(true);
      expect(JSON.parse(String(res.body))).toEqual(res.data);
    });

    it('reaches return-advance in all three styles and both variants', async () => {
      const refund_id = FIRST_REFUND_ID;
      const results = [
        await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id, json: { sub_mchid } }),
        await client.v3.ecommerce.refunds._refund_id_.returnAdvance.postAsync({ refund_id, json: { sub_mchid } }).then((r) => r),
        await client.chain('v3/ecommerce/refunds/{refund_id}/return-advance').post({ refund_id, json: { sub_mchid } }),
        await client.chain('v3/ecommerce/refunds/{refund_id}/return-advance').getAsync({ refund_id, query: { sub_mchid } }).then((r) => r),
        await client['v3/ecommerce/refunds/{refund_id}/return-advance'].get({ refund_id, query: { sub_mchid } }),
        await client['v3/ecommerce/refunds/{refund_id}/return-advance'].postAsync({ refund_id, json: { sub_mchid } }).then((r) => r),
      ];
      for (const res of results) {
        expect(res.status).toBe(200);
        expect(res.data).toMatchObject({ refund_id, advance_return_id: '1215562501201407033233368018', result: 'SUCCESS' });
      }
      const seen = emulator.requests.slice(-6);
      expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
        `POST /v3/ecommerce/refunds/${refund_id}/return-advance`,
        `POST /v3/ecommerce/refunds/${refund_id}/return-advance`,
        `POST /v3/ecommerce/refunds/${refund_id}/return-advance`,
        `GET /v3/ecommerce/refunds/${refund_id}/return-advance?sub_mchid=${sub_mchid}`,
        `GET /v3/ecommerce/refunds/${refund_id}/return-advance?sub_mchid=${sub_mchid}`,
        `POST /v3/ecommerce/refunds/${refund_id}/return-advance`,
      ]);
      expect(seen.every((r) => r.verified)).toBe(true);
    });
  });
}
