import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

// `npm run demo` is `tsx examples/demo.ts`: the README's quick start, run as a user would
describe('npm run demo (examples/demo.ts)', { timeout: 60_000 }, () => {
  it('runs the whole story: order, payment, verified notification after a retry, advanced refund, return-advance in every style', async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], { cwd: root, timeout: 45_000, env: { PATH: process.env.PATH ?? '' } }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/"trade_state":"NOTPAY"/);
    expect(out).toMatch(/refusing the first delivery of .* with 500/);
    expect(out).toMatch(/webhook: TRANSACTION\.SUCCESS verified and decrypted/);
    expect(out).toMatch(/"refund_account":"REFUND_SOURCE_PARTNER_ADVANCE"/);
    expect(out).toMatch(/webhook: REFUND\.SUCCESS verified and decrypted/);
    expect(out).toMatch(/"status":"SUCCESS".*"advance":888/);
    for (const title of ['property style, await post()', 'property style, postAsync().then()', "chain('…') style, await post()", "chain('…') style, postAsync().then()", "bracket ['…'] style, await get()", "bracket ['…'] style, getAsync().then()"]) {
      expect(out).toContain(`# ${title}\n  HTTP 200`);
    }
    expect(out.match(/"result":"SUCCESS"/g)).toHaveLength(6);
    expect(out).toMatch(/TRANSACTION\.SUCCESS attempt 1 → 500\n {2}TRANSACTION\.SUCCESS attempt 2 → 200/);
    expect(out).toMatch(/all signed and verified: true/);
  });
});
