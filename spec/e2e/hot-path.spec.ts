/**
 * What users rely on in the paths the bench optimises (issue 7): each optimisation keeps these
 * answers exactly as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Builder, VerificationError, type WeChatPayClient } from '../../lib/index.js';
import { Emulator, FIRST_REFUND_ID } from '../../lib/testing/index.js';

const sub_mchid = '1900000109';

describe('hot path over a loopback server', () => {
  const emulator = Emulator.create();
  let client: WeChatPayClient;
  let close = async () => {};

  beforeAll(async () => {
    const server = await emulator.listen();
    close = server.close;
    client = Builder.factory(emulator.clientConfig({ baseURL: server.baseURL }));
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
});
