/** wechatpay-axios-plugin (APIv3, WeChat Pay public key mode), configured as its README shows. */
import { Wechatpay } from 'wechatpay-axios-plugin';
import { REFUND_ID, REQUEST_JSON, SUB_MCHID, type ClientFactory } from '../lib/workload.js';

const factory: ClientFactory = async (w) => {
  const wxpay = new Wechatpay({
    mchid: w.mchid,
    serial: w.serial,
    privateKey: w.merchantPrivateKeyPem,
    certs: { [w.platformSerial]: w.platformPublicKeyPem },
    baseURL: w.baseURL,
  });
  return {
    async call() {
      const { data } = await wxpay.v3.ecommerce.refunds._refund_id_.returnAdvance.post(REQUEST_JSON, { refund_id: REFUND_ID });
      if ((data as { payer_mchid?: string }).payer_mchid !== SUB_MCHID) throw new Error('wechatpay-axios-plugin: unexpected answer');
    },
    close: async () => {},
  };
};
export default factory;
