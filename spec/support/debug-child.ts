/** Child process for the NODE_DEBUG=wechatpay spec: one request against the emulator, in process. */
import { http, HttpResponse } from 'msw';
import { Builder } from '../../lib/index.js';
import { Emulator } from '../../lib/testing/index.js';

const emulator = Emulator.create({ handlers: [http.get('*/v3/hello', () => HttpResponse.json({ hello: 1 }))] });
const client = Builder.factory(emulator.clientConfig());
await client.chain('v3/hello').get();
await client.close();
// the parent checks stderr for these, and for their absence in the log
process.stdout.write(JSON.stringify({ authorization: emulator.requests[0]?.headers.authorization, key: emulator.merchant.privateKeyPem }));
