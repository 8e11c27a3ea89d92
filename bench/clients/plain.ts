/**
 * A plain undici client with thread-pool signing and verification, written for this one call:
 * the reference point the issue names (no chain, no pipeline, no checks beyond the signature).
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { Agent, request } from 'undici';
import { PATH, REQUEST_JSON, SUB_MCHID, type ClientFactory } from '../lib/workload.js';

const factory: ClientFactory = async (w) => {
  const dispatcher = new Agent();
  const merchantKey = createPrivateKey(w.merchantPrivateKeyPem);
  const platformKey = createPublicKey(w.platformPublicKeyPem);
  const url = new URL(PATH, w.baseURL).href;
  return {
    async call() {
      const body = JSON.stringify(REQUEST_JSON);
      const nonce = randomBytes(16).toString('hex');
      const ts = Math.floor(Date.now() / 1000);
      const signature = await new Promise<Buffer>((resolve, reject) =>
        sign('sha256', Buffer.from(`POST\n${PATH}\n${ts}\n${nonce}\n${body}\n`), merchantKey, (error, s) => (error ? reject(error) : resolve(s))),
      );
      const res = await request(url, {
        dispatcher,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${w.mchid}",nonce_str="${nonce}",signature="${signature.toString('base64')}",timestamp="${ts}",serial_no="${w.serial}"`,
        },
        body,
      });
      const text = await res.body.text();
      const h = res.headers as Record<string, string>;
      const message = `${h['wechatpay-timestamp']}\n${h['wechatpay-nonce']}\n${text}\n`;
      if (h['wechatpay-serial'] !== w.platformSerial || !verify('sha256', Buffer.from(message), platformKey, Buffer.from(h['wechatpay-signature'] ?? '', 'base64'))) {
        throw new Error('plain: response does not verify');
      }
      const data = JSON.parse(text) as { payer_mchid?: string };
      if (res.statusCode !== 200 || data.payer_mchid !== SUB_MCHID) throw new Error('plain: unexpected answer');
    },
    close: () => dispatcher.close(),
  };
};
export default factory;
