/** wechatpay-chain, as users get it: the built dist/, a chain call per request. */
import type * as Chain from '../../lib/index.js';
import { REFUND_ID, REQUEST_JSON, SUB_MCHID, type ClientFactory } from '../lib/workload.js';

const factory: ClientFactory = async (w) => {
  const { Builder } = (await import(new URL('../../dist/index.js', import.meta.url).href)) as typeof Chain;
  const client = Builder.factory({
    mchid: w.mchid,
    serial: w.serial,
    privateKey: w.merchantPrivateKeyPem,
    certs: { [w.platformSerial]: w.platformPublicKeyPem },
    baseURL: w.baseURL,
  });
  return {
    async call() {
      const { data } = await client.v3.ecommerce.refunds._refund_id_.returnAdvance.post({ refund_id: REFUND_ID, json: REQUEST_JSON });
      if ((data as { payer_mchid?: string }).payer_mchid !== SUB_MCHID) throw new Error('wechatpay-chain: unexpected answer');
    },
    close: () => client.close(),
  };
};
export default factory;
