import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../../lib/index.js';
import { debugStep } from '../../lib/pipeline/debug.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;

const ctx = {
  protocol: 'v3',
  method: 'GET',
  template: 'v3/certificates',
  documentedOrigin: 'https://api.mch.weixin.qq.com',
  origin: 'https://api.mch.weixin.qq.com',
  basePath: '',
  prefix: '',
  path: '/v3/certificates',
  headers: { authorization: 'WECHATPAY2-SHA256-RSA2048 mchid="1900000109",signature="c2ln"' },
  body: undefined,
  signBody: '',
  options: {},
  timeout: 1000,
  maxBodySize: 1024,
  attempt: 1,
  state: {},
} as RequestContext;

describe('the debug log', () => {
  it('escapes server text: a Request-ID and an error message cannot forge a line or drive the terminal', async () => {
    const lines: string[] = [];
    const step = debugStep((line) => lines.push(line));
    await step(ctx, async () => ({ status: 200, headers: { 'request-id': 'id\u009b2J\u001b]0;t\u0007' }, data: undefined, body: Buffer.alloc(0) }));
    await expect(
      step(ctx, async () => {
        throw new Error('socket hang up\nwechatpay 4242: ← 200 GET https://api.mch.weixin.qq.com/v3/certificates in 1 ms request-id=forged');
      }),
    ).rejects.toThrow(/hang up/);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).not.toMatch(ACTIVE);
    expect(lines[1]).toContain('request-id=id\\x9b2J\\x1b]0;t\\x07');
    expect(lines[3]).toContain('socket hang up\\nwechatpay 4242: ← 200');
    expect(lines.join('\n')).not.toContain('c2ln'); // the Authorization value stays redacted
  });
});
