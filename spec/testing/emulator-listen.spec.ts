import * as dc from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { Builder } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';

describe('Emulator.listen()', () => {
  it('keeps connections alive between answers (its keep-alive hint outlasts undici’s 2 s threshold)', async () => {
    const emulator = Emulator.create({ modulusLength: 1024 });
    const server = await emulator.listen();
    const client = Builder.factory(emulator.clientConfig({ baseURL: server.baseURL }));
    let opened = 0;
    const count = () => (opened += 1);
    dc.subscribe('net.client.socket', count);
    try {
      for (let i = 0; i < 5; i++) {
        const res = await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id: '50000000382019052709732678859', json: { sub_mchid: '1900000109' } });
        expect(res.status).toBe(200);
      }
      // undici drops a socket whose Keep-Alive hint is under keepAliveTimeoutThreshold (2 s):
      // a 1 s hint opened one connection per request
      expect(opened).toBe(1);
    } finally {
      dc.unsubscribe('net.client.socket', count);
      await client.close();
      await server.close();
    }
  });

  it('listens on the port asked for, and refuses one that is not a port', async () => {
    const emulator = Emulator.create({ modulusLength: 1024 });
    const first = await emulator.listen();
    await first.close();
    const again = await emulator.listen({ port: first.port });
    expect(again.port).toBe(first.port);
    expect(again.baseURL).toBe(`http://127.0.0.1:${first.port}/`);
    await again.close();
    for (const port of [-1, 65_536, 1.5, Number.NaN]) await expect(emulator.listen({ port })).rejects.toThrow(/port: must be an integer from 0 to 65535/);
  });
});
