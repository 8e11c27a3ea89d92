import { describe, expect, it } from 'vitest';
import { soak, soakGoals } from '../../scripts/soak.js';

// The small soak; `npm run soak` runs 10 000 with 2048-bit keys. 1024-bit keys here only save CPU:
// the soak is about sockets, timers and memory, not RSA. No timing assertions: the machine is shared.
describe('soak: 1 000 requests at concurrency 64 over loopback', () => {
  it('verifies every answer, settles the heap and gives back every socket and timer', async () => {
    const result = await soak({ requests: 1_000, concurrency: 64, modulusLength: 1024 });
    expect(result.failures).toEqual({});
    expect(result.verified).toBe(1_000);
    expect(result.signedOk).toBe(1_000);
    expect(result.peakSockets).toBeGreaterThan(1);
    expect(result.heapEndMiB - result.heapStartMiB).toBeLessThanOrEqual(32);
    for (const [kind, count] of Object.entries(result.resourcesBefore)) expect(result.resourcesAfter[kind], kind).toBeLessThanOrEqual(count);
    expect(soakGoals(result).every((goal) => goal.pass)).toBe(true);
  }, 120_000);
});
