import { http, HttpResponse } from 'msw';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError, Builder } from '../lib/index.js';
import { CertificateManager } from '../lib/certificates/index.js';
import { resolveRetry } from '../lib/pipeline/retry.js';
import { resolveCliConfig } from '../lib/cli/config.js';
import { Emulator } from '../lib/testing/index.js';
import { argumentErrorOf } from './support/failure.js';

// Node's setTimeout keeps a delay in a signed 32-bit integer: anything above 2^31 − 1 ms (about
// 24.8 days) is replaced by 1 ms, with only a TimeoutOverflowWarning. A timeout of 30 days
// would therefore fail every request at once; a manager interval of 30 days would refresh in a loop.
const MAX = 2 ** 31 - 1;
const emulator = Emulator.create({ handlers: [http.get('*/v3/hello', () => HttpResponse.json({ hello: 'world' }))] });
const client = Builder.factory(emulator.clientConfig());
afterAll(() => client.close());

const refused = argumentErrorOf;

async function refusedAsync(promise: Promise<unknown>): Promise<ArgumentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArgumentError);
  return error as ArgumentError;
}

describe('millisecond options above 2^31 − 1 are refused, whichever option', () => {
  it('client timeout', () => {
    const error = refused(() => Builder.factory(emulator.clientConfig({ timeout: MAX + 1 })));
    expect(error.field).toBe('timeout');
    expect(error.message).toMatch(/timeout: must be a positive number of milliseconds up to 2147483647/);
    expect(() => Builder.factory(emulator.clientConfig({ timeout: MAX }))).not.toThrow();
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '100']) refused(() => Builder.factory(emulator.clientConfig({ timeout: bad as number })));
  });

  it('request timeout: an ArgumentError, not a TimeoutError after 1 ms', async () => {
    const error = await refusedAsync(client.chain('v3/hello').get({ timeout: MAX + 1 }));
    expect(error.field).toBe('timeout');
    expect(error.message).toMatch(/up to 2147483647/);
    expect(emulator.requests).toHaveLength(0);
    await expect(client.chain('v3/hello').get({ timeout: MAX })).resolves.toMatchObject({ status: 200, data: { hello: 'world' } });
  });

  it('retry delays keep their own ceilings, with the same message', () => {
    expect(refused(() => resolveRetry({ minDelay: MAX + 1 })).message).toMatch(/retry\.minDelay: must be a number of milliseconds from 0 to 600000/);
    expect(refused(() => resolveRetry({ maxRetryAfter: 2 ** 40 })).field).toBe('retry.maxRetryAfter');
  });

  it('CertificateManager interval and retryDelay', async () => {
    for (const option of ['interval', 'retryDelay'] as const) {
      const error = await refusedAsync(CertificateManager.start(client, { apiv3Key: emulator.apiv3Key, [option]: MAX + 1 }));
      expect(error.field).toBe(option);
      expect(error.message).toMatch(/up to 2147483647/);
    }
  });

  it('the CLI --timeout', () => {
    expect(refused(() => resolveCliConfig({ timeout: String(MAX + 1) }, {})).message).toMatch(/--timeout.*up to 2147483647/);
    expect(resolveCliConfig({ timeout: String(MAX) }, {}).config.timeout).toBe(MAX);
  });
});
