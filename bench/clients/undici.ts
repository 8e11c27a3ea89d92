/** The transport floor: the same POST with a bare undici request, no signing, no verification. */
import { Agent, request } from 'undici';
import { PATH, REQUEST_JSON, SUB_MCHID, type ClientFactory } from '../lib/workload.js';

const factory: ClientFactory = async (w) => {
  const dispatcher = new Agent();
  const url = new URL(PATH, w.baseURL).href;
  return {
    async call() {
      const res = await request(url, {
        dispatcher,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-bench-unsigned': '1' },
        body: JSON.stringify(REQUEST_JSON),
      });
      const data = JSON.parse(await res.body.text()) as { payer_mchid?: string };
      if (res.statusCode !== 200 || data.payer_mchid !== SUB_MCHID) throw new Error('undici: unexpected answer');
    },
    close: () => dispatcher.close(),
  };
};
export default factory;
