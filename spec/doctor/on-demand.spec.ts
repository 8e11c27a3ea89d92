/**
 * Issue 18 asks for `diagnose` at the package root; the root's is a shim that loads the doctor's
 * checks on its first call (spec/e2e/package.spec.ts holds that the root's import does not load them).
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError, diagnose as rootDiagnose } from '../../lib/index.js';
import { diagnose } from '../../lib/doctor/index.js';
import { Emulator } from '../../lib/testing/index.js';

describe('diagnose from the package root', () => {
  it('gives the checks wechatpay-chain/doctor gives', async () => {
    const config = Emulator.create().clientConfig();
    const strip = (d: Awaited<ReturnType<typeof diagnose>>) => d.checks.map(({ id, status }) => ({ id, status }));
    const fromRoot = await rootDiagnose(config);
    expect(fromRoot.checks.length).toBeGreaterThan(5);
    expect(strip(fromRoot)).toEqual(strip(await diagnose(config)));
  });

  it('rejects a configuration that is not an object with an ArgumentError', async () => {
    await expect(rootDiagnose(null as never)).rejects.toBeInstanceOf(ArgumentError);
  });
});
