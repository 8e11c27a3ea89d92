/**
 * The crypto floor: per request, one RSA-2048 SHA-256 signature on the thread pool (the APIv3
 * request message) and one verification (the response message). No network, no HTTP.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { PATH, REQUEST_JSON, RESPONSE_BODY, type ClientFactory } from '../lib/workload.js';

const factory: ClientFactory = async (w) => {
  const merchantKey = createPrivateKey(w.merchantPrivateKeyPem);
  const platformKey = createPublicKey(w.platformPublicKeyPem);
  const body = JSON.stringify(REQUEST_JSON);
  const ts = String(Math.floor(Date.now() / 1000));
  const responseNonce = randomBytes(16).toString('hex');
  const responseMessage = `${ts}\n${responseNonce}\n${RESPONSE_BODY}\n`;
  const responseSignature = sign('sha256', Buffer.from(responseMessage), createPrivateKey(w.platformPrivateKeyPem));
  return {
    async call() {
      const nonce = randomBytes(16).toString('hex');
      const message = `POST\n${PATH}\n${Math.floor(Date.now() / 1000)}\n${nonce}\n${body}\n`;
      await new Promise<Buffer>((resolve, reject) => sign('sha256', Buffer.from(message), merchantKey, (error, signature) => (error ? reject(error) : resolve(signature))));
      if (!verify('sha256', Buffer.from(responseMessage), platformKey, responseSignature)) throw new Error('floor: verification failed');
    },
    close: async () => {},
  };
};
export default factory;
